"""Conformance kit for shell plugins: a pytest suite run against the real shell binary.

Use it from a plugin's tests, with the plugin's
:class:`~plugin_contract.testing.driver.ShellDriver`::

    import pytest
    from plugin_contract.testing.shell import ShellConformance, shell_under_test
    from shell_posix.kit import DRIVER

    @pytest.fixture(params=["bash", "dash", "zsh", "ksh"])
    def shell(request):
        return shell_under_test("posix", request.param, driver=DRIVER, install_hint="...")

    class TestConformance(ShellConformance):
        pass

Every test starts the real shell with a clean environment (``HOME`` in a temporary folder),
talks to the real ``conda-shell`` program through the plugin's own hook, and compares
environments byte for byte (``env -0``). The cases speak no shell: every line of shell code
comes from the driver, so every family runs the same cases. A missing shell skips locally
and fails under ``CI=true``. Every process has a timeout.
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

from plugin_contract.testing.driver import ShellDriver

TIMEOUT = 60
#: Hostile texts used as environment names (so in prefixes) and as values; each is one case.
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
    "bang!x !! !$ y",
    "brace{a,b}~tilde",
    "all 'of\" $(touch @CANARY@) `touch @CANARY@` ; \\ * \n them",
)
#: Extra values set next to each hostile one.
HOSTILE_COMPANIONS = {"MULTI": "line one\nline two\n", "DASH": "-n", "EMPTY_VALUE": ""}
# _AST_FEATURES: ksh93 exports it after running some programs.
IGNORED_VARS = frozenset({"_", "SHLVL", "PWD", "OLDPWD", "_AST_FEATURES"})


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


@dataclass(frozen=True)
class ShellUnderTest:
    """One real shell program served by ``plugin``, driven by ``driver``."""

    plugin: str
    program: str
    executable: str
    driver: ShellDriver


def shell_under_test(
    plugin: str, program: str, *, driver: ShellDriver, install_hint: str = ""
) -> ShellUnderTest:
    """The program on PATH; skip (fail under ``CI=true``) when it is missing."""
    executable = shutil.which(program)
    if executable is None:
        hint = f" (install: {install_hint})" if install_hint else ""
        message = f"shell {program!r} is not installed{hint}"
        if _in_ci():
            pytest.fail(f"{message}; CI must install it", pytrace=False)
        pytest.skip(message)
    return ShellUnderTest(plugin, program, executable, driver)


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


def read_var(path: Path) -> str | None:
    """What ``ShellDriver.print_var`` wrote: the exact value, or ``None`` when unset."""
    text = path.read_bytes().decode("utf-8", "surrogateescape")
    if text == "unset":
        return None
    assert text.startswith("set:"), repr(text)
    return text[4:]


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
        self.hook_file = self.root / f"hook{self.ext}"
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

    @property
    def driver(self) -> ShellDriver:
        return self.shell.driver

    @property
    def ext(self) -> str:
        return self.driver.script_extension

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
        tools: Sequence[str] = (),
    ) -> Path:
        prefix = self.root / "envs" / name
        (prefix / "conda-meta").mkdir(parents=True)
        (prefix / "bin").mkdir()
        for tool in tools:
            program = prefix / "bin" / tool
            program.write_text("#!/bin/sh\nexit 0\n")
            program.chmod(0o755)
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

    # -- shell code, all of it from the driver --------------------------------------------

    def quote(self, value: str | Path) -> str:
        return self.driver.quote(str(value))

    def step(self, command: str) -> str:
        return self.driver.step(command)

    def activate(self, prefix: Path | str, *flags: str) -> str:
        extra = "".join(f" {flag}" for flag in flags)
        return self.step(f"conda_shell activate{extra} -- {self.quote(prefix)}")

    def deactivate(self) -> str:
        return self.step("conda_shell deactivate")

    def reactivate(self) -> str:
        return self.step("conda_shell reactivate")

    def dump(self) -> tuple[str, Path]:
        self.dumps += 1
        path = self.root / f"dump-{self.dumps}.env"
        return self.driver.dump_env(str(path)), path

    def append_line(self, text: str, path: Path) -> str:
        return self.driver.append_text(text, str(path))

    def append_var(self, label: str, name: str, path: Path) -> str:
        return self.driver.append_var(label, name, str(path))

    def script(self, line: str) -> str:
        """The text of an activate.d or deactivate.d script made of ``line``."""
        return line + "\n"

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
        """Run ``lines`` as a script in the shell, with the hook loaded (strict mode on)."""
        script = self.root / f"script{self.ext}"
        driver = self.driver
        text = "\n".join(
            [*driver.header(), driver.source(str(self.hook_file)), *lines, driver.exit_with(0), ""]
        )
        script.write_text(text, encoding="utf-8")
        argv = driver.argv(self.shell.executable, self.shell.program, str(script))
        return subprocess.run(
            argv,
            capture_output=True,
            text=True,
            env=self.environ(**extra),
            cwd=self.root,
            timeout=TIMEOUT,
            check=False,
        )

    def spawn(
        self, prefix: Path | str, lines: Sequence[str] | str, *flags: str, **extra: str
    ) -> subprocess.CompletedProcess[str]:
        """``conda-shell activate`` in spawn mode, ``lines`` fed on standard input.

        ``lines`` is a list of lines, or the standard input's whole text as one string.

        The plugin is chosen by name (another installed plugin may serve the same program)
        and the program by ``$SHELL``, as for a user whose login shell it is.
        """
        argv = [
            *(conda_shell_program(), "activate", "--spawn", *flags),
            *("--shell", self.shell.plugin, "--", str(prefix)),
        ]
        text = lines if isinstance(lines, str) else "".join(line + "\n" for line in lines)
        env = self.environ(
            **{"SHELL": self.shell.executable, **self.driver.spawn_environ(), **extra}
        )
        if self.driver.spawn_needs_tty:
            from plugin_contract.testing.pty_run import run_on_pty

            status, output = run_on_pty(argv, text, env=env, cwd=str(self.root), timeout=TIMEOUT)
            return subprocess.CompletedProcess(argv, status, output, output)
        return subprocess.run(
            argv,
            input=text,
            capture_output=True,
            text=True,
            env=env,
            cwd=self.root,
            timeout=TIMEOUT,
            check=False,
        )

    def show_prompt(self, path: Path) -> str:
        return self.driver.show_prompt(self.shell.program, str(path))

    def write_rc_prepending(self, folder: str) -> None:
        """Start-up files of the shell that put ``folder`` first on PATH."""
        for relative, text in self.driver.rc_files(folder).items():
            target = self.home / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text)


def _ok(proc: subprocess.CompletedProcess[str]) -> None:
    report = f"exit {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    assert proc.returncode == 0, report


def _path(environ: dict[str, str]) -> list[str]:
    return environ["PATH"].split(":")


#: How many ``HOSTILE`` texts each hostile case runs (for reports and closing notes).
HOSTILE_IDS = [f"{index}-{text.split()[0][:12]!r}" for index, text in enumerate(HOSTILE)]


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
        assert _path(active)[0] == str(prefix / "bin")
        assert _path(active)[1:] == _path(start)
        assert active["ALPHA_VAR"] == "state wins"
        assert active["KEPT_BEFORE"] == "overwritten"
        assert active["EMPTY_BEFORE"] == "now set"
        assert active["STATE_VAR"] == ""
        assert end["EMPTY_BEFORE"] == ""
        assert "STATE_VAR" not in end
        assert not [name for name in end if name.startswith(("CONDA_", "__CONDA"))]

    def test_variables_print_exactly_set_empty_or_unset(self, world: ShellWorld) -> None:
        prefix = world.make_env("vars", env_vars={"NOW_EMPTY": "", "NOW_SET": "x y"})
        files = {name: world.root / f"{name}.var" for name in ("empty", "set", "unset", "gone")}
        _ok(
            world.run(
                [
                    world.activate(prefix),
                    world.driver.print_var("NOW_EMPTY", str(files["empty"])),
                    world.driver.print_var("NOW_SET", str(files["set"])),
                    world.driver.print_var("NEVER_SET", str(files["unset"])),
                    world.deactivate(),
                    world.driver.print_var("NOW_SET", str(files["gone"])),
                ]
            )
        )
        assert read_var(files["empty"]) == ""
        assert read_var(files["set"]) == "x y"
        assert read_var(files["unset"]) is None
        assert read_var(files["gone"]) is None

    @pytest.mark.parametrize("hostile", HOSTILE, ids=HOSTILE_IDS)
    def test_hostile_prefix_and_values_stay_literal(self, world: ShellWorld, hostile: str) -> None:
        text = world.hostile(hostile)
        values = {"HOSTILE": text, **HOSTILE_COMPANIONS}
        prefix = world.make_env(f"h-{text}", env_vars=values)
        start_cmd, start = world.dump()
        cmd, dump = world.dump()
        end_cmd, end = world.dump()
        lines = [start_cmd, world.activate(prefix), cmd, world.deactivate(), end_cmd]
        if world.driver.refuses_prefix(str(prefix)):
            proc = world.run([start_cmd, world.activate(prefix), end_cmd])
            assert proc.returncode != 0, proc.stdout
            assert "cannot" in proc.stderr, proc.stderr
            assert "Traceback" not in proc.stderr
            assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
            assert not world.canary.exists()
            return
        proc = world.run(lines)
        _ok(proc)
        active = read_env(dump)
        assert active["CONDA_PREFIX"] == str(prefix), repr(str(prefix))
        assert _path(active)[0] == str(prefix / "bin")
        for name, value in values.items():
            if world.driver.refuses_value(value):
                assert name not in active, (name, active.get(name))
                assert name in proc.stderr, proc.stderr
                assert "cannot" in proc.stderr, proc.stderr
            else:
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
        assert _path(top)[:3] == [str(p / "bin") for p in reversed(prefixes)]
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
        show = world.append_var("deactivate:", "CONDA_PREFIX", seen)
        alpha = world.make_env(
            "alpha",
            env_vars={"ONLY_ALPHA": "a", "SHARED": "alpha"},
            deactivate={f"a{world.ext}": world.script(show)},
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
        assert str(alpha / "bin") not in _path(beta_env)
        assert seen.read_text().splitlines()[0] == f"deactivate:{alpha}"
        alpha_env = read_env(back)
        assert alpha_env["CONDA_PREFIX"] == str(alpha)
        assert alpha_env["ONLY_ALPHA"] == "a"
        assert alpha_env["SHARED"] == "alpha"
        assert _path(alpha_env)[0] == str(alpha / "bin")
        assert comparable(read_env(end)) == comparable(read_env(start))

    def test_same_env_twice_is_a_reactivation(self, world: ShellWorld) -> None:
        log = world.root / "runs.log"
        prefix = world.make_env(
            "same", activate={f"a{world.ext}": world.script(world.append_line("activated", log))}
        )
        cmd, dump = world.dump()
        _ok(world.run([world.activate(prefix), world.activate(prefix), cmd]))
        active = read_env(dump)
        assert active["CONDA_SHLVL"] == "1"
        assert _path(active).count(str(prefix / "bin")) == 1
        assert log.read_text().splitlines() == ["activated", "activated"]

    def test_reactivate_reruns_scripts_and_rereads_variables(self, world: ShellWorld) -> None:
        log = world.root / "re.log"
        prefix = world.make_env(
            "re",
            state_vars={"RE_VAR": "one"},
            activate={f"a{world.ext}": world.script(world.append_line("up", log))},
            deactivate={f"a{world.ext}": world.script(world.append_line("down", log))},
        )
        state = prefix / "conda-meta" / "state"
        start_cmd, start = world.dump()
        cmd, dump = world.dump()
        end_cmd, end = world.dump()

        marker = world.root / "rewrite.json"
        marker.write_text(json.dumps({"env_vars": {"RE_VAR": "two"}}), encoding="utf-8")
        copy = world.driver.record_status(["cp", str(marker), str(state)], "/dev/null", "/dev/null")
        lines = [
            start_cmd,
            world.activate(prefix),
            copy,
            world.reactivate(),
            cmd,
            world.deactivate(),
            end_cmd,
        ]
        _ok(world.run(lines))
        active = read_env(dump)
        assert active["RE_VAR"] == "two"
        assert active["CONDA_SHLVL"] == "1"
        assert _path(active).count(str(prefix / "bin")) == 1
        assert log.read_text().splitlines() == ["up", "down", "up", "down"]
        assert comparable(read_env(end)) == comparable(read_env(start))

    def test_scripts_run_in_order_and_only_this_shells(self, world: ShellWorld) -> None:
        log = world.root / "order.log"
        other = ".fish" if world.ext == ".sh" else ".sh"
        scripts = {
            f"b{world.ext}": world.script(world.append_line("act-b", log)),
            f"a{world.ext}": world.script(world.append_line("act-a", log)),
            f"c{other}": "exit 3\n",
            "d.txt": "exit 3\n",
        }
        down = {
            f"b{world.ext}": world.script(world.append_line("deact-b", log)),
            f"a{world.ext}": world.script(world.append_line("deact-a", log)),
        }
        prefix = world.make_env("ordered", activate=scripts, deactivate=down)
        (prefix / "etc" / "conda" / "activate.d" / f"z{world.ext}").mkdir()
        _ok(world.run([world.activate(prefix), world.deactivate()]))
        assert log.read_text().splitlines() == ["act-a", "act-b", "deact-b", "deact-a"], (
            log.read_text()
        )

    def test_path_edits_of_activate_scripts_survive(self, world: ShellWorld) -> None:
        edit = world.script(world.driver.prepend_path("/added/by/script"))
        prefix = world.make_env("edits", activate={f"p{world.ext}": edit})
        other = world.make_env("other")
        after_cmd, after = world.dump()
        stacked_cmd, stacked = world.dump()
        _ok(
            world.run(
                [world.activate(prefix), after_cmd, world.activate(other, "--stack"), stacked_cmd]
            )
        )
        assert _path(read_env(after))[:2] == ["/added/by/script", str(prefix / "bin")]
        assert "/added/by/script" in _path(read_env(stacked))

    def test_user_path_changes_after_activation_survive(self, world: ShellWorld) -> None:
        prefix = world.make_env("user")
        edit = world.driver.prepend_path("/user/added")
        start_cmd, start = world.dump()
        end_cmd, end = world.dump()
        _ok(world.run([start_cmd, world.activate(prefix), edit, world.deactivate(), end_cmd]))
        assert read_env(end)["PATH"] == "/user/added:" + read_env(start)["PATH"]

    def test_commands_of_the_environment_are_found_then_gone(self, world: ShellWorld) -> None:
        prefix = world.make_env("tools", tools=["kit-tool-17"])
        found = world.root / "found.log"
        exists = world.driver.command_exists("kit-tool-17", str(found))
        _ok(world.run([exists, world.activate(prefix), exists, world.deactivate(), exists]))
        assert found.read_text().split() == ["no", "yes", "no"]

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
        show = world.append_var("exit:", "CONDA_PREFIX", marker)
        prefix = world.make_env(
            "spawned",
            env_vars={"SPAWNED": "yes it's $HOME"},
            deactivate={f"a{world.ext}": world.script(show)},
        )
        world.write_rc_prepending("/from/rc")
        out = world.root / "spawn.env"
        prompt = world.root / "prompt.txt"
        proc = world.spawn(
            prefix,
            [world.driver.dump_env(str(out)), world.show_prompt(prompt), world.driver.exit_with(7)],
        )
        assert proc.returncode == 7, proc.stderr
        inside = read_env(out)
        path = _path(inside)
        assert path[0] == str(prefix / "bin"), path
        assert "/from/rc" in path
        assert inside["SPAWNED"] == "yes it's $HOME"
        assert inside["CONDA_SHLVL"] == "1"
        assert marker.read_text().splitlines() == [f"exit:{prefix}"]
        assert prompt.read_text().startswith("(spawned) ")

    @pytest.mark.parametrize("status", [0, 1, 3, 42])
    def test_spawn_exit_codes_propagate(self, world: ShellWorld, status: int) -> None:
        prefix = world.make_env("codes")
        proc = world.spawn(prefix, [world.driver.exit_with(status)])
        assert proc.returncode == status, proc.stderr

    def test_spawn_inside_spawn_with_stack_nests_and_returns(self, world: ShellWorld) -> None:
        outer = world.make_env("outer")
        inner = world.make_env("inner")
        seen = world.root / "nested.env"
        after = world.root / "after.status"
        feed = world.root / "inner.in"
        feed.write_text(world.driver.dump_env(str(seen)) + "\n" + world.driver.exit_with(5) + "\n")
        argv = [conda_shell_program(), "activate", "--spawn", "--stack", "--shell"]
        argv.append(world.shell.executable)
        nested = world.driver.record_status([*argv, "--", str(inner)], str(feed), str(after))
        proc = world.spawn(outer, [nested, world.driver.exit_with(0)])
        assert proc.returncode == 0, proc.stderr
        nested_env = read_env(seen)
        assert nested_env["CONDA_SHLVL"] == "2"
        assert nested_env["CONDA_PREFIX"] == str(inner)
        assert nested_env["CONDA_PREFIX_1"] == str(outer)
        assert _path(nested_env)[:2] == [str(inner / "bin"), str(outer / "bin")]
        assert after.read_text().strip() == "5"

    def test_prompt_shows_a_hostile_name_and_runs_nothing(self, world: ShellWorld) -> None:
        name = world.hostile("p $(touch @CANARY@) `touch @CANARY@` %d \\w")
        prefix = world.make_env(name)
        prompt = world.root / "prompt.txt"
        proc = world.spawn(prefix, [world.show_prompt(prompt), world.driver.exit_with(0)])
        assert not world.canary.exists(), "the prompt executed a command"
        if world.driver.refuses_prefix(str(prefix)):
            assert proc.returncode != 0, proc.stdout
            assert "cannot" in proc.stderr, proc.stderr
            return
        assert proc.returncode == 0, proc.stderr
        assert prompt.read_text().startswith(f"({prefix}) ")

    def test_spawn_respects_changeps1_false(self, world: ShellWorld) -> None:
        prefix = world.make_env("quiet")
        prompt = world.root / "prompt.txt"
        (world.home / ".condarc").write_text("changeps1: false\n")
        proc = world.spawn(prefix, [world.show_prompt(prompt), world.driver.exit_with(0)])
        assert proc.returncode == 0, proc.stderr
        assert "quiet" not in prompt.read_text()

    def test_spawn_inside_spawn_is_refused_without_stack(self, world: ShellWorld) -> None:
        prefix = world.make_env("outer")
        inner = world.make_env("inner")
        out = world.root / "inner.status"
        argv = [conda_shell_program(), "activate", "--spawn", "--shell", world.shell.executable]
        nested = world.driver.record_status([*argv, "--", str(inner)], "/dev/null", str(out))
        proc = world.spawn(prefix, [nested, world.driver.exit_with(0)], PYTHONUNBUFFERED="1")
        assert proc.returncode == 0, proc.stderr
        assert out.read_text().strip() not in ("", "0")
        assert "conda-shell: error:" in proc.stderr
        assert "--stack" in proc.stderr
