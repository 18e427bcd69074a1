"""Real squid proxies that ask for Negotiate (Kerberos), NTLM, Digest and/or Basic sign-in.

Each scheme is squid's own helper from Debian's squid package: `negotiate_kerberos_auth`
with the test realm's HTTP/localhost keytab (a real Kerberos acceptor), `digest_file_auth`
with a plain user:password file, `basic_ncsa_auth`, and for NTLM `ntlm_fake_auth`, which runs
the real three-message NTLM handshake (squid ties it to one client connection) but accepts any
user without checking the password: Debian ships no NTLM verifier that works without a
Windows domain or winbind. Schemes are offered in the order given (squid lists them in
`auth_param` order). The proxy listens on 127.0.0.1 and is reached as `localhost`, the host
name of its Kerberos principal.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Callable, Iterator

import pytest

from tests.support.fixtures_proxy import PROXY_PASSWORD, PROXY_USER, RunningProxy, die_with_parent, free_port, \
    wait_for_port
from tests.support.fixtures_sign_in_kerberos import KerberosRealm

HELPERS = Path("/usr/lib/squid")
DIGEST_REALM = "register-server-tests"


def _scheme_lines(scheme: str, directory: Path, realm: KerberosRealm | None) -> list[str]:
    if scheme == "negotiate":
        assert realm is not None, "Negotiate needs the kerberos_realm fixture"
        return [f"auth_param negotiate program {HELPERS / 'negotiate_kerberos_auth'} -k {realm.keytab} "
                f"-s {realm.service_principal}",
                "auth_param negotiate children 5", "auth_param negotiate keep_alive on"]
    if scheme == "ntlm":
        return [f"auth_param ntlm program {HELPERS / 'ntlm_fake_auth'}", "auth_param ntlm children 5",
                "auth_param ntlm keep_alive on"]
    if scheme == "digest":
        passwords = directory / "digest-passwords"
        passwords.write_text(f"{PROXY_USER}:{PROXY_PASSWORD}\n")
        os.chmod(passwords, 0o644)
        return [f"auth_param digest program {HELPERS / 'digest_file_auth'} {passwords}",
                "auth_param digest children 5", f"auth_param digest realm {DIGEST_REALM}"]
    if scheme == "basic":
        hashed = subprocess.run(["openssl", "passwd", "-apr1", "-stdin"], input=PROXY_PASSWORD.encode(),
                                capture_output=True, check=True).stdout.decode().strip()
        passwords = directory / "basic-passwords"
        passwords.write_text(f"{PROXY_USER}:{hashed}\n")
        os.chmod(passwords, 0o644)
        return [f"auth_param basic program {HELPERS / 'basic_ncsa_auth'} {passwords}",
                "auth_param basic children 5", "auth_param basic realm register-server-tests"]
    raise ValueError(scheme)


def start_sign_in_squid(*schemes: str, realm: KerberosRealm | None = None,
                        connect_ports: tuple[int, ...] = ()) -> RunningProxy:
    """A squid asking for `schemes` (in that order), listening on a free loopback port; stop it
    with `.stop()` and remove its `.directory` (the fixture does both). Also used by benchmarks."""
    directory = Path(tempfile.mkdtemp(prefix="rs-squid-auth-"))
    os.chmod(directory, 0o755)  # the helpers run as the unprivileged `proxy` user and read files here
    port = free_port()
    lines = [f"http_port 127.0.0.1:{port}", "pid_filename none", f"cache_log {directory / 'proxy.log'}",
             "access_log none", "cache deny all", "cache_mem 8 MB", "shutdown_lifetime 0 seconds",
             f"coredump_dir {directory}", "acl localhost_src src 127.0.0.1/32", "max_filedescriptors 4096"]
    if connect_ports:
        lines += ["acl allowed_ports port " + " ".join(str(p) for p in connect_ports),
                  "http_access deny CONNECT !allowed_ports"]
    for scheme in schemes:
        lines += _scheme_lines(scheme, directory, realm)
    lines += ["acl authenticated proxy_auth REQUIRED", "http_access allow localhost_src authenticated",
              "http_access deny all"]
    (directory / "squid.conf").write_text("\n".join(lines) + "\n")
    command = [shutil.which("squid") or "/usr/sbin/squid", "-N", "-f", str(directory / "squid.conf")]
    env = {**os.environ, **(realm.env() if realm is not None else {})}
    with open(directory / "proxy.log", "wb") as log:
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=log, cwd=directory, env=env,
                                   preexec_fn=die_with_parent)
    proxy = RunningProxy("squid", port, PROXY_USER, PROXY_PASSWORD, process, directory, command)
    proxy.host = "localhost"  # type: ignore[misc]  # the Kerberos principal's host name
    try:
        wait_for_port(port, process)
    except RuntimeError:
        proxy.stop()
        raise
    return proxy


SignInSquidFactory = Callable[..., RunningProxy]


@pytest.fixture
def sign_in_squid() -> Iterator[SignInSquidFactory]:
    """``sign_in_squid("negotiate", "basic", realm=kerberos_realm)``: a squid asking for those schemes."""
    started: list[RunningProxy] = []

    def start(*schemes: str, realm: KerberosRealm | None = None) -> RunningProxy:
        proxy = start_sign_in_squid(*schemes, realm=realm)
        started.append(proxy)
        return proxy

    yield start
    for proxy in started:
        proxy.stop()
        shutil.rmtree(proxy.directory, ignore_errors=True)
