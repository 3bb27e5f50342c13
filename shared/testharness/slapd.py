"""A private OpenLDAP ``slapd`` on loopback ports, for LDAP plugin tests.

``start_slapd(workdir)`` writes a slapd.conf (mdb database, ``memberof`` overlay, optional
TLS with a certificate made at test time), starts slapd in the foreground on 127.0.0.1 and
loads LDIF with ``ldapadd``. Stop, freeze (SIGSTOP), thaw and restart it to test outages.
"""

from __future__ import annotations

import datetime
import ipaddress
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from testharness.ports import free_port
from testharness.process import ServerProcess, start_on_fresh_ports, thread_states

BASE_DN = "dc=example,dc=org"
ADMIN_DN = f"cn=admin,{BASE_DN}"
ADMIN_PASSWORD = "slapd-admin-test-password"  # noqa: S105 - a throwaway test directory
SCHEMAS = ("core", "cosine", "nis", "inetorgperson")
SLAPD_INSTALL = "DEBIAN_FRONTEND=noninteractive apt-get install -y slapd ldap-utils"


@dataclass
class TlsFiles:
    ca_file: Path
    cert_file: Path
    key_file: Path


@dataclass
class Slapd:
    """A running slapd: plain URL, ldaps URL (with TLS), its process and files."""

    slapd: str
    workdir: Path
    port: int
    tls: TlsFiles | None
    tls_port: int | None
    process: ServerProcess

    @property
    def url(self) -> str:
        return f"ldap://127.0.0.1:{self.port}"

    @property
    def ldaps_url(self) -> str:
        if self.tls_port is None:
            raise RuntimeError("this slapd was started without TLS")
        return f"ldaps://127.0.0.1:{self.tls_port}"

    def add_ldif(self, ldif: str, timeout: float = 30) -> None:
        """Add entries as the directory's admin (``ldapadd``); raise with its output on error."""
        proc = subprocess.run(
            ["ldapadd", "-x", "-H", self.url, "-D", ADMIN_DN, "-w", ADMIN_PASSWORD],
            input=ldif,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if proc.returncode != 0:
            raise RuntimeError(f"ldapadd failed ({proc.returncode}): {proc.stderr.strip()}")

    def bind_count(self, dn: str) -> int:
        """Binds as ``dn`` so far (needs ``start_slapd(..., log_stats=True)``)."""
        return self.process.log_path.read_text(errors="replace").count(f'BIND dn="{dn}" method=')

    def freeze(self, timeout: float = 10) -> None:
        """SIGSTOP: connections are still accepted by the kernel, nothing answers.

        Returns once every thread of slapd is stopped; raises if slapd is not running.
        """
        if not self.process.running:
            raise RuntimeError(f"cannot freeze {self.process.name}: it is not running")
        self.process.send_signal(signal.SIGSTOP)
        deadline = time.monotonic() + timeout
        while not _all_threads_stopped(self.process.pid):
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.process.name} did not stop within {timeout:g} s")
            time.sleep(0.01)

    def thaw(self) -> None:
        self.process.send_signal(signal.SIGCONT)

    def stop(self) -> None:
        self.process.stop()

    def restart(self) -> None:
        """Start again on the same ports with the same data (after :meth:`stop`)."""
        self.process.stop()
        self.process.start()


def _all_threads_stopped(pid: int) -> bool:
    """Every thread of ``pid`` is in state T (stopped); True where /proc cannot say."""
    try:
        return all(state in ("T", "t") for state in thread_states(pid))
    except OSError:
        return True


def slapd_conf(workdir: Path, tls: TlsFiles | None, idletimeout: int | None = None) -> str:
    lines = [f"include /etc/ldap/schema/{name}.schema" for name in SCHEMAS]
    if idletimeout is not None:  # close client connections idle this many seconds
        lines.append(f"idletimeout {idletimeout}")
    lines += [
        "modulepath /usr/lib/ldap",
        "moduleload back_mdb",
        "moduleload memberof",
        f"pidfile {workdir / 'slapd.pid'}",
        f"argsfile {workdir / 'slapd.args'}",
    ]
    if tls is not None:
        lines += [
            f"TLSCACertificateFile {tls.ca_file}",
            f"TLSCertificateFile {tls.cert_file}",
            f"TLSCertificateKeyFile {tls.key_file}",
        ]
    lines += [
        "database mdb",
        f'suffix "{BASE_DN}"',
        f'rootdn "{ADMIN_DN}"',
        f"rootpw {ADMIN_PASSWORD}",
        f"directory {workdir / 'data'}",
        "maxsize 104857600",
        "index objectClass,uid,cn,member,uniqueMember,memberUid eq",
        "overlay memberof",
        "access to attrs=userPassword by self write by anonymous auth by * none",
        "access to * by * read",
    ]
    return "\n".join(lines) + "\n"


def make_tls_files(folder: Path, name: str = "slapd") -> TlsFiles:
    """A self-signed CA and a server certificate for 127.0.0.1/localhost (cryptography)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    folder.mkdir(parents=True, exist_ok=True)
    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"{name} test CA")])
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    files = TlsFiles(
        ca_file=folder / f"{name}-ca.pem",
        cert_file=folder / f"{name}-cert.pem",
        key_file=folder / f"{name}-key.pem",
    )
    files.ca_file.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    files.cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    files.key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    files.key_file.chmod(0o600)
    return files


def start_slapd(
    slapd: str,
    workdir: Path,
    *,
    ldif: str = "",
    tls: bool = False,
    name: str = "slapd",
    start_timeout: float = 30,
    log_stats: bool = False,
    idletimeout: int | None = None,
) -> Slapd:
    """Start slapd (path from ``require_tool("slapd", SLAPD_INSTALL)``) and load ``ldif``.

    The base entry ``dc=example,dc=org`` is always created. Stop it with ``.stop()``.
    With ``log_stats`` the log holds one ``BIND dn=...`` line per bind (``bind_count``).
    ``idletimeout`` makes slapd drop connections idle that many seconds (as AD, NAT do).
    """
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "data").mkdir(exist_ok=True)
    tls_files = make_tls_files(workdir / "tls", name) if tls else None
    conf = workdir / "slapd.conf"
    conf.write_text(slapd_conf(workdir, tls_files, idletimeout))

    def build() -> tuple[ServerProcess, tuple[int, int | None]]:
        port = free_port()
        tls_port = free_port() if tls else None
        urls = f"ldap://127.0.0.1:{port}/"
        if tls_port is not None:
            urls += f" ldaps://127.0.0.1:{tls_port}/"
        process = ServerProcess(
            name,
            [slapd, "-d", "stats" if log_stats else "none", "-h", urls, "-f", str(conf)],
            workdir / f"{name}.log",
            ready=port,
            start_timeout=start_timeout,
        )
        return process, (port, tls_port)

    # slapd logs "bind(…) failed errno=98 (Address already in use)" for a taken port
    process, (port, tls_port) = start_on_fresh_ports(build, taken="errno=98")
    server = Slapd(
        slapd=slapd, workdir=workdir, port=port, tls=tls_files, tls_port=tls_port, process=process
    )
    try:
        server.add_ldif(
            f"dn: {BASE_DN}\nobjectClass: dcObject\nobjectClass: organization\n"
            "dc: example\no: Example\n"
        )
        if ldif:
            server.add_ldif(ldif)
    except BaseException:
        process.stop()
        raise
    return server
