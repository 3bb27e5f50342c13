"""Plugins use only the contract's declared public modules, and only names in their ``__all__``.

The public modules (one per host area, each with ``__all__``) are documented on
``packages/contract/README.md``; everything else in ``plugin_contract`` is the host's own.
"""

from __future__ import annotations

import ast
from pathlib import Path

from testharness.repo import discover_packages

PUBLIC_MODULES = {
    "plugin_contract": "version",
    "plugin_contract.conda": "conda markers, hook types and the plugin manager",
    "plugin_contract.conda.hookspecs": "the conda hook specifications",
    "plugin_contract.session": "the session API",
    "plugin_contract.shell": "the shell API",
    "plugin_contract.devpi": "the devpi-server helpers",
    "plugin_contract.testing": "the testing kit (extra `testing`)",
    "plugin_contract.errors": "the one-line user errors every area raises",
    "plugin_contract.secret": "Secret, shared by sessions and devpi plugins",
}
CONTRACT_SRC = discover_packages()["plugin-contract"] / "src"


def declared_names(module: str) -> set[str]:
    """The ``__all__`` of a public module, read from its source (no import needed)."""
    base = CONTRACT_SRC.joinpath(*module.split("."))
    path = base / "__init__.py" if base.is_dir() else base.with_suffix(".py")
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
        ):
            return {str(v) for v in ast.literal_eval(node.value)}
    raise AssertionError(f"{module} declares no __all__")


def contract_imports() -> list[tuple[Path, int, str, list[str]]]:
    found = []
    for name, folder in discover_packages().items():
        if name == "plugin-contract":
            continue
        for path in sorted((folder / "src").rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                    "plugin_contract"
                ):
                    names = [alias.name for alias in node.names]
                    found.append((path, node.lineno, str(node.module), names))
                elif isinstance(node, ast.Import):
                    for alias in node.names:
                        if alias.name.startswith("plugin_contract"):
                            found.append((path, node.lineno, alias.name, []))
    return found


def test_every_public_module_declares_all() -> None:
    for module in PUBLIC_MODULES:
        if module != "plugin_contract.conda.hookspecs":
            assert declared_names(module), module


def test_plugins_import_only_public_names_of_public_modules() -> None:
    imports = contract_imports()
    assert len(imports) > 10
    wrong = [
        f"{path}:{line}: {module}"
        for path, line, module, _ in imports
        if module not in PUBLIC_MODULES
    ]
    assert wrong == [], "import these through a public module (see packages/contract/README.md)"
    undeclared = [
        f"{path}:{line}: {module}.{name}"
        for path, line, module, names in imports
        if module != "plugin_contract.conda.hookspecs"
        for name in names
        if name not in declared_names(module)
    ]
    assert undeclared == [], "add the name to the module's __all__ (and the README) or keep it"
