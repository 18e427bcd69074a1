"""A throw-away MIT Kerberos realm on loopback: KDC, the proxy's HTTP/localhost key, a user.

Why real: integrated sign-in is only honest against a real KDC and a real acceptor (squid's
`negotiate_kerberos_auth` with a keytab). The realm lives in a temp folder with its own
`KRB5_CONFIG`/`KRB5_KDC_PROFILE`, `krb5kdc` runs in the foreground on a free port and is stopped
by its PID; nothing touches /etc/krb5.conf. Created once per test session (a few seconds).
Tickets go into private caches (`FILE:` paths in the realm folder), never the user's.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest

from tests.support.fixtures_proxy import die_with_parent, free_port, stop_process, wait_for_port

REALM = "REGISTER.TEST"
PROXY_SERVICE_HOST = "localhost"  # the proxy's host name as the client names it: HTTP/localhost@REALM
USER = "alice"
USER_PASSWORD = "Kerberos-pa55-alice"


@dataclass
class KerberosRealm:
    directory: Path
    kdc_port: int
    process: subprocess.Popen[bytes]

    @property
    def keytab(self) -> Path:
        return self.directory / "http.keytab"

    @property
    def service_principal(self) -> str:
        return f"HTTP/{PROXY_SERVICE_HOST}@{REALM}"

    @property
    def config(self) -> Path:
        return self.directory / "krb5.conf"

    def env(self) -> dict[str, str]:
        """What a process of this realm needs (the client and squid's helper)."""
        return {"KRB5_CONFIG": str(self.config), "KRB5_KDC_PROFILE": str(self.directory / "kdc.conf")}

    def ticket_cache(self, name: str) -> str:
        """A `FILE:` cache path of its own for `name` (empty until `kinit`)."""
        return f"FILE:{self.directory / f'ccache-{name}'}"

    def kinit(self, cache: str, user: str = USER, password: str = USER_PASSWORD) -> None:
        subprocess.run(["kinit", f"{user}@{REALM}"], input=(password + "\n").encode(), check=True,
                       capture_output=True, env={**os.environ, **self.env(), "KRB5CCNAME": cache}, timeout=30)

    def stop(self) -> None:
        stop_process(self.process)


def _write_configs(directory: Path, port: int) -> None:
    (directory / "krb5.conf").write_text(
        "[libdefaults]\n"
        f" default_realm = {REALM}\n dns_lookup_realm = false\n dns_lookup_kdc = false\n rdns = false\n"
        " udp_preference_limit = 1\n"
        "[realms]\n"
        f" {REALM} = {{\n  kdc = 127.0.0.1:{port}\n }}\n"
        "[domain_realm]\n"
        f" localhost = {REALM}\n")
    (directory / "kdc.conf").write_text(
        "[kdcdefaults]\n"
        f" kdc_ports = {port}\n kdc_tcp_ports = {port}\n"
        "[realms]\n"
        f" {REALM} = {{\n  database_name = {directory / 'principal'}\n"
        f"  key_stash_file = {directory / 'stash'}\n  acl_file = {directory / 'kadm5.acl'}\n"
        f"  kdc_ports = {port}\n  kdc_tcp_ports = {port}\n }}\n"
        "[logging]\n"
        f" kdc = FILE:{directory / 'kdc.log'}\n")
    (directory / "kadm5.acl").write_text("")


def start_realm() -> KerberosRealm:
    # World-traversable: squid's helper runs as the unprivileged `proxy` user and reads the keytab.
    directory = Path(tempfile.mkdtemp(prefix="rs-krb5-"))
    os.chmod(directory, 0o755)
    port = free_port()
    _write_configs(directory, port)
    env = {**os.environ, "KRB5_CONFIG": str(directory / "krb5.conf"),
           "KRB5_KDC_PROFILE": str(directory / "kdc.conf")}

    def run(*command: str) -> None:
        subprocess.run(command, check=True, capture_output=True, env=env, timeout=60)

    run("kdb5_util", "-r", REALM, "create", "-s", "-P", "master-key-for-tests")
    run("kadmin.local", "-r", REALM, "-q", f"addprinc -randkey HTTP/{PROXY_SERVICE_HOST}")
    run("kadmin.local", "-r", REALM, "-q", f"ktadd -k {directory / 'http.keytab'} HTTP/{PROXY_SERVICE_HOST}")
    run("kadmin.local", "-r", REALM, "-q", f"addprinc -pw {USER_PASSWORD} {USER}")
    os.chmod(directory / "http.keytab", 0o644)
    with open(directory / "krb5kdc.out", "wb") as log:
        process = subprocess.Popen(["krb5kdc", "-n", "-r", REALM], env=env, stdout=log, stderr=log,
                                   preexec_fn=die_with_parent)
    realm = KerberosRealm(directory, port, process)
    try:
        wait_for_port(port, process)
    except RuntimeError:
        realm.stop()
        raise
    return realm


@pytest.fixture(scope="session")
def kerberos_realm() -> Iterator[KerberosRealm]:
    """A running realm `REGISTER.TEST` with `HTTP/localhost` in a keytab and the user `alice`."""
    if not (shutil.which("krb5kdc") or Path("/usr/sbin/krb5kdc").exists()):
        pytest.fail("krb5kdc is missing: run scripts/setup.sh (it installs krb5-kdc, krb5-admin-server, krb5-user)")
    realm = start_realm()
    yield realm
    realm.stop()
    shutil.rmtree(realm.directory, ignore_errors=True)
