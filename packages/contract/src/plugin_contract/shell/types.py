"""Types of the ``conda_shell_plugins`` hook.

This module is on the activation hot path: it imports nothing beyond the standard core that
Python loads at start-up (no ``dataclasses``, no ``typing`` at run time).
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping, Sequence


class SpawnRequest:
    """What a plugin needs to start its shell in spawn mode.

    :param executable: absolute path of the shell program to run.
    :param program: its name as the user knows it (``bash``, ``zsh``, ``fish``, ...).
    :param workdir: a private (0700) folder for start-up shims; the plugin's shim removes it.
    :param activation: shell code that activates the environment, run AFTER the user's
        start-up files.
    :param on_exit: shell code to run when the shell exits (the deactivate.d scripts).
    :param environ: the environment the shell starts with (before activation).
    """

    __slots__ = ("activation", "environ", "executable", "on_exit", "program", "workdir")

    def __init__(
        self,
        *,
        executable: str,
        program: str,
        workdir: str,
        activation: str,
        on_exit: str,
        environ: Mapping[str, str],
    ) -> None:
        self.executable = executable
        self.program = program
        self.workdir = workdir
        self.activation = activation
        self.on_exit = on_exit
        self.environ = environ


class SpawnCommand:
    """How to start the shell: ``argv`` and variables to add (``None`` removes one)."""

    __slots__ = ("argv", "environ_changes")

    def __init__(
        self, argv: Sequence[str], environ_changes: Mapping[str, str | None] | None = None
    ) -> None:
        self.argv = list(argv)
        self.environ_changes = dict(environ_changes or {})


class CondaShellPlugins:
    """The syntax of one shell, as the design's ``conda_shell_plugins`` hook describes it.

    Every value that reaches generated code goes through :attr:`quote` first; templates only
    ever receive a validated variable name and an already-quoted value.

    The design's fields:

    :param name: the plugin name (``posix``, ``fish``); lowercased and stripped.
    :param summary: one line for ``conda-shell shells``.
    :param script_path: where the shell's hook script lives, if any (informational).
    :param pathsep_join: joins a list of *already quoted* path words into the shell's PATH
        value: ``":".join`` for POSIX shells (``'/a':'/b'`` is one word), ``" ".join`` for
        fish (a list).
    :param sep: the path separator inside a single path (``/``).
    :param path_conversion: how a native path becomes the shell's form (identity on POSIX).
    :param script_extension: extension of activate.d/deactivate.d scripts the shell runs.
    :param tempfile_extension: extension of generated start-up files (spawn mode).
    :param command_join: what joins generated commands (``"\\n"``).
    :param run_script_tmpl: how to source one script; ``%s`` receives the *quoted* path.

    The fields a shell needs for safe code:

    :param quote: turns any string into one literal word of the shell: nothing inside is
        expanded, executed or split, whatever it contains.
    :param export_var_tmpl: ``%s`` twice: the name, then the quoted value (exported).
    :param set_var_tmpl: the same for a shell-local variable (used for the prompt).
    :param unset_var_tmpl: ``%s`` once: the name; must succeed when the name is not set.
    :param executables: program names this plugin serves (``bash``, ``dash``, ...), used to
        match the parent process and ``--shell NAME``.
    :param prompt_var: the shell-local prompt variable the activator may edit (``PS1``), or
        ``None`` when the plugin handles the prompt in its hook (fish).
    :param spawn: builds the command line that starts the shell in spawn mode so that the
        user's start-up files run BEFORE the activation code (see :class:`SpawnRequest`).
    :param hook: returns the rc-file snippet (a ``conda-shell`` function) given the quoted
        path of the ``conda-shell`` program.
    :param special_names: variable names the shell gives a meaning of its own or makes
        read-only (zsh ``status``, bash ``SHELLOPTS``); an environment setting one is refused
        with a warning. A name ending in ``*`` is a prefix (fish ``fish_*``).
    :param hook_accepts_command: ``hook`` may receive a whole command (several quoted words)
        instead of one program path. ``conda-shell`` then has the hook call it as
        ``python -I -S -c ...`` with the import path written out, which skips Python's
        ``site`` (about half of the start-up time on every activation).
    """

    __slots__ = (
        "command_join",
        "executables",
        "export_var_tmpl",
        "hook",
        "hook_accepts_command",
        "name",
        "path_conversion",
        "pathsep_join",
        "prompt_var",
        "quote",
        "run_script_tmpl",
        "script_extension",
        "script_path",
        "sep",
        "set_var_tmpl",
        "spawn",
        "special_names",
        "summary",
        "tempfile_extension",
        "unset_var_tmpl",
    )

    def __init__(
        self,
        *,
        name: str,
        summary: str,
        script_path: str | None,
        pathsep_join: Callable[[Sequence[str]], str],
        sep: str,
        path_conversion: Callable[[str], str],
        script_extension: str,
        tempfile_extension: str | None,
        command_join: str,
        run_script_tmpl: str,
        quote: Callable[[str], str],
        export_var_tmpl: str,
        set_var_tmpl: str,
        unset_var_tmpl: str,
        executables: Sequence[str],
        spawn: Callable[[SpawnRequest], SpawnCommand],
        hook: Callable[[str], str],
        prompt_var: str | None = None,
        special_names: Iterable[str] = (),
        hook_accepts_command: bool = False,
    ) -> None:
        self.name = name.strip().lower()
        self.summary = summary
        self.script_path = script_path
        self.pathsep_join = pathsep_join
        self.sep = sep
        self.path_conversion = path_conversion
        self.script_extension = script_extension
        self.tempfile_extension = tempfile_extension
        self.command_join = command_join
        self.run_script_tmpl = run_script_tmpl
        self.quote = quote
        self.export_var_tmpl = export_var_tmpl
        self.set_var_tmpl = set_var_tmpl
        self.unset_var_tmpl = unset_var_tmpl
        self.executables = tuple(executables)
        self.spawn = spawn
        self.hook = hook
        self.prompt_var = prompt_var
        self.special_names = frozenset(special_names)
        self.hook_accepts_command = hook_accepts_command

    def is_special(self, name: str) -> bool:
        """Whether ``name`` is special to this shell (see ``special_names``)."""
        if name in self.special_names:
            return True
        return any(p.endswith("*") and name.startswith(p[:-1]) for p in self.special_names)

    def __repr__(self) -> str:
        return f"CondaShellPlugins(name={self.name!r}, executables={self.executables!r})"
