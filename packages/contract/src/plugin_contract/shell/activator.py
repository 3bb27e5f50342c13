# os.path on purpose: importing pathlib costs start-up time on the activation hot path.
# ruff: noqa: PTH112, PTH113, PTH118, PTH119, PTH121
"""``PluginActivator``: what activate, deactivate and reactivate change, for any shell.

The activator simulates the change on a copy of the environment and reports the difference
(:class:`Change`); a shell plugin only supplies syntax. Each activation level ``N`` keeps its
bookkeeping in one exported variable ``__CONDA_SHELL_STATE_N``: the prefix, the PATH entries
it added, the variables it set and the exact previous value (or absence) of each, so that
deactivation restores the environment byte for byte, and entries the user added meanwhile
stay.
"""

from __future__ import annotations

import os

from plugin_contract.shell.envs import (
    default_env_name,
    env_vars_of,
    is_reserved,
    scripts_of,
    warn,
)
from plugin_contract.shell.errors import ShellError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

    from plugin_contract.shell.types import CondaShellPlugins

STATE_PREFIX = "__CONDA_SHELL_STATE_"
PROMPT_REFERENCE = "${CONDA_PROMPT_MODIFIER:-}"
# Forms a shell hook may have rewritten the reference into (zsh with PROMPT_SUBST, busybox).
PROMPT_REFERENCES = (
    PROMPT_REFERENCE,
    "${CONDA_PROMPT_MODIFIER//\\%/%%}",
    "${CONDA_PROMPT_MODIFIER//\\\\/\\\\\\\\}",
)


class Change:
    """What to run in the shell: in order PATH, deactivate.d, unset, set, export, activate.d."""

    __slots__ = ("activate_scripts", "deactivate_scripts", "export", "path", "set", "unset")

    def __init__(self) -> None:
        self.path: list[str] | None = None
        self.deactivate_scripts: list[str] = []
        self.unset: list[str] = []
        self.set: dict[str, str] = {}
        self.export: dict[str, str] = {}
        self.activate_scripts: list[str] = []

    def as_dict(self) -> dict[str, object]:
        return {
            "path": self.path,
            "vars": {"export": self.export, "set": self.set, "unset": self.unset},
            "scripts": {"activate": self.activate_scripts, "deactivate": self.deactivate_scripts},
        }


class LevelState:
    """Bookkeeping of one activation level, stored in ``__CONDA_SHELL_STATE_N``."""

    __slots__ = ("env", "path_added", "prefix", "saved", "stacked")

    def __init__(self, prefix: str, *, stacked: bool = False) -> None:
        self.prefix = prefix
        self.stacked = stacked
        self.path_added: list[str] = []
        self.env: dict[str, str] = {}
        self.saved: dict[str, str | None] = {}

    def encode(self) -> str:
        items = [("prefix", self.prefix), ("stacked", "1" if self.stacked else "")]
        items += [("path", entry) for entry in self.path_added]
        items += [(f"env:{name}", value) for name, value in self.env.items()]
        for name, old in self.saved.items():
            items.append((f"saved:{name}", old) if old is not None else (f"absent:{name}", ""))
        return ";".join(f"{_escape(key)}={_escape(value)}" for key, value in items)

    @classmethod
    def decode(cls, text: str) -> LevelState:
        state = cls("")
        for item in text.split(";"):
            raw_key, _, raw_value = item.partition("=")
            key, value = _unescape(raw_key), _unescape(raw_value)
            kind, _, name = key.partition(":")
            if kind == "prefix":
                state.prefix = value
            elif kind == "stacked":
                state.stacked = bool(value)
            elif kind == "path":
                state.path_added.append(value)
            elif kind == "env":
                state.env[name] = value
            elif kind == "saved":
                state.saved[name] = value
            elif kind == "absent":
                state.saved[name] = None
        if not state.prefix:
            raise ShellError(f"damaged activation state {text[:60]!r}: start a new shell")
        return state


def _escape(text: str) -> str:
    return text.replace("%", "%25").replace(";", "%3B").replace("=", "%3D")


def _unescape(text: str) -> str:
    return text.replace("%3D", "=").replace("%3B", ";").replace("%25", "%")


class PluginActivator:
    """Compute activation changes for ``plugin`` from the current ``environ``.

    :param changeps1: whether the prompt shows the environment (``CONDA_PROMPT_MODIFIER``).
    :param root_prefix: the base environment, named ``base`` in the prompt.
    """

    def __init__(
        self,
        plugin: CondaShellPlugins,
        environ: Mapping[str, str],
        *,
        changeps1: bool = True,
        root_prefix: str | None = None,
        env_prompt: str = "({default_env}) ",
        auto_stack: int = 0,
        uppercase: bool = True,
    ) -> None:
        self.plugin = plugin
        self.before = dict(environ)
        self.changeps1 = changeps1
        self.root_prefix = root_prefix
        self.env_prompt = env_prompt
        self.auto_stack = auto_stack
        self.uppercase = uppercase

    @property
    def level(self) -> int:
        raw = self.before.get("CONDA_SHLVL", "0").strip() or "0"
        return int(raw) if raw.isdigit() else 0

    def activate(self, prefix: str, *, stack: bool | None = False) -> Change:
        """Activate ``prefix``; ``stack=None`` follows conda's ``auto_stack``."""
        env = self._current()
        level = self.level
        if stack is None:
            stack = 0 < level <= self.auto_stack
        current = env.get("CONDA_PREFIX") if level else None
        if current is not None and _same(current, prefix):
            return self.reactivate()
        deactivate_scripts: list[str] = []
        stacked = stack and level > 0
        if level and not stacked:
            old = self._state(env, level)
            deactivate_scripts = self._scripts(old.prefix, "deactivate")
            _withdraw(env, old, bookkeeping=False)
        new_level = level + 1
        state = LevelState(prefix, stacked=stacked)
        bookkeeping = {
            "CONDA_PREFIX": prefix,
            "CONDA_SHLVL": str(new_level),
            "CONDA_DEFAULT_ENV": default_env_name(prefix, self.root_prefix),
            "CONDA_PROMPT_MODIFIER": self._modifier(prefix),
        }
        if level and current is not None:
            bookkeeping[f"CONDA_PREFIX_{level}"] = current
        if stacked:
            bookkeeping[f"CONDA_STACKED_{new_level}"] = "true"
        for name, value in self._meta_vars().items():
            bookkeeping.setdefault(name, env.get(name) or value)
        for name, value in bookkeeping.items():
            state.saved[name] = env.get(name)
            env[name] = value
        _apply(env, state, self._path_dirs(prefix, env), self._env_vars(prefix))
        env[f"{STATE_PREFIX}{new_level}"] = state.encode()
        return self._diff(env, deactivate_scripts, self._scripts(prefix, "activate"))

    def deactivate(self) -> Change:
        env = self._current()
        level = self.level
        if level == 0 or "CONDA_PREFIX" not in env:
            return self._diff(env, [], [])
        state = self._state(env, level)
        deactivate_scripts = self._scripts(state.prefix, "deactivate")
        _withdraw(env, state)
        env.pop(f"{STATE_PREFIX}{level}", None)
        activate_scripts: list[str] = []
        if level > 1:
            # Back to the level below, as conda does: its bin folders and variables (unless
            # they stayed underneath a stacked level), and its activate.d scripts again.
            previous = self._state(self.before, level - 1)
            if not state.stacked:
                _apply(env, previous, self._path_dirs(previous.prefix, env), previous.env)
                if f"{STATE_PREFIX}{level - 1}" in env:
                    env[f"{STATE_PREFIX}{level - 1}"] = previous.encode()
            activate_scripts = self._scripts(previous.prefix, "activate")
        return self._diff(env, deactivate_scripts, activate_scripts)

    def reactivate(self) -> Change:
        """Run the current environment's deactivate.d then activate.d; re-read its variables."""
        env = self._current()
        level = self.level
        if level == 0 or "CONDA_PREFIX" not in env:
            return self._diff(env, [], [])
        state = self._state(env, level)
        bookkeeping = {
            name: value for name, value in state.saved.items() if not _is_env_var(name, state)
        }
        _withdraw(env, state, bookkeeping=False)
        fresh = LevelState(state.prefix, stacked=state.stacked)
        fresh.saved.update(bookkeeping)
        env["CONDA_PROMPT_MODIFIER"] = self._modifier(state.prefix)
        _apply(env, fresh, self._path_dirs(state.prefix, env), self._env_vars(state.prefix))
        env[f"{STATE_PREFIX}{level}"] = fresh.encode()
        change = self._diff(
            env,
            self._scripts(state.prefix, "deactivate"),
            self._scripts(state.prefix, "activate"),
        )
        if change.path is None:
            change.path = _split_path(env.get("PATH"))
        return change

    def _current(self) -> dict[str, str]:
        """The environment without stale bookkeeping of ours.

        conda's own deactivate does not know ``__CONDA_SHELL_STATE_N``: a level above
        ``CONDA_SHLVL``, or one whose prefix is no longer that level's, is dropped.
        """
        env = dict(self.before)
        for name in [n for n in env if n.startswith(STATE_PREFIX)]:
            level = name[len(STATE_PREFIX) :]
            if not level.isdigit() or self._own_state(env, int(level)) is None:
                env.pop(name)
        return env

    def _level_prefix(self, env: Mapping[str, str], level: int) -> str | None:
        if level == self.level:
            return env.get("CONDA_PREFIX")
        return env.get(f"CONDA_PREFIX_{level}") if 0 < level < self.level else None

    def _own_state(self, env: Mapping[str, str], level: int) -> LevelState | None:
        encoded = env.get(f"{STATE_PREFIX}{level}")
        expected = self._level_prefix(env, level)
        if encoded is None or expected is None:
            return None
        try:
            state = LevelState.decode(encoded)
        except ShellError:
            return None
        return state if _same(state.prefix, expected) else None

    def _state(self, env: Mapping[str, str], level: int) -> LevelState:
        own = self._own_state(env, level)
        if own is not None:
            return own
        # Activated by another tool (conda itself): undo it as conda's deactivate would.
        prefix = self._level_prefix(env, level)
        if not prefix:
            raise ShellError(
                f"CONDA_SHLVL is {self.level} but the environment of level {level} is unknown; "
                "start a new shell"
            )
        state = LevelState(prefix, stacked=env.get(f"CONDA_STACKED_{level}") == "true")
        path = _split_path(env.get("PATH"))
        state.path_added = [d for d in self._bin_dirs(prefix) if d in path]
        found = env_vars_of(prefix)
        state.env = {k: v for k, v in found.items() if not self.plugin.is_special(k)}
        # conda backs up what a level overwrote as __CONDA_SHLVL_{level-1}_{NAME}.
        state.saved = {name: env.get(f"__CONDA_SHLVL_{level - 1}_{name}") for name in state.env}
        below = self._level_prefix(env, level - 1) if level > 1 else None
        state.saved["CONDA_SHLVL"] = str(level - 1)
        state.saved[f"CONDA_STACKED_{level}"] = None
        if below:
            state.saved["CONDA_PREFIX"] = below
            state.saved[f"CONDA_PREFIX_{level - 1}"] = None
            state.saved["CONDA_DEFAULT_ENV"] = default_env_name(below, self.root_prefix)
            state.saved["CONDA_PROMPT_MODIFIER"] = self._modifier(below)
        else:
            for name in ("CONDA_PREFIX", "CONDA_DEFAULT_ENV", "CONDA_PROMPT_MODIFIER"):
                state.saved[name] = None
        return state

    def _env_vars(self, prefix: str) -> dict[str, str]:
        """The environment's variables, minus names special to this shell (one warning each)."""
        found = env_vars_of(prefix)
        for name in [n for n in found if self.plugin.is_special(n)]:
            del found[name]
            warn(
                f"environment {prefix!r} sets {name!r}, which {self.plugin.name} shells "
                "reserve for themselves: ignored"
            )
        if self.uppercase:  # conda's envvars_force_uppercase (on by default)
            upper = {name.upper(): value for name, value in found.items()}
            for name in [n for n in upper if is_reserved(n) or self.plugin.is_special(n)]:
                del upper[name]
                warn(
                    f"environment {prefix!r} sets {name!r} (uppercased), which is managed: ignored"
                )
            found = upper
        return found

    def _bin_dirs(self, prefix: str) -> list[str]:
        return [self.plugin.path_conversion(os.path.join(prefix, "bin"))]

    def _conda_root(self) -> str | None:
        """The root prefix when it is a conda installation (it has ``bin/conda``)."""
        root = self.root_prefix
        if root and os.path.isfile(os.path.join(root, "bin", "conda")):
            return root
        return None

    def _path_dirs(self, prefix: str, env: Mapping[str, str]) -> list[str]:
        """The prefix's bin folders, and conda's ``condabin`` when PATH lacks it (as conda)."""
        dirs = self._bin_dirs(prefix)
        root = self._conda_root()
        if root:
            condabin = self.plugin.path_conversion(os.path.join(root, "condabin"))
            if os.path.isdir(condabin) and condabin not in _split_path(env.get("PATH")):
                dirs.append(condabin)
        return dirs

    def _meta_vars(self) -> dict[str, str]:
        """conda's ``CONDA_EXE``, ``_CONDA_EXE``, ``CONDA_PYTHON_EXE``, ``_CONDA_ROOT``."""
        root = self._conda_root()
        if root is None:
            return {}
        exe = os.path.join(root, "bin", "conda")
        return {
            "CONDA_EXE": exe,
            "_CONDA_EXE": exe,
            "CONDA_PYTHON_EXE": os.path.join(root, "bin", "python"),
            "_CONDA_ROOT": root,
        }

    def _scripts(self, prefix: str, kind: str) -> list[str]:
        convert = self.plugin.path_conversion
        return [convert(p) for p in scripts_of(prefix, kind, self.plugin.script_extension)]

    def _modifier(self, prefix: str) -> str:
        if not self.changeps1:
            return ""
        name = default_env_name(prefix, self.root_prefix)
        text = self.env_prompt.replace("{default_env}", name).replace("{stacked_env}", name)
        return text.replace("{prefix}", prefix).replace("{name}", os.path.basename(prefix))

    def _diff(
        self, env: dict[str, str], deactivate_scripts: list[str], activate_scripts: list[str]
    ) -> Change:
        change = Change()
        before = self.before
        if env.get("PATH") != before.get("PATH"):
            change.path = _split_path(env.get("PATH"))
        change.unset = sorted(name for name in before if name not in env)
        change.export = {
            name: value
            for name, value in sorted(env.items())
            if name != "PATH" and before.get(name) != value
        }
        prompt_var = self.plugin.prompt_var
        if prompt_var and prompt_var in before and self.changeps1:
            change.set[prompt_var] = _prompt(
                before[prompt_var],
                before.get("CONDA_PROMPT_MODIFIER", ""),
                env.get("CONDA_PROMPT_MODIFIER", ""),
            )
        change.deactivate_scripts = deactivate_scripts
        change.activate_scripts = activate_scripts
        return change


def _prompt(prompt: str, old: str, new: str) -> str:
    """The prompt with a reference to ``CONDA_PROMPT_MODIFIER`` in front, never its text.

    Shells expand ``$(...)`` and backticks written into a prompt each time they show it; the
    value of a referenced variable is inserted as it is. A previous modifier (the reference
    in any form a hook rewrote it into, or text a hook wrote: for zsh with ``%`` doubled, for
    bash with ``promptvars`` off with ``\\`` doubled) is taken out first.
    """
    texts = (old, old.replace("%", "%%"), old.replace("\\", "\\\\"))
    for stale in (*PROMPT_REFERENCES, *texts):
        if stale and prompt.startswith(stale):
            prompt = prompt[len(stale) :]
            break
    return PROMPT_REFERENCE + prompt if new else prompt


def _is_env_var(name: str, state: LevelState) -> bool:
    return name in state.env


def _same(left: str, right: str) -> bool:
    if left.rstrip("/") == right.rstrip("/"):
        return True
    try:
        return os.path.samefile(left, right)
    except OSError:
        return False


def _split_path(value: str | None) -> list[str]:
    return value.split(":") if value else []


def _withdraw(env: dict[str, str], state: LevelState, *, bookkeeping: bool = True) -> None:
    """Take one level's PATH entries out and put the variables it changed back.

    Without ``bookkeeping`` only the environment's own variables are restored, not
    ``CONDA_PREFIX`` and friends (a switch or a reactivation keeps the level).
    """
    entries = _split_path(env.get("PATH"))
    for added in state.path_added:
        if added in entries:
            entries.remove(added)
    if "PATH" in env:
        env["PATH"] = ":".join(entries)
    for name, old in state.saved.items():
        if not bookkeeping and name not in state.env:
            continue
        if old is None:
            env.pop(name, None)
        else:
            env[name] = old


def _apply(
    env: dict[str, str], state: LevelState, bin_dirs: list[str], env_vars: Mapping[str, str]
) -> None:
    """Prepend the prefix's bin folders and set its variables, saving what was there."""
    entries = _split_path(env.get("PATH"))
    state.path_added = list(bin_dirs)
    env["PATH"] = ":".join([*bin_dirs, *entries])
    state.env = dict(env_vars)
    for name, value in env_vars.items():
        if name not in state.saved:
            state.saved[name] = env.get(name)
        env[name] = value
