"""A third-party conda plugin implementing EVERY hook of conda 26.7.1 breaks none of ours.

The plugin is a tiny distribution built here (entry-point group ``conda``), its hooks generated
from conda's own ``CondaSpecs``. Installed beside our plugins in a real conda, ``conda info``,
``conda search`` through basic-auth, ``conda-session status`` and ``plugin-contract plugins``
work; and in a plain venv without conda (where the contract cannot ask conda for its hooks).
"""

from __future__ import annotations

import base64
import hashlib
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from testharness.channel import ChannelServer, basic_auth_check
from testharness.conda import RealConda, conda_or_skip, install_distributions
from testharness.repo import uv

pytestmark = pytest.mark.slow

PLUGIN = "every-hook"
MODULE = "every_conda_hook"
SPEC_CODE = (
    "import inspect, json\n"
    "from conda.plugins.hookspec import CondaSpecs\n"
    "print(json.dumps({name: [p for p in inspect.signature(f).parameters if p != 'self']\n"
    "    for name, f in vars(CondaSpecs).items() if name.startswith('conda_')}))\n"
)


def plugin_source(hooks: dict[str, list[str]]) -> str:
    """A module implementing each hook (with conda's arguments) as an empty generator."""
    lines = ['"""Implements every conda hook; yields nothing."""', "import pluggy", ""]
    lines.append('hookimpl = pluggy.HookimplMarker("conda")')
    for name, params in sorted(hooks.items()):
        lines += ["", "", "@hookimpl", f"def {name}({', '.join(params)}):", "    yield from ()"]
    return "\n".join(lines) + "\n"


def build_plugin_wheel(hooks: dict[str, list[str]], out: Path) -> Path:
    """A pure-Python wheel of ``every-hook 1.0`` written directly (no build backend needed)."""
    dist_info = "every_hook-1.0.dist-info"
    files = {
        f"{MODULE}.py": plugin_source(hooks),
        f"{dist_info}/METADATA": "Metadata-Version: 2.1\nName: every-hook\nVersion: 1.0\n",
        f"{dist_info}/WHEEL": (
            "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
        ),
        f"{dist_info}/entry_points.txt": f"[conda]\n{PLUGIN} = {MODULE}\n",
    }
    record = []
    for path, text in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=")
        record.append(f"{path},sha256={digest.decode()},{len(text.encode())}")
    record.append(f"{dist_info}/RECORD,,")
    wheel = out / "every_hook-1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for path, text in files.items():
            archive.writestr(path, text)
        archive.writestr(f"{dist_info}/RECORD", "\n".join(record) + "\n")
    return wheel


def _install(python: Path, wheel: Path) -> None:
    subprocess.run(
        [uv(), "pip", "install", "-q", "--python", str(python), str(wheel)],
        check=True,
        timeout=120,
        capture_output=True,
    )


@pytest.fixture(scope="module")
def conda_hooks_and_wheel(
    tmp_path_factory: pytest.TempPathFactory, conda_wheelhouse: Path
) -> tuple[RealConda, dict[str, list[str]], Path]:
    """Its own real conda (the plugin must not leak into other modules' prefixes)."""
    prefix = tmp_path_factory.mktemp("conda-third-party") / "base"
    conda_or_skip(prefix)
    install_distributions(prefix / "bin" / "python", ["session-basic-auth"], conda_wheelhouse)
    conda = RealConda(prefix=prefix, home=tmp_path_factory.mktemp("home"))
    spec = conda.python_run(SPEC_CODE)
    assert spec.returncode == 0, spec.stderr
    hooks: dict[str, list[str]] = json.loads(spec.stdout)
    wheel = build_plugin_wheel(hooks, tmp_path_factory.mktemp("every-hook"))
    _install(conda.python, wheel)
    return conda, hooks, wheel


def _no_plugin_warning(stderr: str) -> None:
    assert PLUGIN not in stderr, stderr
    assert "warning" not in stderr.lower(), stderr


def test_the_plugin_has_every_conda_26_hook(
    conda_hooks_and_wheel: tuple[RealConda, dict[str, list[str]], Path],
) -> None:
    _, hooks, _ = conda_hooks_and_wheel
    assert {"conda_error_hints", "conda_exception_observers", "conda_auth_handlers"} <= set(hooks)
    assert len(hooks) >= 21


def test_conda_info_search_status_and_listing_work_beside_it(
    conda_hooks_and_wheel: tuple[RealConda, dict[str, list[str]], Path],
) -> None:
    conda, hooks, _ = conda_hooks_and_wheel
    env = {"PRIVATE_USERNAME": "ci-bot", "PRIVATE_PASSWORD": "s3cret"}
    with ChannelServer(auth_check=basic_auth_check("ci-bot", "s3cret")) as server:
        conda.write_condarc(
            "channel_settings:\n"
            f"  - channel: {server.url}/channel/*\n"
            "    auth: basic-auth\n"
            "    env_prefix: PRIVATE\n"
        )
        info = conda.run("info", "--json", env=env, check=True)
        assert json.loads(info.stdout)["conda_version"] == "26.7.1"
        search = conda.run(
            "search", "--override-channels", "-c", f"{server.url}/channel", "tiny", env=env
        )
        assert search.returncode == 0, search.stdout[-2000:] + search.stderr[-2000:]
        assert "tiny" in search.stdout
        assert server.authorizations(), "conda sent no credentials"
        _no_plugin_warning(search.stderr)
        status = conda.run_program([str(conda.prefix / "bin" / "conda-session"), "status"], env=env)
        assert status.returncode == 0, status.stderr
        assert f"{server.url}/channel" in status.stdout
        _no_plugin_warning(status.stderr)
    listing = conda.run_program(
        [str(conda.prefix / "bin" / "plugin-contract"), "plugins", "--host", "conda", "--json"]
    )
    assert listing.returncode == 0, listing.stderr
    _no_plugin_warning(listing.stderr)
    plugins = {entry["name"]: entry for entry in json.loads(listing.stdout)["conda"]}
    assert sorted(plugins[PLUGIN]["hooks"]) == sorted(hooks)
    assert "session-basic-auth" in plugins


def test_without_conda_the_contract_tolerates_it(
    conda_hooks_and_wheel: tuple[RealConda, dict[str, list[str]], Path],
    conda_wheelhouse: Path,
    tmp_path: Path,
) -> None:
    _, hooks, wheel = conda_hooks_and_wheel
    venv = tmp_path / "venv"
    subprocess.run(
        [uv(), "venv", "--quiet", "--python", sys.executable, str(venv)], check=True, timeout=120
    )
    install_distributions(venv / "bin" / "python", ["session-basic-auth"], conda_wheelhouse)
    _install(venv / "bin" / "python", wheel)
    env = {"HOME": str(tmp_path), "CONDARC": str(tmp_path / ".condarc"), "PATH": "/usr/bin:/bin"}
    no_conda = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import conda"], env=env, capture_output=True
    )
    assert no_conda.returncode != 0, "conda must not be importable in this venv"
    listing = subprocess.run(
        [str(venv / "bin" / "plugin-contract"), "plugins", "--host", "conda", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert listing.returncode == 0, listing.stderr
    _no_plugin_warning(listing.stderr)
    plugins = {entry["name"]: entry for entry in json.loads(listing.stdout)["conda"]}
    assert sorted(plugins[PLUGIN]["hooks"]) == sorted(hooks)
    status = subprocess.run(
        [str(venv / "bin" / "conda-session"), "status"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert status.returncode == 0, status.stderr
    _no_plugin_warning(status.stderr)
