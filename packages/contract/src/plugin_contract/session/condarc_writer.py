"""Add, merge or remove one ``channel_settings`` entry in the user condarc.

The file is parsed with ``ruamel.yaml`` (round trip) only to find where things are; the text
is then spliced, so every byte outside the edited entry stays as written: comments, order,
quoting, indentation, and values such as ``12:30`` or ``1.10``. The edited entry keeps its own
comments and quoting. Every edit is one read-modify-write under the condarc's lock file,
written atomically (a symlinked condarc stays a symlink).

Two top-level ``channel_settings:`` blocks are refused with the lines of both: conda would
silently use one of them, and guessing which one to edit could lose the other.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from plugin_contract.errors import ConfigError
from plugin_contract.session.channels import ChannelPattern
from plugin_contract.session.safe_files import (
    file_lock,
    read_bounded,
    real_path,
    write_atomically,
)

KEY = "channel_settings"
DEFAULT_OFFSET = 2  # `  - channel: ...`, as `conda config` writes lists


@dataclass(frozen=True)
class EntryChange:
    """What :func:`upsert_channel_entry` replaced, to put it back with :func:`undo_change`.

    ``previous``: the entry's text before (``None``: there was no entry); ``created_file``:
    the condarc did not exist before."""

    path: Path
    pattern: ChannelPattern
    alias: str
    previous: str | None
    created_file: bool


def upsert_channel_entry(
    path: Path,
    pattern: ChannelPattern,
    entry: Mapping[str, str],
    alias: str,
    channel_text: str | None = None,
) -> EntryChange:
    """Merge ``entry`` into the entry for ``pattern`` (the last one, which conda uses), or add
    one; other keys of that entry are kept. ``channel_text`` is what to write as ``channel:``
    (default: the pattern as written)."""
    wanted = {"channel": channel_text or pattern.text, **entry}
    with file_lock(path):
        condarc = _Condarc.read(path)
        index = condarc.last_match(pattern, alias)
        if index is None:
            previous = None
            condarc.append_entry(wanted)
        else:
            previous = condarc.entry_text(index)
            condarc.merge_entry(index, wanted)
        condarc.write()
        return EntryChange(path, pattern, alias, previous, created_file=not condarc.existed)


def undo_change(change: EntryChange) -> None:
    """Put back exactly the entry text that was there before (rollback of a failed login)."""
    with file_lock(change.path):
        condarc = _Condarc.read(change.path)
        index = condarc.last_match(change.pattern, change.alias)
        if index is None:
            return
        if change.previous is None:
            condarc.remove_entries([index])
        else:
            condarc.replace_entry(index, change.previous)
        if change.created_file and not condarc.text.strip():
            real_path(change.path).unlink(missing_ok=True)
            return
        condarc.write()


def remove_channel_entry(path: Path, pattern: ChannelPattern, alias: str) -> bool:
    """Remove every entry for ``pattern``; return whether there was one."""
    with file_lock(path):
        condarc = _Condarc.read(path)
        matches = condarc.matches(pattern, alias)
        if not matches:
            return False
        condarc.remove_entries(matches)
        condarc.write()
        return True


def _yaml() -> Any:
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096
    return yaml


def _same_channel(item: Any, pattern: ChannelPattern, alias: str) -> bool:
    if not isinstance(item, Mapping) or not isinstance(item.get("channel"), str):
        return False
    try:
        return ChannelPattern.parse(item["channel"], alias) == pattern
    except ConfigError:
        return False


class _Condarc:
    """The condarc's text and its round-trip parse; edits splice lines of the text."""

    def __init__(self, path: Path, text: str, existed: bool) -> None:
        self.path = path
        self.existed = existed
        self.lines = text.splitlines(keepends=True)
        self.doc: Any = None
        self._parse()

    @property
    def text(self) -> str:
        return "".join(self.lines)

    @classmethod
    def read(cls, path: Path) -> _Condarc:
        data = read_bounded(real_path(path))
        if data is None:
            return cls(path, "", existed=False)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise ConfigError(f"{path} is not UTF-8 text; fix it before logging in") from None
        return cls(path, text, existed=True)

    def write(self) -> None:
        write_atomically(self.path, self.text.encode("utf-8"))

    # -- structure ------------------------------------------------------------------------

    def _parse(self) -> None:
        from ruamel.yaml.error import YAMLError

        yaml = _yaml()
        text = self.text
        try:
            self._refuse_duplicate_blocks(yaml, text)
            doc = yaml.load(text)
        except YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            where = f" (line {mark.line + 1})" if mark is not None else ""
            raise ConfigError(
                f"{self.path}: not valid YAML{where}; fix it before logging in"
            ) from None
        if doc is not None and not isinstance(doc, Mapping):
            raise ConfigError(f"{self.path}: the top level must be a mapping")
        self.doc = doc
        settings = doc.get(KEY) if doc is not None else None
        if settings is not None and not isinstance(settings, list):
            raise ConfigError(f"{self.path}: {KEY} must be a list of entries")

    def _refuse_duplicate_blocks(self, yaml: Any, text: str) -> None:
        from ruamel.yaml.nodes import MappingNode

        node = yaml.compose(text)
        if not isinstance(node, MappingNode):
            return
        lines = [k.start_mark.line + 1 for k, _ in node.value if k.value == KEY]
        if len(lines) > 1:
            shown = ", ".join(str(n) for n in lines)
            raise ConfigError(
                f"{self.path}: {KEY} appears {len(lines)} times (lines {shown}); merge them "
                "into one block, then run the command again (nothing was changed)"
            )

    @property
    def _settings(self) -> list[Any]:
        if self.doc is None:
            return []
        return list(self.doc.get(KEY) or [])

    def matches(self, pattern: ChannelPattern, alias: str) -> list[int]:
        return [i for i, item in enumerate(self._settings) if _same_channel(item, pattern, alias)]

    def last_match(self, pattern: ChannelPattern, alias: str) -> int | None:
        found = self.matches(pattern, alias)
        return found[-1] if found else None

    def _block_style(self) -> bool:
        doc = self.doc
        if doc is None:
            return True
        if doc.fa.flow_style():
            return False
        seq = doc.get(KEY)
        return not (seq and seq.fa.flow_style())

    def _back_over_comments(self, start: int, end: int) -> int:
        """``end`` moved up over blank and comment lines: those introduce what follows."""
        while end > start + 1 and self.lines[end - 1].strip()[:1] in ("", "#"):
            end -= 1
        return end

    def _next_key_line(self) -> int:
        keys = list(self.doc)
        position = keys.index(KEY)
        if position + 1 < len(keys):
            return int(self.doc.lc.key(keys[position + 1])[0])
        return len(self.lines)

    def _block_range(self) -> tuple[int, int]:
        """Lines [start, end) of the ``channel_settings`` block, trailing comments excluded."""
        start = int(self.doc.lc.key(KEY)[0])
        return start, self._back_over_comments(start, self._next_key_line())

    def _item_start(self, index: int) -> int:
        line = int(self.doc[KEY].lc.item(index)[0])
        while line > 0 and not self.lines[line].lstrip().startswith("-"):
            line -= 1
        return line

    def _item_range(self, index: int) -> tuple[int, int]:
        """Lines [start, end) of one entry; comments after it belong to what follows."""
        start = self._item_start(index)
        if index + 1 < len(self.doc[KEY]):
            end = self._item_start(index + 1)
        else:
            end = self._next_key_line()
        return start, self._back_over_comments(start, end)

    def _indent(self) -> tuple[int, int]:
        """(dash offset, content column) of the existing entries, for new text."""
        settings = self.doc.get(KEY) if self.doc is not None else None
        if settings:
            line = self._item_start(0)
            dash = len(self.lines[line]) - len(self.lines[line].lstrip())
            return dash, int(settings.lc.item(0)[1])
        return DEFAULT_OFFSET, DEFAULT_OFFSET + 2

    def _dump_items(self, items: list[Any]) -> str:
        from ruamel.yaml.comments import CommentedMap, CommentedSeq

        offset, column = self._indent()
        yaml = _yaml()
        yaml.indent(mapping=2, sequence=max(column, offset + 2), offset=offset)
        out = io.StringIO()
        yaml.dump(CommentedMap({KEY: CommentedSeq(items)}), out)
        lines = out.getvalue().split("\n", 1)[1].splitlines(keepends=True)
        while lines and lines[-1].strip()[:1] in ("", "#"):
            lines.pop()  # comments after the entry stay where they are in the file
        return "".join(lines)

    # -- edits ----------------------------------------------------------------------------

    def _splice(self, start: int, end: int, text: str) -> None:
        if start > 0 and not self.lines[start - 1].endswith("\n"):
            self.lines[start - 1] += "\n"
        self.lines[start:end] = text.splitlines(keepends=True)
        self._parse()

    def _rewrite_all(self, mutate: Any) -> None:
        """Fallback for flow-style documents: edit the parse and dump the whole file."""
        from ruamel.yaml.comments import CommentedMap

        doc = self.doc if self.doc is not None else CommentedMap()
        mutate(doc)
        if KEY in doc and not doc[KEY]:
            del doc[KEY]
        out = io.StringIO()
        yaml = _yaml()
        yaml.default_flow_style = False
        if hasattr(doc, "fa"):
            doc.fa.set_block_style()
        if KEY in doc and hasattr(doc[KEY], "fa"):
            doc[KEY].fa.set_block_style()
        yaml.dump(doc, out)
        self.lines = out.getvalue().splitlines(keepends=True) if doc else []
        self._parse()

    def entry_text(self, index: int) -> str:
        if not self._block_style():
            return self._dump_items([self.doc[KEY][index]])
        start, end = self._item_range(index)
        return "".join(self.lines[start:end])

    def append_entry(self, wanted: Mapping[str, str]) -> None:
        from ruamel.yaml.comments import CommentedMap

        entry = CommentedMap(wanted)
        if not self._block_style():
            self._rewrite_all(lambda doc: doc.setdefault(KEY, []).append(entry))
            return
        text = self._dump_items([entry])
        if self.doc is None or KEY not in self.doc:
            at = len(self.lines)
            while at > 0 and not self.lines[at - 1].strip():
                at -= 1
            self._splice(at, at, f"{KEY}:\n{text}")
        elif not self.doc[KEY]:
            start, end = self._block_range()
            self._splice(start, end, f"{KEY}:\n{text}")
        else:
            at = self._block_range()[1]
            self._splice(at, at, text)

    def merge_entry(self, index: int, wanted: Mapping[str, str]) -> None:
        item = self.doc[KEY][index]
        changed = {k: v for k, v in wanted.items() if item.get(k) != v}
        if not changed:
            return
        if not self._block_style():
            self._rewrite_all(lambda doc: doc[KEY][index].update(changed))
            return
        for key, value in changed.items():
            if key in item:
                item[key] = value
            else:  # before the last key: comments after the entry stay after it
                item.insert(max(len(item) - 1, 1), key, value)
        start, end = self._item_range(index)
        self._splice(start, end, self._dump_items([item]))

    def replace_entry(self, index: int, text: str) -> None:
        if not self._block_style():
            previous = _yaml().load(f"{KEY}:\n{text}")[KEY][0]
            self._rewrite_all(lambda doc: doc[KEY].__setitem__(index, previous))
            return
        start, end = self._item_range(index)
        self._splice(start, end, text)

    def remove_entries(self, indexes: list[int]) -> None:
        if not self._block_style():
            doomed = set(indexes)

            def drop(doc: Any) -> None:
                doc[KEY] = [item for i, item in enumerate(doc[KEY]) if i not in doomed]

            self._rewrite_all(drop)
            return
        if len(indexes) == len(self.doc[KEY]):
            start, end = self._block_range()
            self._splice(start, end, "")
            return
        for index in sorted(indexes, reverse=True):
            start, end = self._item_range(index)
            self._splice(start, end, "")
