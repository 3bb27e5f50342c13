# os.path on purpose: importing pathlib costs start-up time on the activation hot path.
# ruff: noqa: PTH109, PTH111, PTH112, PTH113, PTH117, PTH118, PTH119, PTH120, PTH123
"""Finding environments by name or path, and reading what an environment sets.

An environment is any folder with a ``conda-meta/`` folder: made by conda, mamba,
micromamba or pixi alike.
"""

from __future__ import annotations

import os
import sys

from plugin_contract.shell.errors import EnvironmentNotFound, ShellError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

UNSET_SENTINEL = "***unset***"
RESERVED_NAMES = frozenset(
    {"PATH", "CONDA_PREFIX", "CONDA_SHLVL", "CONDA_DEFAULT_ENV", "CONDA_PROMPT_MODIFIER"}
)


def is_env(prefix: str) -> bool:
    return os.path.isdir(os.path.join(prefix, "conda-meta"))


def valid_name(name: str) -> bool:
    """A portable variable name: ASCII letters, digits and ``_``, not starting with a digit."""
    if not name or not name.isascii() or name[0].isdigit():
        return False
    return all(char.isalnum() or char == "_" for char in name)


def is_reserved(name: str) -> bool:
    """Names activation itself manages; an environment may not set them."""
    if name in RESERVED_NAMES or name.startswith("__CONDA_SHELL"):
        return True
    for stem in ("CONDA_PREFIX_", "CONDA_STACKED_"):
        if name.startswith(stem) and name[len(stem) :].isdigit():
            return True
    return False


class EnvLocator:
    """Resolve ``ENV`` (a name or a path) to an absolute prefix."""

    def __init__(self, environ: Mapping[str, str], settings: Mapping[str, object]) -> None:
        self.environ = environ
        self.settings = settings

    @property
    def home(self) -> str:
        return self.environ.get("HOME") or os.path.expanduser("~")

    def root_prefix(self) -> str | None:
        configured = self.settings.get("root_prefix")
        for candidate in (
            self.environ.get("CONDA_ROOT_PREFIX"),
            self.environ.get("MAMBA_ROOT_PREFIX"),
            configured if isinstance(configured, str) else None,
            self.environ.get("_CONDA_ROOT"),
            _root_of_exe(self.environ.get("CONDA_EXE")),
            _conda_install(sys.prefix),
        ):
            if candidate:
                return _absolute(candidate, self.home)
        return None

    def envs_dirs(self) -> list[str]:
        dirs: list[str] = []
        for variable in ("CONDA_ENVS_PATH", "CONDA_ENVS_DIRS"):
            dirs += [d for d in self.environ.get(variable, "").split(os.pathsep) if d]
        configured = self.settings.get("envs_dirs")
        if isinstance(configured, list):
            dirs += configured
        root = self.root_prefix()
        if root:
            dirs.append(os.path.join(root, "envs"))
        dirs.append(os.path.join(self.home, ".conda", "envs"))
        return [_absolute(d, self.home) for d in dirs]

    def registered_prefixes(self) -> list[str]:
        """Prefixes listed in ``~/.conda/environments.txt``."""
        path = os.path.join(self.home, ".conda", "environments.txt")
        try:
            with open(path, encoding="utf-8") as handle:
                return [line.strip() for line in handle if line.strip()]
        except (OSError, UnicodeDecodeError):
            return []

    def resolve(self, env: str) -> str:
        if not env:
            raise ShellError("no environment given: pass a name or a path")
        if env in (".", "..") or "/" in env or env.startswith("~"):
            prefix = _absolute(env, self.home)
            if not is_env(prefix):
                raise EnvironmentNotFound(
                    f"{prefix!r} is not a conda environment (it has no conda-meta/ folder)"
                )
            return check_prefix(prefix)
        if env in ("base", "root"):
            root = self.root_prefix()
            if root and is_env(root):
                return check_prefix(root)
        for folder in self.envs_dirs():
            candidate = os.path.join(folder, env)
            if is_env(candidate):
                return check_prefix(candidate)
        for prefix in self.registered_prefixes():
            if os.path.basename(prefix.rstrip("/")) == env and is_env(prefix):
                return check_prefix(prefix)
        raise EnvironmentNotFound(self._not_found_message(env))

    def known_names(self) -> list[str]:
        names: set[str] = set()
        root = self.root_prefix()
        if root and is_env(root):
            names.add("base")
        for folder in self.envs_dirs():
            try:
                names.update(e.name for e in os.scandir(folder) if is_env(e.path))
            except OSError:
                continue
        names.update(os.path.basename(p.rstrip("/")) for p in self.registered_prefixes())
        return sorted(names)

    def _not_found_message(self, env: str) -> str:
        import difflib

        names = self.known_names()
        close = difflib.get_close_matches(env, names, n=3, cutoff=0.5)
        hint = f"; did you mean {', '.join(repr(n) for n in close)}?" if close else ""
        listing = "" if close else f"; known environments: {', '.join(names) or '(none)'}"
        return (
            f"environment {env!r} not found in {', '.join(self.envs_dirs())} or "
            f"~/.conda/environments.txt{hint}{listing}"
        )


def check_prefix(prefix: str) -> str:
    if ":" in prefix:
        raise ShellError(
            f"prefix {prefix!r} contains ':', which cannot appear in PATH; move or rename it"
        )
    if "\0" in prefix:
        raise ShellError("prefix contains a NUL character")
    return prefix


def _absolute(path: str, home: str) -> str:
    if path == "~" or path.startswith("~/"):
        path = home + path[1:]
    path = os.path.normpath(os.path.join(os.getcwd(), path))
    return path if path == "/" else path.rstrip("/")


def default_env_name(prefix: str, root: str | None) -> str:
    """conda's ``CONDA_DEFAULT_ENV``: ``base``, the name under an ``envs`` folder, or the path."""
    if root and prefix == root:
        return "base"
    parent = os.path.dirname(prefix)
    if os.path.basename(parent) == "envs":
        return os.path.basename(prefix)
    return prefix


def env_vars_of(prefix: str) -> dict[str, str]:
    """Variables the environment sets: ``etc/conda/env_vars.d/*.json`` then ``conda-meta/state``.

    ``***unset***`` means "this environment does not set it" (it overrides env_vars.d).
    Invalid or reserved names are skipped with a warning on stderr.
    """
    sources: list[str] = []
    folder = os.path.join(prefix, "etc", "conda", "env_vars.d")
    try:  # noqa: SIM105 (contextlib is not loaded at start-up under `python -S`)
        sources += sorted(
            e.path for e in os.scandir(folder) if e.name.endswith(".json") and e.is_file()
        )
    except OSError:
        pass
    state = os.path.join(prefix, "conda-meta", "state")
    if os.path.isfile(state):
        sources.append(state)
    found: dict[str, str] = {}
    for source in sources:
        found.update(_read_vars(source, state_file=source == state))
    return {
        name: value
        for name, value in found.items()
        if value != UNSET_SENTINEL and _acceptable(name, prefix)
    }


def _read_vars(path: str, *, state_file: bool) -> dict[str, str]:
    from plugin_contract.shell import jsonlite

    try:
        with open(path, encoding="utf-8") as handle:
            data = jsonlite.loads(handle.read())
    except (OSError, ValueError) as error:
        warn(f"ignoring {path}: not readable JSON ({error})")
        return {}
    if state_file:
        data = data.get("env_vars", {}) if isinstance(data, dict) else {}
    if not isinstance(data, dict):
        warn(f"ignoring {path}: expected a JSON object of variable names to strings")
        return {}
    found = {}
    for name, value in data.items():
        if not isinstance(value, str):
            warn(f"ignoring {name!r} in {path}: its value is not a string")
            continue
        if "\0" in value:
            warn(f"ignoring {name!r} in {path}: its value contains a NUL character")
            continue
        found[str(name)] = value
    return found


def _acceptable(name: str, prefix: str) -> bool:
    if not valid_name(name):
        warn(f"environment {prefix!r} sets {name!r}, which is not a valid variable name: ignored")
        return False
    if is_reserved(name):
        warn(f"environment {prefix!r} sets {name!r}, which activation manages: ignored")
        return False
    return True


def warn(message: str) -> None:
    print(f"conda-shell: warning: {message}", file=sys.stderr)


def scripts_of(prefix: str, kind: str, extension: str) -> list[str]:
    """``etc/conda/{kind}.d/*{extension}`` regular files in code-point order, reversed for
    ``deactivate`` (what activate.d set up last is torn down first)."""
    folder = os.path.join(prefix, "etc", "conda", f"{kind}.d")
    try:
        entries = [e for e in os.scandir(folder) if e.name.endswith(extension) and e.is_file()]
    except OSError:
        return []
    return sorted((e.path for e in entries), reverse=kind == "deactivate")


def _root_of_exe(exe: str | None) -> str | None:
    """conda's root prefix from ``CONDA_EXE`` (``ROOT/bin/conda`` or ``ROOT/condabin/conda``)."""
    if not exe or not os.path.isabs(exe):
        return None
    return _conda_install(os.path.dirname(os.path.dirname(exe)))


def _conda_install(prefix: str) -> str | None:
    """``prefix`` when it is a conda installation: an environment with conda in it."""
    if is_env(prefix) and os.path.isfile(os.path.join(prefix, "bin", "conda")):
        return prefix
    return None
