"""Conformance kit for shell plugins: a pytest suite run against the real shell binary.

Use it from a plugin's tests::

    import pytest
    from plugin_contract.testing.shell import ShellConformance, shell_under_test

    @pytest.fixture(params=["bash", "dash", "zsh", "ksh"])
    def shell(request):
        return shell_under_test("posix", request.param, install_hint="apt-get install -y ...")

    class TestConformance(ShellConformance):
        pass

Every test starts the real shell with a clean environment (``HOME`` in a temporary folder),
talks to the real ``conda-shell`` program through the plugin's own hook, and compares
environments byte for byte (``env -0``). A missing shell skips locally and fails under
``CI=true``. Every process has a timeout.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest

TIMEOUT = 60
HOSTILE = (
    "sp ace",
    "quo'te",
    'dou"ble',
    "dollar$HOME",
    "back`touch @CANARY@`tick",
    "sub$(touch @CANARY@)shell",
    "back\\slash\\",
    "semi;colon",
    "new\nline",
    "st*ar",
    "-leading",
    "ünïcödé-终过",
    "emoji-🐍🦀",
    "all 'of\" $(touch @CANARY@) `touch @CANARY@` ; \\ * \n them",
)
IGNORED_VARS = frozenset({"_", "SHLVL", "PWD", "OLDPWD"})


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


@dataclass(frozen=True)
class ShellUnderTest:
    """One real shell program served by ``plugin``."""

    plugin: str
    program: str
    executable: str

    @property
    def fish(self) -> bool:
        return self.program == "fish"


def shell_under_test(plugin: str, program: str, *, install_hint: str = "") -> ShellUnderTest:
    """The program on PATH; skip (fail under ``CI=true``) when it is missing."""
    executable = shutil.which(program)
    if executable is None:
        hint = f" (install: {install_hint})" if install_hint else ""
        message = f"shell {program!r} is not installed{hint}"
        if _in_ci():
            pytest.fail(f"{message}; CI must install it", pytrace=False)
        pytest.skip(message)
    return ShellUnderTest(plugin, program, executable)


def conda_shell_program() -> str:
    found = Path(sys.executable).with_name("conda-shell")
    if found.exists():
        return str(found)
    which = shutil.which("conda-shell")
    if which is None:
        pytest.fail("the conda-shell program is not installed (pip install plugin-contract)")
    return which


def read_env(path: Path) -> dict[str, str]:
    """An ``env -0`` dump as a mapping."""
    found = {}
    for item in path.read_bytes().split(b"\0"):
        if item:
            name, _, value = item.decode("utf-8", "surrogateescape").partition("=")
            found[name] = value
    return found


def comparable(environ: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in environ.items() if k not in IGNORED_VARS}


@dataclass
class ShellWorld:
    """A temporary home, environments, and the real shell wired to ``conda-shell``."""

    shell: ShellUnderTest
    root: Path
    canary: Path = field(init=False)
    home: Path = field(init=False)
    hook_file: Path = field(init=False)
    dumps: int = 0

    def __post_init__(self) -> None:
        self.home = self.root / "home"
        self.home.mkdir()
        self.canary = self.root / "canary" / "pwned"
        self.canary.parent.mkdir()
        (self.root / "envs").mkdir()
        ext = "fish" if self.shell.fish else "sh"
        self.hook_file = self.root / f"hook.{ext}"
        proc = subprocess.run(
            [conda_shell_program(), "hook", "--shell", self.shell.plugin],
            capture_output=True,
            text=True,
            env=self.environ(),
            timeout=TIMEOUT,
            check=False,
        )
        assert proc.returncode == 0, proc.stderr
        self.hook_file.write_text(proc.stdout)

    # -- environments ---------------------------------------------------------------------

    def hostile(self, text: str) -> str:
        return text.replace("@CANARY@", str(self.canary))

    def make_env(
        self,
        name: str,
        *,
        env_vars: dict[str, str] | None = None,
        state_vars: dict[str, str] | None = None,
        activate: dict[str, str] | None = None,
        deactivate: dict[str, str] | None = None,
    ) -> Path:
        prefix = self.root / "envs" / name
        (prefix / "conda-meta").mkdir(parents=True)
        (prefix / "bin").mkdir()
        if env_vars is not None:
            folder = prefix / "etc" / "conda" / "env_vars.d"
            folder.mkdir(parents=True)
            (folder / "vars.json").write_text(json.dumps(env_vars), encoding="utf-8")
        if state_vars is not None:
            (prefix / "conda-meta" / "state").write_text(
                json.dumps({"env_vars": state_vars}), encoding="utf-8"
            )
        for kind, scripts in (("activate", activate), ("deactivate", deactivate)):
            folder = prefix / "etc" / "conda" / f"{kind}.d"
            folder.mkdir(parents=True, exist_ok=True)
            for file_name, text in (scripts or {}).items():
                (folder / file_name).write_text(text, encoding="utf-8")
        return prefix

    @property
    def ext(self) -> str:
        return ".fish" if self.shell.fish else ".sh"

    # -- shell code -----------------------------------------------------------------------

    def quote(self, value: str) -> str:
        if self.shell.fish:
            return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
        return "'" + value.replace("'", "'\\''") + "'"

    def step(self, command: str) -> str:
        """A command that must succeed (posix: ``set -eu`` is on; fish: checked)."""
        if self.shell.fish:
            return f"{command}; or exit 99"
        return command

    def activate(self, prefix: Path | str, *flags: str) -> str:
        extra = "".join(f" {flag}" for flag in flags)
        return self.step(f"conda_shell activate{extra} -- {self.quote(str(prefix))}")

    def deactivate(self) -> str:
        return self.step("conda_shell deactivate")

    def dump(self) -> tuple[str, Path]:
        self.dumps += 1
        path = self.root / f"dump-{self.dumps}.env"
        return self.step(f"env -0 > {self.quote(str(path))}"), path

    def append_line(self, text: str, path: Path) -> str:
        return f"printf '%s\\n' {text} >> {self.quote(str(path))}"

    def environ(self, **extra: str) -> dict[str, str]:
        bin_dir = str(Path(conda_shell_program()).parent)
        env = {
            "HOME": str(self.home),
            "PATH": os.pathsep.join([bin_dir, "/usr/local/bin", "/usr/bin", "/bin"]),
            "LANG": "C.UTF-8",
            "LC_ALL": "C.UTF-8",
            "TERM": "dumb",
            "EMPTY_BEFORE": "",
            "KEPT_BEFORE": "original value",
            "ENV": str(self.home / ".shrc"),
            "XDG_CONFIG_HOME": str(self.home / ".config"),
        }
        cache = os.environ.get("PLUGIN_CONTRACT_CACHE_DIR")
        env["PLUGIN_CONTRACT_CACHE_DIR"] = cache or str(self.root / "cache")
        env.update(extra)
        return env

    def run(self, lines: Sequence[str], **extra: str) -> subprocess.CompletedProcess[str]:
        """Run ``lines`` as a script in the shell, with the hook loaded (and set -eu)."""
        script = self.root / f"script{self.ext}"
        source = "source" if self.shell.fish else "."
        header = [] if self.shell.fish else ["set -eu"]
        text = "\n".join([*header, f"{source} {self.quote(str(self.hook_file))}", *lines, ""])
        script.write_text(text, encoding="utf-8")
        argv = [self.shell.executable]
        if self.shell.fish:
            argv.append("--no-config")
        elif self.shell.program == "busybox":
            argv.append("sh")
        return subprocess.run(
            [*argv, str(script)],
            capture_output=True,
            text=True,
            env=self.environ(**extra),
            cwd=self.root,
            timeout=TIMEOUT,
            check=False,
        )

    def spawn(
        self, prefix: Path | str, commands: str, *flags: str, **extra: str
    ) -> subprocess.CompletedProcess[str]:
        """``conda-shell activate`` in spawn mode, commands fed on standard input.

        The plugin is chosen by name (another installed plugin may serve the same program)
        and the program by ``$SHELL``, as for a user whose login shell it is.
        """
        return subprocess.run(
            [
                *(conda_shell_program(), "activate", *flags),
                *("--shell", self.shell.plugin, "--", str(prefix)),
            ],
            input=commands,
            capture_output=True,
            text=True,
            env=self.environ(**{"SHELL": self.shell.executable, **extra}),
            cwd=self.root,
            timeout=TIMEOUT,
            check=False,
        )

    def show_prompt(self) -> str:
        """A command printing the prompt as the shell shows it (expanded)."""
        if self.shell.fish:
            return "fish_prompt"
        if self.shell.program == "bash":
            return "printf '%s' \"${PS1@P}\""
        if self.shell.program == "zsh":
            return 'print -rn -- "${(%)PS1}"'
        return 'eval "printf \'%s\' \\"$PS1\\""'

    def write_rc_prepending(self, folder: str) -> None:
        """Start-up files of every shell that put ``folder`` first on PATH."""
        posix = f'export PATH="{folder}:$PATH"\n'
        for name in (".bashrc", ".zshrc", ".shrc", ".kshrc", ".mkshrc"):
            (self.home / name).write_text(posix)
        fish_dir = self.home / ".config" / "fish"
        fish_dir.mkdir(parents=True, exist_ok=True)
        (fish_dir / "config.fish").write_text(f"set -gx PATH {folder} $PATH\n")


def _ok(proc: subprocess.CompletedProcess[str]) -> None:
    report = f"exit {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    assert proc.returncode == 0, report


class ShellConformance:
    """The suite. Subclass it in a test module that defines a ``shell`` fixture."""

    @pytest.fixture
    def world(self, shell: ShellUnderTest, tmp_path: Path) -> Iterator[ShellWorld]:
        world = ShellWorld(shell, tmp_path)
        yield world
        assert not world.canary.exists(), "a hostile value executed a command"

    def test_round_trip_is_exact(self, world: ShellWorld) -> None:
        prefix = world.make_env(
            "alpha",
            env_vars={"ALPHA_VAR": "from env_vars.d", "KEPT_BEFORE": "overwritten"},
            state_vars={"EMPTY_BEFORE": "now set", "STATE_VAR": "", "ALPHA_VAR": "state wins"},
        )
        before_cmd, before = world.dump()
        during_cmd, during = world.dump()
        after_cmd, after = world.dump()
        _ok(
            world.run(
                [before_cmd, world.activate(prefix), during_cmd, world.deactivate(), after_cmd]
            )
        )
        start, active, end = read_env(before), read_env(during), read_env(after)
        assert comparable(end) == comparable(start)
        assert active["CONDA_PREFIX"] == str(prefix)
        assert active["CONDA_SHLVL"] == "1"
        assert active["CONDA_DEFAULT_ENV"] == "alpha"
        assert active["PATH"].split(":")[0] == str(prefix / "bin")
        assert active["PATH"].split(":")[1:] == start["PATH"].split(":")
        assert active["ALPHA_VAR"] == "state wins"
        assert active["KEPT_BEFORE"] == "overwritten"
        assert active["EMPTY_BEFORE"] == "now set"
        assert active["STATE_VAR"] == ""
        assert end["EMPTY_BEFORE"] == ""
        assert "STATE_VAR" not in end
        assert not [name for name in end if name.startswith(("CONDA_", "__CONDA"))]

    def test_hostile_prefixes_and_values_stay_literal(self, world: ShellWorld) -> None:
        lines: list[str] = []
        checks: list[tuple[Path, Path, dict[str, str]]] = []
        start_cmd, start = world.dump()
        lines.append(start_cmd)
        for index, raw in enumerate(HOSTILE):
            text = world.hostile(raw)
            values = {f"HOSTILE_{index}": text, "MULTI": "line one\nline two\n", "DASH": "-n"}
            prefix = world.make_env(f"{index}-{text}", env_vars=values)
            cmd, dump = world.dump()
            lines += [world.activate(prefix), cmd, world.deactivate()]
            checks.append((prefix, dump, values))
        end_cmd, end = world.dump()
        lines.append(end_cmd)
        _ok(world.run(lines))
        for prefix, dump, values in checks:
            active = read_env(dump)
            assert active["CONDA_PREFIX"] == str(prefix), repr(str(prefix))
            assert active["PATH"].split(":")[0] == str(prefix / "bin")
            for name, value in values.items():
                assert active[name] == value, (name, value)
        assert comparable(read_env(end)) == comparable(read_env(start))

    def test_stacking_three_and_back(self, world: ShellWorld) -> None:
        prefixes = [
            world.make_env(name, env_vars={f"VAR_{name.upper()}": name})
            for name in ("one", "two", "three")
        ]
        lines: list[str] = []
        start_cmd, start = world.dump()
        lines.append(start_cmd)
        dumps = []
        for prefix in prefixes:
            cmd, dump = world.dump()
            lines += [world.activate(prefix, "--stack"), cmd]
            dumps.append(dump)
        back = []
        for _ in prefixes:
            cmd, dump = world.dump()
            lines += [world.deactivate(), cmd]
            back.append(dump)
        _ok(world.run(lines))
        top = read_env(dumps[-1])
        assert top["CONDA_SHLVL"] == "3"
        assert top["CONDA_PREFIX"] == str(prefixes[2])
        assert top["CONDA_PREFIX_1"] == str(prefixes[0])
        assert top["CONDA_PREFIX_2"] == str(prefixes[1])
        assert top["CONDA_STACKED_3"] == "true"
        assert top["PATH"].split(":")[:3] == [str(p / "bin") for p in reversed(prefixes)]
        assert {top[f"VAR_{n}"] for n in ("ONE", "TWO", "THREE")} == {"one", "two", "three"}
        middle = read_env(back[0])
        assert middle["CONDA_SHLVL"] == "2"
        assert middle["CONDA_PREFIX"] == str(prefixes[1])
        assert "VAR_THREE" not in middle
        assert "CONDA_STACKED_3" not in middle
        assert middle["VAR_ONE"] == "one"
        assert comparable(read_env(back[-1])) == comparable(read_env(start))

    def test_switch_unsets_previous_and_deactivates_with_old_prefix(
        self, world: ShellWorld
    ) -> None:
        seen = world.root / "seen.log"
        show = world.append_line('"deactivate:$CONDA_PREFIX"', seen)
        alpha = world.make_env(
            "alpha",
            env_vars={"ONLY_ALPHA": "a", "SHARED": "alpha"},
            deactivate={f"a{world.ext}": show + "\n"},
        )
        beta = world.make_env("beta", env_vars={"SHARED": "beta"})
        start_cmd, start = world.dump()
        in_beta_cmd, in_beta = world.dump()
        back_cmd, back = world.dump()
        end_cmd, end = world.dump()
        _ok(
            world.run(
                [
                    start_cmd,
                    world.activate(alpha),
                    world.activate(beta),
                    in_beta_cmd,
                    world.deactivate(),
                    back_cmd,
                    world.deactivate(),
                    end_cmd,
                ]
            )
        )
        beta_env = read_env(in_beta)
        assert "ONLY_ALPHA" not in beta_env
        assert beta_env["SHARED"] == "beta"
        assert beta_env["CONDA_SHLVL"] == "2"
        assert beta_env["CONDA_PREFIX_1"] == str(alpha)
        assert str(alpha / "bin") not in beta_env["PATH"].split(":")
        assert seen.read_text().splitlines()[0] == f"deactivate:{alpha}"
        alpha_env = read_env(back)
        assert alpha_env["CONDA_PREFIX"] == str(alpha)
        assert alpha_env["ONLY_ALPHA"] == "a"
        assert alpha_env["SHARED"] == "alpha"
        assert alpha_env["PATH"].split(":")[0] == str(alpha / "bin")
        assert comparable(read_env(end)) == comparable(read_env(start))

    def test_same_env_twice_is_a_reactivation(self, world: ShellWorld) -> None:
        log = world.root / "runs.log"
        prefix = world.make_env(
            "same", activate={f"a{world.ext}": world.append_line("activated", log) + "\n"}
        )
        cmd, dump = world.dump()
        _ok(world.run([world.activate(prefix), world.activate(prefix), cmd]))
        active = read_env(dump)
        assert active["CONDA_SHLVL"] == "1"
        assert active["PATH"].split(":").count(str(prefix / "bin")) == 1
        assert log.read_text().splitlines() == ["activated", "activated"]

    def test_reactivate_reruns_scripts_and_rereads_variables(self, world: ShellWorld) -> None:
        log = world.root / "re.log"
        prefix = world.make_env(
            "re",
            state_vars={"RE_VAR": "one"},
            activate={f"a{world.ext}": world.append_line("up", log) + "\n"},
            deactivate={f"a{world.ext}": world.append_line("down", log) + "\n"},
        )
        state = prefix / "conda-meta" / "state"
        rewrite = world.quote(json.dumps({"env_vars": {"RE_VAR": "two"}}))
        start_cmd, start = world.dump()
        cmd, dump = world.dump()
        end_cmd, end = world.dump()
        lines = [
            start_cmd,
            world.activate(prefix),
            world.step(f"printf '%s' {rewrite} > {world.quote(str(state))}"),
            world.step("conda_shell reactivate"),
            cmd,
            world.deactivate(),
            end_cmd,
        ]
        _ok(world.run(lines))
        active = read_env(dump)
        assert active["RE_VAR"] == "two"
        assert active["CONDA_SHLVL"] == "1"
        assert active["PATH"].split(":").count(str(prefix / "bin")) == 1
        assert log.read_text().splitlines() == ["up", "down", "up", "down"]
        assert comparable(read_env(end)) == comparable(read_env(start))

    def test_scripts_run_in_order_and_only_this_shells(self, world: ShellWorld) -> None:
        log = world.root / "order.log"
        other = ".fish" if world.ext == ".sh" else ".sh"
        scripts = {
            f"b{world.ext}": world.append_line("act-b", log) + "\n",
            f"a{world.ext}": world.append_line("act-a", log) + "\n",
            f"c{other}": "exit 3\n",
            "d.txt": "exit 3\n",
        }
        down = {
            f"b{world.ext}": world.append_line("deact-b", log) + "\n",
            f"a{world.ext}": world.append_line("deact-a", log) + "\n",
        }
        prefix = world.make_env("ordered", activate=scripts, deactivate=down)
        (prefix / "etc" / "conda" / "activate.d" / f"z{world.ext}").mkdir()
        _ok(world.run([world.activate(prefix), world.deactivate()]))
        assert log.read_text().splitlines() == ["act-a", "act-b", "deact-b", "deact-a"], (
            log.read_text()
        )

    def test_path_edits_of_activate_scripts_survive(self, world: ShellWorld) -> None:
        if world.shell.fish:
            edit = "set -gx PATH /added/by/script $PATH\n"
        else:
            edit = 'export PATH="/added/by/script:$PATH"\n'
        prefix = world.make_env("edits", activate={f"p{world.ext}": edit})
        other = world.make_env("other")
        after_cmd, after = world.dump()
        stacked_cmd, stacked = world.dump()
        _ok(
            world.run(
                [world.activate(prefix), after_cmd, world.activate(other, "--stack"), stacked_cmd]
            )
        )
        assert read_env(after)["PATH"].split(":")[:2] == ["/added/by/script", str(prefix / "bin")]
        assert "/added/by/script" in read_env(stacked)["PATH"].split(":")

    def test_user_path_changes_after_activation_survive(self, world: ShellWorld) -> None:
        prefix = world.make_env("user")
        if world.shell.fish:
            edit = "set -gx PATH /user/added $PATH"
        else:
            edit = 'export PATH="/user/added:$PATH"'
        start_cmd, start = world.dump()
        end_cmd, end = world.dump()
        _ok(world.run([start_cmd, world.activate(prefix), edit, world.deactivate(), end_cmd]))
        assert read_env(end)["PATH"] == "/user/added:" + read_env(start)["PATH"]

    def test_deactivate_without_environment_is_harmless(self, world: ShellWorld) -> None:
        start_cmd, start = world.dump()
        end_cmd, end = world.dump()
        _ok(world.run([start_cmd, world.deactivate(), world.deactivate(), end_cmd]))
        assert comparable(read_env(end)) == comparable(read_env(start))

    def test_missing_environment_is_one_clear_line(self, world: ShellWorld) -> None:
        world.make_env("present")
        proc = world.run([world.activate("presnet")], CONDA_ENVS_PATH=str(world.root / "envs"))
        assert proc.returncode != 0
        assert "environment 'presnet' not found" in proc.stderr
        assert "'present'" in proc.stderr
        assert "Traceback" not in proc.stderr

    def test_spawn_activates_after_rc_files_and_keeps_exit_code(self, world: ShellWorld) -> None:
        marker = world.root / "deactivated.log"
        show = world.append_line('"exit:$CONDA_PREFIX"', marker)
        prefix = world.make_env(
            "spawned",
            env_vars={"SPAWNED": "yes it's $HOME"},
            deactivate={f"a{world.ext}": show + "\n"},
        )
        world.write_rc_prepending("/from/rc")
        out = world.root / "spawn.env"
        prompt = world.root / "prompt.txt"
        show_prompt = world.show_prompt()
        commands = (
            f"env -0 > {world.quote(str(out))}\n"
            f"{show_prompt} > {world.quote(str(prompt))}\nexit 7\n"
        )
        proc = world.spawn(prefix, commands)
        assert proc.returncode == 7, proc.stderr
        inside = read_env(out)
        path = inside["PATH"].split(":")
        assert path[0] == str(prefix / "bin"), path
        assert "/from/rc" in path
        assert inside["SPAWNED"] == "yes it's $HOME"
        assert inside["CONDA_SHLVL"] == "1"
        assert marker.read_text().splitlines() == [f"exit:{prefix}"]
        assert prompt.read_text().startswith("(spawned) ")

    def test_spawn_inside_spawn_with_stack_nests_and_returns(self, world: ShellWorld) -> None:
        outer = world.make_env("outer")
        inner = world.make_env("inner")
        seen = world.root / "nested.env"
        after = world.root / "after.env"
        program = world.quote(conda_shell_program())
        inner_commands = world.quote(f"env -0 > {world.quote(str(seen))}\nexit 5\n")
        status = "$status" if world.shell.fish else "$?"
        commands = (
            f"printf '%s' {inner_commands} | {program} activate --stack --shell "
            f"{world.quote(world.shell.executable)} -- {world.quote(str(inner))}\n"
            f"echo {status} > {world.quote(str(after))}\n"
            "exit 0\n"
        )
        proc = world.spawn(outer, commands)
        assert proc.returncode == 0, proc.stderr
        nested = read_env(seen)
        assert nested["CONDA_SHLVL"] == "2"
        assert nested["CONDA_PREFIX"] == str(inner)
        assert nested["CONDA_PREFIX_1"] == str(outer)
        assert nested["PATH"].split(":")[:2] == [str(inner / "bin"), str(outer / "bin")]
        assert after.read_text().strip() == "5"

    def test_prompt_shows_a_hostile_name_and_runs_nothing(self, world: ShellWorld) -> None:
        name = world.hostile("p $(touch @CANARY@) `touch @CANARY@` %d \\w")
        prefix = world.make_env(name)
        prompt = world.root / "prompt.txt"
        commands = f"{world.show_prompt()} > {world.quote(str(prompt))}\necho\nexit 0\n"
        proc = world.spawn(prefix, commands)
        assert proc.returncode == 0, proc.stderr
        assert not world.canary.exists(), "the prompt executed a command"
        assert prompt.read_text().startswith(f"({prefix}) ")

    def test_spawn_respects_changeps1_false(self, world: ShellWorld) -> None:
        prefix = world.make_env("quiet")
        prompt = world.root / "prompt.txt"
        show_prompt = world.show_prompt()
        (world.home / ".condarc").write_text("changeps1: false\n")
        proc = world.spawn(prefix, f"{show_prompt} > {world.quote(str(prompt))}\nexit 0\n")
        assert proc.returncode == 0, proc.stderr
        assert "quiet" not in prompt.read_text()

    def test_spawn_inside_spawn_is_refused_without_stack(self, world: ShellWorld) -> None:
        prefix = world.make_env("outer")
        inner = world.make_env("inner")
        out = world.root / "inner.out"
        program = conda_shell_program()
        nested = (
            f"{world.quote(program)} activate --shell {world.quote(world.shell.executable)} "
            f"-- {world.quote(str(inner))} 2> {world.quote(str(out))}\nexit 0\n"
        )
        proc = world.spawn(prefix, nested)
        assert proc.returncode == 0, proc.stderr
        message = out.read_text()
        assert "conda-shell: error:" in message
        assert "--stack" in message
