"""THE YAML loader for configuration files: safe, bounded, strict about duplicates.

On top of PyYAML's safe loader (the C one when available):

- nesting deeper than :data:`MAX_DEPTH` is refused *before* parsing (libyaml's composer
  recurses in C and crashes the process on very deep input);
- aliases may not expand the document beyond :data:`MAX_NODES` nodes (the "billion laughs"
  alias bomb), and an alias may not contain itself;
- a key written twice in one mapping is an error (conda's ruamel.yaml refuses it too);
- every problem is a :class:`YamlError`: one line with the file and line number.

PyYAML is imported only when a document is loaded.
"""

from __future__ import annotations

from typing import Any

from plugin_contract.errors import ConfigError

__all__ = ["MAX_DEPTH", "MAX_NODES", "YamlError", "load"]

MAX_DEPTH = 64
MAX_NODES = 100_000
_PRESCAN_DEPTH = 1000  # an upper bound computed from the text, before libyaml sees it


class YamlError(ConfigError, ValueError):
    """A YAML document that is invalid, too deep, an alias bomb or has a duplicate key."""


def load(text: str, where: str) -> Any:
    """The document in ``text`` (``None`` when empty); ``where`` names it in errors."""
    if _depth_upper_bound(text) > _PRESCAN_DEPTH:
        raise YamlError(f"{where}: nested more than {MAX_DEPTH} levels deep; this is not config")
    import yaml

    loader = _loader_class()(text)
    loader.where = where
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_tree(node, where)
        return loader.construct_document(node)
    except YamlError:
        raise
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(error, "problem", None) or "invalid YAML"
        raise YamlError(f"{where}{line}: not valid YAML ({problem}); fix or remove it") from None
    except RecursionError:
        raise YamlError(f"{where}: nested too deeply; this is not config") from None
    finally:
        loader.dispose()


_LOADER: Any = None


def _loader_class() -> Any:
    global _LOADER
    if _LOADER is None:
        import yaml

        base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

        class StrictLoader(base):  # type: ignore[misc, valid-type]
            def construct_mapping(self, node: Any, deep: bool = False) -> Any:
                _refuse_duplicates(self, node)
                return super().construct_mapping(node, deep=deep)

        _LOADER = StrictLoader
    return _LOADER


def _refuse_duplicates(loader: Any, node: Any) -> None:
    seen: set[object] = set()
    for key_node, _ in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":
            continue
        key = loader.construct_object(key_node, deep=True)
        try:
            duplicate = key in seen
            seen.add(key)
        except TypeError:
            continue  # an unhashable key: PyYAML's own error names it
        if duplicate:
            raise YamlError(
                f"{_where(loader)} at line {key_node.start_mark.line + 1}: the key {key!r} is "
                "written twice in one mapping; keep one"
            )


def _where(loader: Any) -> str:
    return str(getattr(loader, "where", "<yaml>"))


def _check_tree(root: Any, where: str) -> None:
    """Refuse a node graph nested past MAX_DEPTH, expanding past MAX_NODES, or cyclic.

    Walked with an explicit stack (no recursion); sizes and heights are kept per node, so a
    node shared through aliases is counted as often as it is expanded but visited once."""
    import yaml

    sizes: dict[int, int] = {}
    heights: dict[int, int] = {}
    active: set[int] = set()
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        ident = id(node)
        children = _children(node, yaml)
        if done:
            active.discard(ident)
            sizes[ident] = 1 + sum(sizes[id(child)] for child in children)
            heights[ident] = 1 + max((heights[id(child)] for child in children), default=0)
            if sizes[ident] > MAX_NODES:
                raise YamlError(
                    f"{where}: aliases expand to more than {MAX_NODES} values (an alias "
                    "bomb?); write the values out"
                )
            if heights[ident] > MAX_DEPTH:
                raise YamlError(f"{where}: nested more than {MAX_DEPTH} levels deep")
            continue
        if ident in sizes:
            continue
        if ident in active:
            raise YamlError(f"{where}: an alias refers to itself; remove the recursion")
        active.add(ident)
        stack.append((node, True))
        stack.extend((child, False) for child in children if id(child) not in sizes)


def _children(node: Any, yaml: Any) -> list[Any]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _depth_upper_bound(text: str) -> int:
    """A cheap bound on nesting: open flow brackets plus indentation and ``- `` runs."""
    flow = deepest = 0
    for line in text.splitlines():
        stripped = line.lstrip(" ")
        block = len(line) - len(stripped)
        while stripped.startswith(("- ", "? ")):
            block += 1
            stripped = stripped[2:].lstrip(" ")
        opened = stripped.count("[") + stripped.count("{")
        deepest = max(deepest, block + flow + opened)
        flow = max(0, flow + opened - stripped.count("]") - stripped.count("}"))
    return deepest
