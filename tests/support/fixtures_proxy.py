"""Real HTTP proxies with basic authentication for end-to-end tests: tinyproxy and squid.

Each proxy runs in the foreground from a config file in a temp dir, on a free loopback port,
and is stopped by its PID (testing-facts.md). tinyproxy starts in milliseconds and is the
default; squid is the strict one (exact 407s) and slower to stop. Quirk kept on purpose:
tinyproxy answers wrong credentials with 401 instead of 407, and the client must treat
both as ``proxy.auth_required``.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

import pytest

PROXY_USER = "fleet"
PROXY_PASSWORD = "Proxy-pa55word-7"  # tinyproxy 1.11 config tokens cannot hold "!"


def die_with_parent() -> None:
    """preexec_fn: on Linux, SIGTERM this child when the test process dies (no orphaned services
    after a killed pytest run). A no-op elsewhere."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, process: subprocess.Popen[bytes], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"proxy exited with {process.returncode} before listening")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.02)
    raise RuntimeError(f"proxy did not listen on {port} within {timeout}s")


def stop_process(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM a service this test started (by its PID), SIGKILL it if it lingers past 10 s."""
    if process.poll() is None:
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout=5)


@dataclass
class RunningProxy:
    kind: str
    port: int
    username: str | None
    password: str | None
    process: subprocess.Popen[bytes]
    directory: Path
    command: list[str] = field(default_factory=list)

    host = "127.0.0.1"

    def start_again(self) -> None:
        """After `stop()`: the same proxy (config, port, credentials) back up, as after a network outage."""
        assert self.process.poll() is not None, "stop it first"
        with open(self.directory / "proxy.log", "ab") as log:
            self.process = subprocess.Popen(self.command, stdout=subprocess.DEVNULL, stderr=log, cwd=self.directory,
                                            preexec_fn=die_with_parent)
        wait_for_port(self.port, self.process)

    def stop(self) -> None:
        stop_process(self.process)

    def log(self) -> str:
        path = self.directory / "proxy.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def access_log(self) -> str:
        """squid's access log: one line per finished request (a CONNECT when its tunnel closes)."""
        path = self.directory / "access.log"
        return path.read_text(errors="replace") if path.exists() else ""


def _tinyproxy(directory: Path, port: int, auth: tuple[str, str] | None, connect_ports: tuple[int, ...]) -> list[str]:
    # No LogFile: with -d tinyproxy logs to stderr, which the fixture sends to proxy.log. (A LogFile in
    # pytest's owner-only temp dir cannot be opened once tinyproxy drops privileges.)
    lines = [f"Port {port}", "Listen 127.0.0.1", "Timeout 60", "MaxClients 400", "Allow 127.0.0.1",
             "LogLevel Error", "DisableViaHeader Yes"]
    if auth:
        lines.append(f"BasicAuth {auth[0]} {auth[1]}")
    lines += [f"ConnectPort {p}" for p in connect_ports]
    config = directory / "tinyproxy.conf"
    config.write_text("\n".join(lines) + "\n")
    return [shutil.which("tinyproxy") or "tinyproxy", "-d", "-c", str(config)]


def _squid(directory: Path, port: int, auth: tuple[str, str] | None, connect_ports: tuple[int, ...]) -> list[str]:
    access_log = directory / "access.log"
    access_log.touch()
    os.chmod(access_log, 0o666)  # written by squid's unprivileged `proxy` user
    lines = [f"http_port 127.0.0.1:{port}", "pid_filename none", f"cache_log {directory / 'proxy.log'}",
             f"access_log stdio:{directory / 'access.log'}", "cache deny all", "cache_mem 8 MB", "shutdown_lifetime 0 seconds",
             f"coredump_dir {directory}", "acl localhost_src src 127.0.0.1/32", "max_filedescriptors 4096"]
    if connect_ports:
        lines.append("acl allowed_ports port " + " ".join(str(p) for p in connect_ports))
        lines.append("http_access deny CONNECT !allowed_ports")
    if auth:
        htpasswd = directory / "passwords"
        hashed = subprocess.run(["openssl", "passwd", "-apr1", "-stdin"], input=auth[1].encode(),
                                capture_output=True, check=True).stdout.decode().strip()
        htpasswd.write_text(f"{auth[0]}:{hashed}\n")
        os.chmod(htpasswd, 0o644)
        lines += [f"auth_param basic program /usr/lib/squid/basic_ncsa_auth {htpasswd}",
                  "auth_param basic children 5", "auth_param basic realm register-server-tests",
                  "acl authenticated proxy_auth REQUIRED", "http_access allow localhost_src authenticated"]
    else:
        lines.append("http_access allow localhost_src")
    lines.append("http_access deny all")
    config = directory / "squid.conf"
    config.write_text("\n".join(lines) + "\n")
    return [shutil.which("squid") or "/usr/sbin/squid", "-N", "-f", str(config)]


ProxyFactory = Callable[..., RunningProxy]


@pytest.fixture
def proxy_factory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ProxyFactory]:
    """Start proxies: ``proxy_factory(kind="tinyproxy"|"squid", auth=True, connect_ports=(), password=...)``
    (a `password` with spaces or punctuation needs squid: tinyproxy's config cannot hold it)."""
    started: list[RunningProxy] = []
    cleanup: list[Path] = []

    def start(kind: str = "tinyproxy", *, auth: bool = True, connect_ports: tuple[int, ...] = (),
              password: str = PROXY_PASSWORD) -> RunningProxy:
        if kind == "squid":
            # squid's auth helper runs as the unprivileged `proxy` user and must reach the password
            # file: pytest's temp root is owner-only, so squid gets a world-traversable dir in /tmp.
            directory = Path(tempfile.mkdtemp(prefix="rs-squid-"))
            os.chmod(directory, 0o755)
            cleanup.append(directory)
        else:
            directory = tmp_path_factory.mktemp(kind)
        port = free_port()
        credentials = (PROXY_USER, password) if auth else None
        build = _tinyproxy if kind == "tinyproxy" else _squid
        command = build(directory, port, credentials, connect_ports)
        with open(directory / "proxy.log", "wb") as log:
            process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=log, cwd=directory,
                                       preexec_fn=die_with_parent)
        proxy = RunningProxy(kind, port, credentials[0] if credentials else None,
                             credentials[1] if credentials else None, process, directory, command)
        started.append(proxy)
        wait_for_port(port, process)
        return proxy

    yield start
    for proxy in started:
        proxy.stop()
    for directory in cleanup:
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture
def auth_proxy(proxy_factory: ProxyFactory) -> RunningProxy:
    """A tinyproxy with basic authentication (user `PROXY_USER`, password `PROXY_PASSWORD`)."""
    return proxy_factory("tinyproxy", auth=True)
