# os.path on purpose: importing pathlib costs start-up time on the activation hot path.
# ruff: noqa: PTH110, PTH115, PTH119, PTH123
"""Which shell plugin to use: ``--shell``, ``$CONDA_SHELL_PLUGIN``, ``shell_plugin:`` in
``.condarc``, or the parent process (found with psutil, looking past wrappers)."""

from __future__ import annotations

import os

from plugin_contract.shell.errors import ShellError
from plugin_contract.shell.registry import ShellPluginRow, installed_rows

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

WRAPPERS = frozenset(
    {
        "env",
        "sudo",
        "doas",
        "su",
        "nice",
        "nohup",
        "time",
        "timeout",
        "strace",
        "ltrace",
        "uv",
        "uvx",
        "conda",
        "conda-shell",
        "mamba",
        "micromamba",
        "pixi",
        "script",
        "xargs",
        "flock",
        "stdbuf",
    }
)
MAX_PARENTS = 10


class Selection:
    """The chosen plugin, and the shell program (name and path) when known."""

    __slots__ = ("executable", "program", "row")

    def __init__(
        self, row: ShellPluginRow, program: str | None = None, executable: str | None = None
    ) -> None:
        self.row = row
        self.program = program
        self.executable = executable


def select_shell(
    requested: str | None, environ: Mapping[str, str], settings: Mapping[str, object]
) -> Selection:
    rows = installed_rows()
    configured = settings.get("shell_plugin")
    for source, name in (
        ("--shell", requested),
        ("CONDA_SHELL_PLUGIN", environ.get("CONDA_SHELL_PLUGIN")),
        ("shell_plugin in .condarc", configured if isinstance(configured, str) else None),
    ):
        if name:
            return _by_name(name.strip(), rows, source)
    return _detect(rows)


def describe(rows: list[ShellPluginRow]) -> str:
    if not rows:
        return "no shell plugins are installed (pip install shell-posix or shell-fish)"
    listed = ", ".join(f"{r.name} ({', '.join(r.executables)})" for r in rows)
    return f"installed shell plugins: {listed}"


def _by_name(name: str, rows: list[ShellPluginRow], source: str) -> Selection:
    lowered = os.path.basename(name).lower()
    for row in rows:
        if row.name == lowered:
            return Selection(row)
    for row in rows:
        if lowered in row.executables:
            return Selection(row, program=lowered, executable=name if "/" in name else None)
    raise ShellError(f"unknown shell {name!r} (from {source}); {describe(rows)}")


def program_name(name: str) -> str:
    return os.path.basename(name).lstrip("-").lower()


def _detect(rows: list[ShellPluginRow]) -> Selection:
    hint = "pass --shell NAME or set CONDA_SHELL_PLUGIN"
    seen: list[str] = []
    for name, executable in _parents(hint, rows):
        name = program_name(name)
        seen.append(name)
        for row in rows:
            if name in row.executables:
                return Selection(row, program=name, executable=executable)
        if name not in WRAPPERS and not name.startswith("python"):
            break
    found = " -> ".join(seen) or "unknown"
    raise ShellError(
        f"could not tell which shell runs this (parents: {found}); {hint}; {describe(rows)}"
    )


def _parents(hint: str, rows: list[ShellPluginRow]) -> Iterator[tuple[str, str | None]]:
    """``(name, executable)`` of the parent process, its parent, ...: from ``/proc`` where
    it exists (no psutil import on the hot path), else through psutil."""
    if os.path.exists("/proc/self/stat"):
        yield from _proc_parents(os.getppid())
        return
    try:
        import psutil
    except ImportError:
        raise ShellError(
            f"cannot detect your shell without psutil (pip install psutil); {hint}; "
            f"{describe(rows)}"
        ) from None
    try:
        process = psutil.Process(os.getppid())
        for _ in range(MAX_PARENTS):
            yield process.name(), _exe(process)
            parent = process.parent()
            if parent is None:
                return
            process = parent
    except psutil.Error:
        return


def _proc_parents(pid: int) -> Iterator[tuple[str, str | None]]:
    for _ in range(MAX_PARENTS):
        try:
            with open(f"/proc/{pid}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:
            return
        start, end = stat.find(b"("), stat.rfind(b")")
        fields = stat[end + 2 :].split()
        if start < 0 or end < 0 or len(fields) < 2:
            return
        try:
            executable: str | None = os.readlink(f"/proc/{pid}/exe")
        except OSError:
            executable = None
        yield stat[start + 1 : end].decode("utf-8", "surrogateescape"), executable
        pid = int(fields[1])
        if pid <= 0:
            return


def _exe(process: object) -> str | None:
    try:
        exe = process.exe()  # type: ignore[attr-defined]
    except Exception:
        return None
    return str(exe) if exe else None
