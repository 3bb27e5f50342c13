"""Real conda 26.7.1 with both session plugins: what a conda user sees of them.

The contract's own conda plugin (``plugin_contract.session.conda_host``) checks
``channel_settings`` before a channel command, runs the basic-auth prompt once on a terminal,
gives ``conda session``, adds our hint to a 401 and reports broken settings in ``conda doctor``.
One conda install serves the whole module.
"""

from __future__ import annotations

import os
import pty
import re
import select
import shlex
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from testharness.channel import ChannelServer, basic_auth_check, bearer_check
from testharness.conda import RealConda
from testharness.conda_channels import installable_channel
from testharness.plugin import RealCondaFactory
from testharness.repo import discover_packages

ROOT = Path(__file__).resolve().parents[1]
SHARED = str(ROOT / "shared")
USER, PASSWORD = "ci-bot", "s3cret"
CHANNEL = "/channel"
# Every conda plugin of ours (both session plugins among them): the install test_real_conda.py
# makes too, so a worker running both installs conda once.
CONDA_PLUGINS = sorted(
    name for name in discover_packages() if name.startswith(("session-", "shell-"))
)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def conda_base(real_conda_factory: RealCondaFactory) -> RealConda:
    return real_conda_factory(*CONDA_PLUGINS)


@pytest.fixture
def conda(conda_base: RealConda, tmp_path: Path) -> RealConda:
    """The shared install with a fresh home, a file keyring and no prompting by default."""
    home = tmp_path / "home"
    home.mkdir()
    return RealConda(
        prefix=conda_base.prefix,
        home=home,
        installed=conda_base.installed,
        extra_env={
            "PYTHONPATH": SHARED,
            "PYTHON_KEYRING_BACKEND": "testharness.keyring_backend.FileKeyring",
            "TESTHARNESS_KEYRING_FILE": str(tmp_path / "keyring.json"),
        },
    )


@pytest.fixture
def server() -> Iterator[ChannelServer]:
    files = installable_channel(CHANNEL)
    with ChannelServer(files, auth_check=basic_auth_check(USER, PASSWORD)) as channel:
        yield channel


def entry(url: str, **settings: str) -> str:
    lines = [f"  - channel: {url}{CHANNEL}/*"] + [f"    {k}: {v}" for k, v in settings.items()]
    return "channel_settings:\n" + "\n".join(lines) + "\n"


def search(conda: RealConda, url: str, **env: str) -> subprocess.CompletedProcess[str]:
    return conda.run(
        "search", "--override-channels", "-c", url + CHANNEL, "tiny", env={"CI": "1", **env}
    )


def error_lines(proc: subprocess.CompletedProcess[str]) -> list[str]:
    return [line for line in proc.stderr.splitlines() if line.strip()]


def test_unknown_auth_name_is_one_line_naming_the_installed_handlers(
    conda: RealConda, server: ChannelServer
) -> None:
    conda.write_condarc(entry(server.url, auth="basic-aut", username=USER))
    proc = search(conda, server.url)
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    lines = error_lines(proc)
    assert len(lines) == 1, proc.stderr
    assert "names auth 'basic-aut'" in lines[0]
    assert "installed auth handlers: basic-auth, oauth" in lines[0]
    assert "did you mean 'basic-auth'?" in lines[0]
    assert server.recorded() == [], "conda went to the network with a broken entry"


def test_session_key_without_auth_is_one_line(conda: RealConda, server: ChannelServer) -> None:
    conda.write_condarc(entry(server.url, session="basic-auth", username=USER))
    proc = conda.run("install", "-c", server.url + CHANNEL, "--override-channels", "tiny", "-y")
    assert proc.returncode != 0
    lines = error_lines(proc)
    assert len(lines) == 1, proc.stderr
    assert "has 'session: basic-auth' but no 'auth:'" in lines[0]
    assert "write 'auth: basic-auth'" in lines[0]


def test_conda_session_status_still_runs_with_a_broken_entry(conda: RealConda) -> None:
    conda.write_condarc(entry("http://127.0.0.1:9", auth="basic-aut"))
    status = conda.run("session", "status")
    assert status.returncode == 0, status.stderr
    assert "problem: session 'basic-aut' is not installed" in status.stdout


def test_username_without_password_prompts_once_on_a_terminal_then_installs(
    conda: RealConda, server: ChannelServer, tmp_path: Path
) -> None:
    conda.write_condarc(entry(server.url, auth="basic-auth", username=USER))
    target = tmp_path / "env"
    argv = [str(conda.exe), "create", "-y", "-p", str(target), "--override-channels"]
    argv += ["-c", server.url + CHANNEL, "tiny"]
    status, output = run_answering_on_pty(argv, conda.terminal_env(), "password for", PASSWORD)
    assert status == 0, output
    assert output.count("password for") == 1, output
    assert f"password for {USER} at {server.url}{CHANNEL}" in output
    assert (target / "share" / "tiny.txt").read_text() == "tiny\n"
    assert any(r.path.endswith(".tar.bz2") and r.authorization for r in server.recorded())


def test_username_without_password_and_no_terminal_is_one_clear_line(
    conda: RealConda, server: ChannelServer
) -> None:
    conda.write_condarc(entry(server.url, auth="basic-auth", username=USER))
    proc = search(conda, server.url)
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    assert len(error_lines(proc)) == 1, proc.stderr
    assert "this run is not interactive" in proc.stderr


def test_conda_session_login_status_then_install_search(
    conda: RealConda, server: ChannelServer
) -> None:
    conda.write_condarc("")
    helps = conda.run("--help", check=True).stdout
    assert sum(line.split()[:1] == ["session"] for line in helps.splitlines()) == 1
    login = conda.run(
        "session",
        "login",
        server.url + CHANNEL,
        "--session",
        "basic-auth",
        "--username",
        USER,
        "--password-stdin",
        input=PASSWORD + "\n",
        env={"CI": "1"},
    )
    assert login.returncode == 0, login.stderr
    assert PASSWORD not in conda.condarc.read_text(encoding="utf-8")
    status = conda.run("session", "status", check=True)
    assert f"{server.url}{CHANNEL}" in status.stdout
    assert "credential: keyring" in status.stdout
    proc = search(conda, server.url)
    assert proc.returncode == 0, proc.stderr
    assert "tiny" in proc.stdout


def test_wrong_credentials_get_our_hint_in_conda(conda: RealConda, server: ChannelServer) -> None:
    conda.write_condarc(entry(server.url, auth="basic-auth", username=USER))
    variable = "CONDA_BASIC_AUTH_" + server.url.split("//")[1].replace(".", "_").replace(":", "_")
    variable += "_CHANNEL_PASSWORD"
    proc = search(conda, server.url, **{variable: "wrong"})
    assert proc.returncode != 0
    assert "HTTP 401" in proc.stderr
    assert "(channel_session_credentials)" in proc.stderr
    assert f"user '{USER}' from environment variable {variable} were rejected" in proc.stderr
    assert "wrong" not in proc.stderr


def test_conda_doctor_reports_broken_channel_settings(conda: RealConda, tmp_path: Path) -> None:
    secret_dir = tmp_path / "mounted-secret"
    secret_dir.mkdir()
    base = "http://127.0.0.1:9"
    conda.write_condarc(
        "channel_settings:\n"
        f"  - {{channel: '{base}/typo/*', auth: basic-aut}}\n"
        f"  - {{channel: '{base}/nosecret/*', auth: oauth, oauth_token_env: NOT_SET_TOKEN}}\n"
        f"  - {{channel: '{base}/dir/*', auth: basic-auth, username: u, "
        f"password_file: '{secret_dir}'}}\n"
        f"  - {{channel: '{base}/old/*', auth: oauth, oauth_client_id: c, "
        f"oauth_token_endpoint: '{base}/token'}}\n"
        f"  - {{channel: '{base}/fine/*', auth: oauth, oauth_token_env: SET_TOKEN}}\n"
        f"  - {{channel: '{base}/none/*', auth: basic-auth, username: u}}\n"
    )
    expire = conda.python_run(
        "import time\n"
        "from plugin_contract.session.registry import default_registry\n"
        "from session_oauth.session import OAuthSession\n"
        "from session_oauth.tokens import TokenSet\n"
        "reg = default_registry()\n"
        "entry = next(e for e in reg.config.channels if e.key.endswith('/old'))\n"
        "session = OAuthSession(channel=entry, config=reg.config)\n"
        "session.manager.save(TokenSet('old', expires_at=time.time() - 60, grant='device'))\n"
    )
    assert expire.returncode == 0, expire.stderr
    proc = conda.run("doctor", "channel-sessions", env={"SET_TOKEN": "t"})
    assert proc.returncode == 0, proc.stderr
    report = [line for line in proc.stdout.splitlines() if line.startswith("❌")]
    assert any("names auth 'basic-aut'" in line for line in report), proc.stdout
    assert any("NOT_SET_TOKEN, which is not set" in line for line in report), proc.stdout
    assert any(f"password_file {secret_dir} is not a readable file" in line for line in report)
    assert any("/old: the oauth login has expired" in line for line in report), proc.stdout
    assert any(
        "/none: no basic-auth credentials found; run `conda session login" in line
        for line in report
    ), proc.stdout
    assert not any("/fine/" in line for line in report), proc.stdout
    assert len(report) == 5, proc.stdout


def run_answering_on_pty(
    argv: list[str], env: dict[str, str], prompt: str, answer: str, timeout: float = 90
) -> tuple[int, str]:
    """Run ``argv`` on a terminal; type ``answer`` each time ``prompt`` appears (getpass
    flushes input typed before its prompt, so the answer cannot be typed ahead)."""
    master, slave = pty.openpty()
    proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env)
    os.close(slave)
    output, answered = b"", 0
    deadline = time.monotonic() + timeout
    try:
        while proc.poll() is None or select.select([master], [], [], 0)[0]:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{argv[:2]} did not finish within {timeout:.0f} s")
            if not select.select([master], [], [], 0.1)[0]:
                continue
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            output += chunk
            if output.count(prompt.encode()) > answered:
                answered += 1
                os.write(master, answer.encode() + b"\n")
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=10)
        os.close(master)
    return proc.returncode, output.decode("utf-8", "replace")


def empty_env(prefix: Path) -> Path:
    """An empty conda environment at ``prefix`` (what ``conda create -p`` leaves)."""
    (prefix / "conda-meta").mkdir(parents=True)
    (prefix / "conda-meta" / "history").touch()
    return prefix


def readme_console_commands(readme: Path, section: str) -> list[list[str]]:
    """The ``$ conda ...`` lines of the first console block under ``## section``."""
    text = readme.read_text(encoding="utf-8")
    body = text.split(f"## {section}\n", 1)[1]
    block = re.search(r"```console\n(.*?)```", body, re.DOTALL)
    assert block is not None, f"no console block under {section!r} in {readme}"
    return [shlex.split(line[2:]) for line in block.group(1).splitlines() if line.startswith("$ ")]


def test_basic_auth_readme_laptop_commands_work_in_conda(
    conda: RealConda, server: ChannelServer, tmp_path: Path
) -> None:
    readme = ROOT / "packages" / "session-basic-auth" / "README.md"
    login, install = readme_console_commands(readme, "Log in (laptop)")
    assert login[:3] == ["conda", "session", "login"], login
    assert install[:2] == ["conda", "install"], install
    conda.write_condarc("")

    def ours(argv: list[str]) -> list[str]:
        swap = {"https://repo.example.com/private": server.url + CHANNEL, "alice": USER}
        return [str(conda.exe)] + [swap.get(word, word) for word in argv[1:]]

    terminal = conda.terminal_env()
    status, output = run_answering_on_pty(ours(login), terminal, "password for", PASSWORD)
    assert status == 0, output
    assert "logged in to" in output
    target = empty_env(tmp_path / "env")
    installed = conda.run(*ours(install)[1:-1], "tiny", "-y", "-p", str(target), env={"CI": "1"})
    assert installed.returncode == 0, installed.stdout[-2000:] + installed.stderr[-2000:]
    assert (target / "share" / "tiny.txt").is_file()


def test_oauth_readme_static_token_ci_setup_works_in_conda(
    conda: RealConda, tmp_path: Path
) -> None:
    readme = (ROOT / "packages" / "session-oauth" / "README.md").read_text(encoding="utf-8")
    after = readme.split("In CI with a static token", 1)[1]
    yaml_block = re.search(r"```yaml\n(.*?)```", after, re.DOTALL)
    bash_block = re.search(r"```bash\n(.*?)```", after, re.DOTALL)
    assert yaml_block is not None
    assert bash_block is not None
    install = next(
        shlex.split(line) for line in bash_block.group(1).splitlines() if "conda install" in line
    )
    variable = re.search(r"oauth_token_env: (\w+)", yaml_block.group(1))
    assert variable is not None
    token = "t0ken-for-ci"
    with ChannelServer(installable_channel(CHANNEL), auth_check=bearer_check(token)) as server:
        url = server.url + CHANNEL
        conda.write_condarc(yaml_block.group(1).replace("https://repo.example.com/private", url))
        target = empty_env(tmp_path / "env")
        argv = [url if word == "https://repo.example.com/private" else word for word in install]
        argv = [*argv[1:-1], "tiny", "-y", "-p", str(target)]
        installed = conda.run(*argv, env={variable.group(1): token, "CI": "1"})
        assert installed.returncode == 0, installed.stdout[-2000:] + installed.stderr[-2000:]
        assert (target / "share" / "tiny.txt").is_file()
        assert f"Bearer {token}" in server.authorizations()
