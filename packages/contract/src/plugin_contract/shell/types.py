"""Types of the ``conda_shell_plugins`` hook."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class CondaShellPlugins:
    """The syntax of one shell, as the design's ``conda_shell_plugins`` hook describes it.

    :param name: the plugin name (``posix``, ``fish``); lowercased and stripped.
    :param summary: one line for ``conda-shell shells``.
    :param script_path: where the shell's hook script lives, if any.
    :param pathsep_join: how a list of paths becomes one PATH value.
    :param sep: the path separator inside a single path.
    :param path_conversion: how a native path becomes the shell's form.
    :param script_extension: extension of activate.d/deactivate.d scripts the shell runs.
    :param tempfile_extension: extension for generated temporary scripts, if any.
    :param command_join: what joins generated commands.
    :param run_script_tmpl: how to source one script, with ``%s`` for its quoted path.
    """

    name: str
    summary: str
    script_path: str | None
    pathsep_join: Callable[[list[str]], str]
    sep: str
    path_conversion: Callable[[str], str]
    script_extension: str
    tempfile_extension: str | None
    command_join: str
    run_script_tmpl: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", self.name.strip().lower())
