"""The tour behind ``nox -s demo``: what the installed distributions give their users.

Runs in the demo session's fresh venv, where every wheel is installed, against real local
servers: shells, a basic-auth channel, oidc-provider, slapd, devpi-server. Each step prints
what it did and how long it took. A missing system component is named with the command
that installs it, and the tour goes on. Every process and temporary folder it starts is
cleaned up, on success, failure and Ctrl-C alike.

``python scripts/demo.py [STEP ...]`` runs only the steps whose names contain a STEP word.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import TypeVar

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "shared"))  # the repo's harness: servers on loopback
BIN = Path(sys.executable).parent
OIDC_DIR = ROOT / "packages" / "session-oauth" / "tests" / "oidc"
T = TypeVar("T")
SYSTEM_DEPS = "sudo bash scripts/install-system-deps.sh   (or: nox -s system)"


class Missing(Exception):
    """A system component the step needs is not installed."""

    def __init__(self, tool: str, install: str) -> None:
        super().__init__(f"{tool} is not installed; install it with: {install}")


@dataclass
class Tour:
    """Runs steps, records results, and owns every process and folder the steps start."""

    workdir: Path
    results: list[tuple[str, str, float]] = field(default_factory=list)
    closers: list[Callable[[], object]] = field(default_factory=list)

    def need(self, tool: str, install: str) -> str:
        found = shutil.which(tool) or shutil.which(tool, path="/usr/sbin:/sbin")
        if not found:
            raise Missing(tool, install)
        return found

    def folder(self, name: str) -> Path:
        path = self.workdir / name
        path.mkdir(parents=True, exist_ok=True)
        return path

    def environ(self, **extra: str) -> dict[str, str]:
        """A clean user environment: HOME, condarc and keyring inside the tour's folder."""
        home = self.folder("home")
        env = {
            "HOME": str(home),
            "PATH": os.pathsep.join([str(BIN), "/usr/local/bin", "/usr/bin", "/bin"]),
            "LANG": "C.UTF-8",
            "TERM": "dumb",
            "CONDARC": str(home / ".condarc"),
            "XDG_CONFIG_HOME": str(home / ".config"),
            "XDG_DATA_HOME": str(home / ".local" / "share"),
            "PLUGIN_CONTRACT_CACHE_DIR": str(self.workdir / "cache"),
            "CONDA_SESSION_OAUTH_DIR": str(self.workdir / "oauth-state"),
            "CONDA_SESSION_NO_PROMPT": "1",
            # no desktop keyring here: a file-backed one from the repo's harness
            "PYTHON_KEYRING_BACKEND": "testharness.keyring_backend.FileKeyring",
            "TESTHARNESS_KEYRING_FILE": str(self.workdir / "keyring.json"),
            "PYTHONPATH": str(ROOT / "shared"),
        }
        env.update(extra)
        return env

    def run(
        self,
        argv: Sequence[str],
        *,
        env: dict[str, str] | None = None,
        stdin: str | None = None,
        shown: int = 40,
        check: bool = True,
        show_stderr: bool = True,
    ) -> subprocess.CompletedProcess[str]:
        print(f"   $ {' '.join(_short(a) for a in argv)}", flush=True)
        proc = subprocess.run(
            list(argv),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            env=env if env is not None else self.environ(),
            input=stdin,
            cwd=self.workdir,
        )
        output = proc.stdout + proc.stderr if show_stderr or proc.returncode else proc.stdout
        for line in output.rstrip().splitlines()[:shown]:
            print(f"     {line}")
        if check and proc.returncode != 0:
            raise RuntimeError(f"{Path(argv[0]).name} exited with {proc.returncode}")
        return proc

    def say(self, text: str) -> None:
        print(f"   {text}", flush=True)

    def on_cleanup(self, closer: Callable[[], object]) -> None:
        self.closers.append(closer)

    def enter(self, context: contextlib.AbstractContextManager[T]) -> T:
        """Enter ``context`` now; leave it at cleanup."""
        value = context.__enter__()
        self.on_cleanup(lambda: context.__exit__(None, None, None))
        return value

    def step(self, title: str, action: Callable[[Tour], None]) -> None:
        print(f"\n== {title}", flush=True)
        started = time.perf_counter()
        try:
            action(self)
            outcome = "ok"
        except Missing as missing:
            outcome = f"skipped: {missing}"
        except Exception as error:
            outcome = f"FAILED: {type(error).__name__}: {error}"
        elapsed = time.perf_counter() - started
        self.results.append((title, outcome, elapsed))
        print(f"-- {outcome} ({elapsed:.2f} s)", flush=True)

    def cleanup(self) -> None:
        for closer in reversed(self.closers):
            with contextlib.suppress(Exception):
                closer()
        _stop_children()
        shutil.rmtree(self.workdir, ignore_errors=True)


def _short(arg: str) -> str:
    return arg.replace(str(Path(sys.executable).parent) + "/", "")


def _stop_children() -> None:
    """Every process this tour started, including servers caught half-started by Ctrl-C."""
    import psutil

    children = psutil.Process().children(recursive=True)
    for child in children:
        with contextlib.suppress(psutil.Error):
            child.terminate()
    _, alive = psutil.wait_procs(children, timeout=10)
    for child in alive:
        with contextlib.suppress(psutil.Error):
            child.kill()
    psutil.wait_procs(alive, timeout=10)


@contextlib.contextmanager
def tour() -> Iterator[Tour]:
    workdir = Path(tempfile.mkdtemp(prefix="plugins-demo-"))
    current = Tour(workdir)

    def interrupted(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupted)
    try:
        yield current
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not stop cleanup
        current.cleanup()
        signal.signal(signal.SIGTERM, previous)
        signal.signal(signal.SIGINT, signal.default_int_handler)


# -- 0. what is installed ----------------------------------------------------------------


def show_plugins(t: Tour) -> None:
    t.run([str(BIN / "plugin-contract"), "plugins"])


# -- 1. shells ---------------------------------------------------------------------------


def demo_env(t: Tour) -> Path:
    """An environment as conda makes them: env_vars.d, activate.d scripts, a program."""
    prefix = t.workdir / "envs" / "demo"
    if prefix.exists():
        return prefix
    (prefix / "conda-meta").mkdir(parents=True)
    tool = prefix / "bin" / "demo-tool"
    tool.parent.mkdir()
    tool.write_text("#!/bin/sh\necho 'demo-tool from the demo env'\n")
    tool.chmod(0o755)
    env_vars = prefix / "etc" / "conda" / "env_vars.d"
    env_vars.mkdir(parents=True)
    (env_vars / "demo.json").write_text(json.dumps({"DEMO_GREETING": "hello from demo"}))
    scripts = prefix / "etc" / "conda" / "activate.d"
    scripts.mkdir()
    (scripts / "hello.sh").write_text('echo "activate.d: hello.sh ran in $CONDA_PREFIX"\n')
    (scripts / "hello.fish").write_text('echo "activate.d: hello.fish ran in $CONDA_PREFIX"\n')
    return prefix


POSIX_EVAL = """\
eval "$(conda-shell hook --shell posix)"
conda_shell activate "$1"
echo "CONDA_PREFIX=$CONDA_PREFIX  DEMO_GREETING=$DEMO_GREETING"
demo-tool
conda_shell deactivate
echo "after deactivate: CONDA_PREFIX=${CONDA_PREFIX:-<unset>}"
echo "                  DEMO_GREETING=${DEMO_GREETING:-<unset>}"
"""

FISH_EVAL = """\
conda-shell hook --shell fish | source
conda-shell activate $argv[1]; or exit 1
echo "CONDA_PREFIX=$CONDA_PREFIX  DEMO_GREETING=$DEMO_GREETING"
demo-tool
conda-shell deactivate; or exit 1
set -q CONDA_PREFIX; and echo "still active!"; or echo "after deactivate: CONDA_PREFIX unset"
"""

SPAWNED = 'echo "inside the spawned shell: CONDA_PREFIX=$CONDA_PREFIX"\ndemo-tool\nexit 0\n'


def shell_eval(
    program: str, install: str, script: str, argv: Sequence[str]
) -> Callable[[Tour], None]:
    def action(t: Tour) -> None:
        executable = t.need(program, install)
        prefix = demo_env(t)
        path = t.workdir / f"eval.{program}"
        path.write_text(script)
        t.say(f"eval mode: {program} sources the hook, activates in place, deactivates")
        t.run([executable, *argv, str(path), str(prefix)])

    return action


def shell_spawn(program: str, install: str) -> Callable[[Tour], None]:
    def action(t: Tour) -> None:
        t.need(program, install)
        prefix = demo_env(t)
        t.say(f"spawn mode: a new {program} with the env active after its rc files; `exit` leaves")
        t.run(
            [str(BIN / "conda-shell"), "activate", "--spawn", "--shell", program, str(prefix)],
            stdin=SPAWNED,
            show_stderr=False,  # an interactive shell without a terminal echoes its prompts
        )

    return action


# -- 2. sessions -------------------------------------------------------------------------


def basic_auth_download(t: Tour) -> None:
    from testharness.channel import ChannelServer, basic_auth_check

    user, password = "demo", "demo-channel-password"
    server = ChannelServer(auth_check=basic_auth_check(user, password)).start()
    t.on_cleanup(server.close)
    channel = f"{server.url}/channel"
    t.say(f"a password-protected channel at {channel} (user {user!r})")
    session = str(BIN / "conda-session")
    t.run(
        [
            *(session, "login", channel, "--session", "basic-auth", "--username", user),
            *("--password-stdin", "--verify"),
        ],
        stdin=password + "\n",
    )
    t.say("the condarc holds only the channel entry; the password is in the keyring:")
    t.run(["cat", t.environ()["CONDARC"]])
    t.run([session, "status"])
    out = t.workdir / "basic-repodata.json"
    t.run([session, "fetch", f"{channel}/noarch/repodata.json", "-o", str(out)])
    packages = json.loads(out.read_text()).get("packages", {})
    t.say(f"downloaded repodata.json with {len(packages)} package(s): {', '.join(packages)}")
    sent = [r for r in server.recorded() if r.authorization]
    t.say(f"the channel saw {len(sent)} authenticated request(s); the password was never printed")


def oauth_download(t: Tour) -> None:
    t.need("node", "apt-get install -y nodejs")
    if not (OIDC_DIR / "node_modules" / "oidc-provider").is_dir():
        raise Missing("oidc-provider (npm)", f"npm ci --prefix {OIDC_DIR.relative_to(ROOT)}")
    from testharness.channel import ChannelServer
    from testharness.oidc import start_oidc_provider

    provider = start_oidc_provider(OIDC_DIR, t.workdir / "logs" / "oidc-provider.log")
    t.on_cleanup(provider.process.stop)
    t.say(f"oidc-provider (a certified OpenID provider) at {provider.issuer}")

    server = ChannelServer(
        auth_check=provider.bearer_is_active, auth_challenge='Bearer error="invalid_token"'
    ).start()
    t.on_cleanup(server.close)
    channel = f"{server.url}/channel"
    t.say(f"a channel that accepts only live access tokens of that provider: {channel}")
    env = t.environ(DEMO_CI_SECRET="ci-secret")  # noqa: S106 - the demo provider's client
    session = str(BIN / "conda-session")
    t.run(
        [
            *(session, "login", channel, "--session", "oauth", "--flow", "client-credentials"),
            *("--oauth-issuer", provider.issuer, "--oauth-client-id", "ci-bot"),
            *("--oauth-client-secret-env", "DEMO_CI_SECRET", "--oauth-scopes", "channel:read"),
        ],
        env=env,
    )
    t.run([session, "status"], env=env)
    out = t.workdir / "oauth-repodata.json"
    t.run([session, "fetch", f"{channel}/noarch/repodata.json", "-o", str(out)], env=env)
    packages = json.loads(out.read_text()).get("packages", {})
    t.say(f"downloaded repodata.json with {len(packages)} package(s) using a bearer token")


@contextlib.contextmanager
def _temporary_files_in(folder: Path) -> Iterator[None]:
    """Point the child processes' ``TMPDIR`` at ``folder`` for the duration."""
    previous = os.environ.get("TMPDIR")
    os.environ["TMPDIR"] = str(folder)
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("TMPDIR", None)
        else:
            os.environ["TMPDIR"] = previous


def real_conda_download(t: Tour) -> None:
    """What conda users type: ``conda create -p`` and ``conda search`` in a real conda 26.7.1
    with both session plugins installed from their wheels, against protected channels."""
    from testharness.channel import ChannelServer, basic_auth_check
    from testharness.conda import CondaUnavailable, install_conda, install_distributions
    from testharness.conda_channels import fresh_user, installable_channel

    t.say("installing real conda 26.7.1 (vendor archive, else its git tag) with our wheels")
    base = t.folder("conda")
    wheels = t.folder("wheels")
    for wheel in (ROOT / "dist" / "demo").glob("*/*.whl"):  # built by `nox -s demo`
        shutil.copy2(wheel, wheels)
    names = ["session-basic-auth", "session-oauth"]
    with _temporary_files_in(t.folder("tmp")):  # the installers' lock files go with the tour
        try:
            install_conda(base / "base")
        except (CondaUnavailable, subprocess.SubprocessError, OSError) as error:
            raise Missing(
                "conda 26.7.1", f"../shared/vendor or access to github.com ({error})"
            ) from None
        install_distributions(base / "base" / "bin" / "python", names, wheels)
    from testharness.conda import RealConda

    secret = "demo-channel-password"  # noqa: S105 - a throwaway demo channel
    conda = fresh_user(
        RealConda(prefix=base / "base", home=base / "home"),
        base / "home",
        DEMO_BASIC_USERNAME="demo",
        DEMO_BASIC_PASSWORD=secret,
        DEMO_CI_SECRET="ci-secret",  # noqa: S106 - the demo provider's client
    )
    conda_exe = str(conda.exe)

    basic = t.enter(
        ChannelServer(installable_channel("/basic"), auth_check=basic_auth_check("demo", secret))
    )
    conda.write_condarc(
        f"channel_settings:\n  - channel: {basic.url}/basic/*\n    auth: basic-auth\n"
        "    env_prefix: DEMO_BASIC\n"
    )
    t.say(f"basic-auth: a password-protected channel at {basic.url}/basic; the condarc says:")
    t.run(["cat", str(conda.condarc)], env=conda.env())
    env_dir = base / "env-basic"
    t.run(
        [
            *(conda_exe, "create", "-y", "-q", "-p", str(env_dir)),
            *("--override-channels", "-c", f"{basic.url}/basic", "tiny"),
        ],
        env=conda.env(),
        shown=6,
    )
    installed = (env_dir / "share" / "tiny.txt").is_file()
    t.say(f"conda installed tiny through basic-auth: {installed}")
    if not installed:
        raise RuntimeError("conda create did not install the package")

    if not shutil.which("node") or not (OIDC_DIR / "node_modules" / "oidc-provider").is_dir():
        raise Missing("oidc-provider (npm)", f"npm ci --prefix {OIDC_DIR.relative_to(ROOT)}")
    from testharness.oidc import start_oidc_provider

    provider = start_oidc_provider(OIDC_DIR, t.workdir / "logs" / "oidc-provider-conda.log")
    t.on_cleanup(provider.process.stop)
    channel = t.enter(
        ChannelServer(
            installable_channel("/private"),
            auth_check=provider.bearer_is_active,
            auth_challenge='Bearer error="invalid_token"',
        )
    )
    url = f"{channel.url}/private"
    t.run(
        [
            *(str(base / "base" / "bin" / "conda-session"), "login", url, "--session", "oauth"),
            *("--flow", "client-credentials", "--oauth-issuer", provider.issuer),
            *("--oauth-client-id", "ci-bot", "--oauth-client-secret-env", "DEMO_CI_SECRET"),
            *("--oauth-scopes", "channel:read"),
        ],
        env=conda.env(),
    )
    found = t.run(
        [conda_exe, "search", "--override-channels", "-c", url, "tiny"], env=conda.env(), shown=6
    )
    if "tiny" not in found.stdout:
        raise RuntimeError("conda search found nothing through oauth")
    bearer = [r for r in channel.recorded() if (r.authorization or "").startswith("Bearer ")]
    t.say(f"conda search went through oauth: {len(bearer)} request(s) with a live bearer token")


# -- 3. devpi-server ---------------------------------------------------------------------

DEMO_LDIF_PEOPLE = "ou=people,dc=example,dc=org"
DEMO_LDIF_GROUPS = "ou=groups,dc=example,dc=org"
ALICE_PASSWORD = "alice-ldap-password"  # noqa: S105 - a throwaway demo directory
NOTIFY_SECRET = "demo-webhook-secret"  # noqa: S105 - a throwaway demo receiver
DEMO_LDIF = f"""\
dn: {DEMO_LDIF_PEOPLE}
objectClass: organizationalUnit
ou: people

dn: {DEMO_LDIF_GROUPS}
objectClass: organizationalUnit
ou: groups

dn: uid=alice,{DEMO_LDIF_PEOPLE}
objectClass: inetOrgPerson
uid: alice
cn: Alice
sn: Example
userPassword: {ALICE_PASSWORD}

dn: cn=devs,{DEMO_LDIF_GROUPS}
objectClass: groupOfNames
cn: devs
member: uid=alice,{DEMO_LDIF_PEOPLE}
"""


def devpi_ldap_notify(t: Tour) -> None:
    slapd_binary = t.need("slapd", "apt-get install -y slapd ldap-utils")
    t.need("ldapadd", "apt-get install -y ldap-utils")
    import yaml

    from testharness import devpi_http
    from testharness.devpi import ROOT_PASSWORD, start_devpi_server
    from testharness.recorder import recording_server
    from testharness.slapd import start_slapd

    slapd = start_slapd(slapd_binary, t.folder("slapd"), ldif=DEMO_LDIF)
    t.on_cleanup(slapd.stop)
    t.say(f"slapd at {slapd.url}: alice, member of cn=devs")
    receiver = t.enter(recording_server())
    t.say(f"a webhook receiver at {receiver.url}")

    ldap_config = t.workdir / "ldap.yaml"
    ldap_config.write_text(
        yaml.safe_dump(
            {
                "url": slapd.url,
                "user_search": {
                    "base": DEMO_LDIF_PEOPLE,
                    "filter": "(uid={username})",
                    "attribute_name": "dn",
                },
                "group_search": {
                    "base": DEMO_LDIF_GROUPS,
                    "filter": "(member={userdn})",
                    "attribute_name": "cn",
                },
                "timeout": 5,
            }
        )
    )
    notify_config = t.workdir / "notify.yaml"
    notify_config.write_text(
        yaml.safe_dump(
            {
                "worker": {"poll_interval": 0.5},
                "targets": {
                    "demo": {"type": "webhook", "url": receiver.url, "secret_env": "DEMO_SECRET"}
                },
            }
        )
    )
    server = start_devpi_server(
        t.folder("devpi"),
        args=["--ldap-config", str(ldap_config), "--notify-config", str(notify_config)],
        env={"DEMO_SECRET": NOTIFY_SECRET},
    )
    t.on_cleanup(server.process.stop)
    t.say(f"devpi-server at {server.url} with devpi-auth-ldap and devpi-notify")

    devpi_http.create_index(
        server.url,
        "root",
        ROOT_PASSWORD,
        "dev",
        acl_upload=[":devs"],
        notify_targets="demo",
        notify_events="file_uploaded",
    )
    t.say("root/dev: uploads allowed for the LDAP group devs; notifies target 'demo'")
    headers = devpi_http.token_headers(server.url, "alice", ALICE_PASSWORD)
    t.say("alice logged in with her LDAP password and got a devpi token")
    devpi_http.upload(
        server.url,
        "root/dev",
        "demo-pkg",
        "1.0",
        devpi_http.sdist_bytes("demo-pkg", "1.0"),
        filename="demo_pkg-1.0.tar.gz",
        headers=headers,
    )
    t.say("alice uploaded demo-pkg 1.0 to root/dev")
    request = receiver.wait_for(lambda seen: len(seen) >= 1, timeout=60)[0]
    event = json.loads(request.body)
    signature = request.headers.get("X-Devpi-Notify-Signature", "")
    t.say(f"the receiver got {request.method} {request.path}:")
    t.say(f"  X-Devpi-Notify-Id: {request.headers.get('X-Devpi-Notify-Id')}")
    t.say(f"  X-Devpi-Notify-Signature: {signature}")
    t.say(f"  type={event.get('type')} subject={event.get('subject')}")
    fields = dict(item.split("=", 1) for item in signature.split(",") if "=" in item)
    signed = fields.get("t", "").encode() + b"." + request.body
    expected = hmac.new(NOTIFY_SECRET.encode(), signed, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, fields.get("v1", "")):
        raise RuntimeError("the event's signature does not verify")
    t.say("the signature verifies with the shared secret (HMAC-SHA256)")


STEPS: list[tuple[str, Callable[[Tour], None]]] = [
    ("installed plugins, their hooks and versions", show_plugins),
    (
        "bash: activate in the current shell (eval mode)",
        shell_eval("bash", "apt-get install -y bash", POSIX_EVAL, ["--noprofile", "--norc"]),
    ),
    ("bash: activate in a new shell (spawn mode)", shell_spawn("bash", "apt-get install -y bash")),
    (
        "fish: activate in the current shell (eval mode)",
        shell_eval("fish", "apt-get install -y fish", FISH_EVAL, ["--no-config"]),
    ),
    ("fish: activate in a new shell (spawn mode)", shell_spawn("fish", "apt-get install -y fish")),
    ("session-basic-auth: download from a password-protected channel", basic_auth_download),
    ("session-oauth: download from an OAuth-protected channel", oauth_download),
    ("real conda: conda create -p and conda search, both session plugins", real_conda_download),
    ("devpi-server: LDAP login, upload, signed webhook event", devpi_ldap_notify),
]


def main(argv: Sequence[str] | None = None) -> int:
    wanted = [word.lower() for word in (sys.argv[1:] if argv is None else argv)]
    steps = [
        (title, action)
        for title, action in STEPS
        if not wanted or any(word in title.lower() for word in wanted)
    ]
    try:
        with tour() as t:
            print(f"demo folder: {t.workdir} (removed at the end)")
            for title, action in steps:
                t.step(title, action)
    except KeyboardInterrupt:
        print("\ninterrupted: every process and temporary folder was cleaned up", flush=True)
        return 130
    print("\nsummary:")
    for title, outcome, elapsed in t.results:
        print(f"  {elapsed:6.2f} s  {outcome.split(':')[0]:<8} {title}")
    skipped = [outcome for _, outcome, _ in t.results if outcome.startswith("skipped")]
    if skipped:
        print(f"\nsome steps were skipped; install what they name, e.g.: {SYSTEM_DEPS}")
    return 1 if any(outcome.startswith("FAILED") for _, outcome, _ in t.results) else 0


if __name__ == "__main__":
    sys.exit(main())
