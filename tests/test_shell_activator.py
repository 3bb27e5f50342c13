"""PluginActivator logic, pure: environments in, the change out (real shells: the kit)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from shell_posix.syntax import POSIX

from plugin_contract.shell.activator import STATE_PREFIX, Change, LevelState, PluginActivator
from plugin_contract.shell.condarc import _parse, as_bool
from plugin_contract.shell.envs import EnvLocator, env_vars_of, scripts_of
from plugin_contract.shell.errors import EnvironmentNotFound, ShellError
from plugin_contract.shell.render import render


def make_env(root: Path, name: str) -> Path:
    prefix = root / name
    (prefix / "conda-meta").mkdir(parents=True)
    return prefix


def applied(before: dict[str, str], change: Change) -> dict[str, str]:
    after = dict(before)
    for name in change.unset:
        after.pop(name, None)
    after.update(change.export)
    if change.path is not None:
        after["PATH"] = ":".join(change.path)
    return after


BASE = {"PATH": "/usr/bin:/bin", "HOME": "/home/u", "KEEP": "", "OVER": "old"}


def test_round_trip_restores_exactly_including_empty_values(tmp_path: Path) -> None:
    prefix = make_env(tmp_path, "alpha")
    (prefix / "conda-meta" / "state").write_text(
        json.dumps({"env_vars": {"KEEP": "set", "OVER": "new", "FRESH": ""}})
    )
    active = applied(BASE, PluginActivator(POSIX, BASE).activate(str(prefix)))
    assert active["KEEP"] == "set"
    assert active["FRESH"] == ""
    assert active["PATH"] == f"{prefix}/bin:/usr/bin:/bin"
    assert active["CONDA_SHLVL"] == "1"
    back = applied(active, PluginActivator(POSIX, active).deactivate())
    assert back == BASE


def test_state_encoding_survives_separators_in_values() -> None:
    state = LevelState("/p;a=t%h%3B")
    state.env = {"A": "x;y=z%25%3D"}
    state.saved = {"A": None, "B": "%3B;="}
    state.path_added = ["/p;a=t%h%3B/bin"]
    decoded = LevelState.decode(state.encode())
    assert (decoded.prefix, decoded.env, decoded.saved, decoded.path_added) == (
        state.prefix,
        state.env,
        state.saved,
        state.path_added,
    )


def test_damaged_state_is_a_clear_error() -> None:
    with pytest.raises(ShellError, match="damaged activation state"):
        LevelState.decode("garbage")


def test_prefix_already_on_path_keeps_the_system_entry(tmp_path: Path) -> None:
    prefix = make_env(tmp_path, "usr")
    before = {"PATH": f"/bin:{prefix}/bin:/sbin"}
    active = applied(before, PluginActivator(POSIX, before).activate(str(prefix)))
    assert active["PATH"] == f"{prefix}/bin:/bin:{prefix}/bin:/sbin"
    back = applied(active, PluginActivator(POSIX, active).deactivate())
    assert back == before


def test_prompt_refers_to_the_modifier_and_respects_changeps1(tmp_path: Path) -> None:
    one, two = make_env(tmp_path, "one"), make_env(tmp_path, "two")
    before = {"PATH": "/bin", "PS1": "$ "}
    change = PluginActivator(POSIX, before).activate(str(one))
    # A reference, not the text: shells run $(...) written into a prompt at every prompt.
    assert change.set["PS1"] == "${CONDA_PROMPT_MODIFIER:-}$ "
    assert change.export["CONDA_PROMPT_MODIFIER"] == f"({one}) "
    active = applied(before, change) | {"PS1": change.set["PS1"]}
    second = PluginActivator(POSIX, active).activate(str(two))
    assert second.set["PS1"] == "${CONDA_PROMPT_MODIFIER:-}$ "
    back = PluginActivator(POSIX, active).deactivate()
    assert back.set["PS1"] == "$ "
    zsh_literal = active | {"PS1": f"({one}) $ ".replace("%", "%%")}
    assert PluginActivator(POSIX, zsh_literal).deactivate().set["PS1"] == "$ "
    quiet = PluginActivator(POSIX, before, changeps1=False).activate(str(one))
    assert quiet.export["CONDA_PROMPT_MODIFIER"] == ""
    assert "PS1" not in quiet.set


def test_default_env_name_base_envs_and_path(tmp_path: Path) -> None:
    root = make_env(tmp_path, "root")
    named = make_env(root / "envs", "named")
    other = make_env(tmp_path, "elsewhere")
    for prefix, expected in ((root, "base"), (named, "named"), (other, str(other))):
        change = PluginActivator(POSIX, BASE, root_prefix=str(root)).activate(str(prefix))
        assert change.export["CONDA_DEFAULT_ENV"] == expected


def test_env_vars_sentinel_reserved_and_invalid_names(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    prefix = make_env(tmp_path, "vars")
    folder = prefix / "etc" / "conda" / "env_vars.d"
    folder.mkdir(parents=True)
    (folder / "a.json").write_text(
        json.dumps({"DROPPED": "1", "PATH": "/evil", "BAD-NAME": "x", "OK": "a"})
    )
    (folder / "b.json").write_text(json.dumps({"OK": "b", "CONDA_PREFIX_1": "x"}))
    (prefix / "conda-meta" / "state").write_text(
        json.dumps({"env_vars": {"DROPPED": "***unset***"}})
    )
    assert env_vars_of(str(prefix)) == {"OK": "b"}
    warnings = capsys.readouterr().err
    assert "'PATH'" in warnings
    assert "'BAD-NAME'" in warnings
    assert "'CONDA_PREFIX_1'" in warnings


def test_broken_env_vars_file_is_a_warning_not_a_crash(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    prefix = make_env(tmp_path, "broken")
    folder = prefix / "etc" / "conda" / "env_vars.d"
    folder.mkdir(parents=True)
    (folder / "a.json").write_text("{not json")
    assert env_vars_of(str(prefix)) == {}
    assert "not readable JSON" in capsys.readouterr().err


def test_scripts_lexical_then_reversed(tmp_path: Path) -> None:
    prefix = make_env(tmp_path, "scripts")
    folder = prefix / "etc" / "conda" / "deactivate.d"
    folder.mkdir(parents=True)
    for name in ("b.sh", "a.sh", "B.sh", "c.fish"):
        (folder / name).write_text("")
    (folder / "dir.sh").mkdir()
    assert [Path(p).name for p in scripts_of(str(prefix), "deactivate", ".sh")] == [
        "b.sh",
        "a.sh",
        "B.sh",
    ]


def test_render_order_and_quoting(tmp_path: Path) -> None:
    change = Change()
    change.path = ["/a'b", "/c"]
    change.deactivate_scripts = ["/d$(x).sh"]
    change.unset = ["GONE"]
    change.set = {"PS1": "$ "}
    change.export = {"NEW": "it's"}
    change.activate_scripts = ["/act.sh"]
    assert render(change, POSIX).splitlines() == [
        "export PATH='/a'\\''b':'/c'",
        ". '/d$(x).sh'",
        "unset GONE",
        "PS1='$ '",
        "export NEW='it'\\''s'",
        ". '/act.sh'",
    ]
    change.export = {"BAD NAME": "x"}
    with pytest.raises(ShellError, match="variable name"):
        render(change, POSIX)


def test_names_resolve_through_envs_dirs_environments_txt_and_base(tmp_path: Path) -> None:
    root = make_env(tmp_path, "root")
    in_dir = make_env(tmp_path / "dirs", "fromdir")
    listed = make_env(tmp_path / "elsewhere", "listed")
    home = tmp_path / "home"
    (home / ".conda").mkdir(parents=True)
    (home / ".conda" / "environments.txt").write_text(f"{listed}\n/gone/env\n")
    environ = {"HOME": str(home), "CONDA_ENVS_PATH": str(tmp_path / "dirs")}
    locator = EnvLocator(environ, {"root_prefix": str(root)})
    assert locator.resolve("fromdir") == str(in_dir)
    assert locator.resolve("listed") == str(listed)
    assert locator.resolve("base") == str(root)
    assert locator.resolve(str(listed) + "/") == str(listed)
    with pytest.raises(EnvironmentNotFound, match=r"did you mean 'fromdir'"):
        locator.resolve("fromdri")
    with pytest.raises(EnvironmentNotFound, match="no conda-meta"):
        locator.resolve(str(tmp_path))


def test_prefix_with_colon_is_refused(tmp_path: Path) -> None:
    prefix = make_env(tmp_path, "a:b")
    with pytest.raises(ShellError, match="':'"):
        EnvLocator({"HOME": str(tmp_path)}, {}).resolve(str(prefix))


def test_condarc_subset() -> None:
    parsed = _parse(
        "# comment\nchangeps1: false\nenvs_dirs:\n  - /a  # note\n  - '/b c'\n"
        'channels:\n  - x\nshell_plugin: "fish"\n'
    )
    assert parsed == {"changeps1": "false", "envs_dirs": ["/a", "/b c"], "shell_plugin": "fish"}
    assert as_bool(parsed["changeps1"], True) is False
    assert as_bool(None, True) is True


def test_condarc_flow_list_without_pyyaml() -> None:
    """conda's own Python has no PyYAML: the small parser reads `envs_dirs: [a, b]` too."""
    from plugin_contract.condarc import _parse_simple

    parsed = _parse_simple("envs_dirs: [/a, '/b c']\nchannels: []\nchangeps1: false\n")
    assert parsed == {"envs_dirs": ["/a", "/b c"], "channels": [], "changeps1": "false"}


def test_state_variable_is_named_by_level(tmp_path: Path) -> None:
    prefix = make_env(tmp_path, "lvl")
    change = PluginActivator(POSIX, BASE).activate(str(prefix))
    assert f"{STATE_PREFIX}1" in change.export


def test_conda_meta_variables_and_condabin_are_set_and_restored(tmp_path: Path) -> None:
    root = make_env(tmp_path, "conda")
    (root / "bin").mkdir()
    (root / "bin" / "conda").touch()
    (root / "condabin").mkdir()
    prefix = make_env(tmp_path, "alpha")
    activator = PluginActivator(POSIX, BASE, root_prefix=str(root))
    active = applied(BASE, activator.activate(str(prefix)))
    assert active["CONDA_EXE"] == active["_CONDA_EXE"] == str(root / "bin" / "conda")
    assert active["_CONDA_ROOT"] == str(root)
    assert active["PATH"] == f"{prefix}/bin:{root}/condabin:/usr/bin:/bin"
    switched = applied(
        active,
        PluginActivator(POSIX, active, root_prefix=str(root)).activate(
            str(make_env(tmp_path, "beta"))
        ),
    )
    assert switched["PATH"] == f"{tmp_path}/beta/bin:{root}/condabin:/usr/bin:/bin"
    back = applied(switched, PluginActivator(POSIX, switched, root_prefix=str(root)).deactivate())
    assert back["PATH"] == active["PATH"]
    gone = applied(back, PluginActivator(POSIX, back, root_prefix=str(root)).deactivate())
    assert gone == BASE


def test_a_level_activated_by_conda_is_deactivated_as_conda_does(tmp_path: Path) -> None:
    a, b = make_env(tmp_path / "envs", "a"), make_env(tmp_path / "envs", "b")
    by_conda = {
        "PATH": f"{b}/bin:/usr/bin:/bin",
        "CONDA_SHLVL": "2",
        "CONDA_PREFIX": str(b),
        "CONDA_PREFIX_1": str(a),
        "CONDA_DEFAULT_ENV": "b",
        "CONDA_PROMPT_MODIFIER": "(b) ",
        STATE_PREFIX + "2": LevelState(str(tmp_path / "stale")).encode(),
    }
    one = applied(by_conda, PluginActivator(POSIX, by_conda).deactivate())
    assert one["PATH"] == f"{a}/bin:/usr/bin:/bin"
    assert (one["CONDA_SHLVL"], one["CONDA_PREFIX"], one["CONDA_DEFAULT_ENV"]) == ("1", str(a), "a")
    assert "CONDA_PREFIX_1" not in one
    assert STATE_PREFIX + "2" not in one
    zero = applied(one, PluginActivator(POSIX, one).deactivate())
    assert zero == {"PATH": "/usr/bin:/bin", "CONDA_SHLVL": "0"}


def _scripted(root: Path, name: str) -> Path:
    prefix = make_env(root / "envs", name)
    folder = prefix / "etc" / "conda" / "activate.d"
    folder.mkdir(parents=True)
    (folder / "a.sh").write_text("true\n")
    return prefix


def test_conda_options_auto_stack_no_stack_env_prompt_uppercase(tmp_path: Path) -> None:
    a, b = _scripted(tmp_path, "a"), make_env(tmp_path / "envs", "b")
    (b / "etc" / "conda" / "env_vars.d").mkdir(parents=True)
    (b / "etc" / "conda" / "env_vars.d" / "v.json").write_text('{"my_lower_var": "x"}')
    options = {"auto_stack": 1, "env_prompt": "[{name}|{default_env}] "}
    one = applied(BASE, PluginActivator(POSIX, BASE, **options).activate(str(a), stack=None))
    assert one["CONDA_PROMPT_MODIFIER"] == "[a|a] "
    two = applied(one, PluginActivator(POSIX, one, **options).activate(str(b), stack=None))
    assert two["CONDA_STACKED_2"] == "true"
    assert two["MY_LOWER_VAR"] == "x"
    assert "my_lower_var" not in two
    replaced = PluginActivator(POSIX, one, **options).activate(str(b), stack=False)
    assert "CONDA_STACKED_2" not in replaced.export
    kept = PluginActivator(POSIX, one, uppercase=False).activate(str(b))
    assert kept.export["my_lower_var"] == "x"


def test_stacked_deactivate_reruns_the_lower_environments_activate_d(tmp_path: Path) -> None:
    """conda's own test_build_deactivate_shlvl_2_from_stack expects it."""
    a, b = _scripted(tmp_path, "a"), make_env(tmp_path / "envs", "b")
    one = applied(BASE, PluginActivator(POSIX, BASE).activate(str(a)))
    two = applied(one, PluginActivator(POSIX, one).activate(str(b), stack=True))
    change = PluginActivator(POSIX, two).deactivate()
    assert change.activate_scripts == [str(a / "etc" / "conda" / "activate.d" / "a.sh")]
    assert applied(two, change)["PATH"] == one["PATH"]


def test_uppercasing_never_makes_a_managed_name(tmp_path: Path) -> None:
    prefix = make_env(tmp_path, "upper")
    (prefix / "conda-meta" / "state").write_text(
        json.dumps({"env_vars": {"conda_prefix": "x", "fine": "y"}})
    )
    change = PluginActivator(POSIX, BASE).activate(str(prefix))
    assert change.export["CONDA_PREFIX"] == str(prefix)
    assert change.export["FINE"] == "y"
