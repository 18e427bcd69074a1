"""A throw-away world for the screenshot run: private HOME, keyring, vault service and proxy.

Generating the docs registers a sample server for real, so it must never touch the
user's own keyring, state folder or vaults. Everything lives under one temporary root
with a fixed name (paths appear in the screenshots, so they must not be random); a lock
file keeps two generator runs from sharing it. Every process started here runs in the
foreground with a real PID and is stopped by that PID.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import IO

ROOT_NAME = "register-server-docs"
KEYRING_PASSWORD = "docs-sandbox-keyring"  # unlocks a keyring that is deleted at the end of the run


class SandboxError(RuntimeError):
    """A tool the screenshot run needs is missing or did not start (the message says which)."""


def stop(process: subprocess.Popen | None, timeout: float = 10.0) -> None:  # type: ignore[type-arg]
    """SIGTERM by PID, then SIGKILL if it does not exit in time."""
    if process is None or process.poll() is not None:
        return
    try:
        os.kill(process.pid, signal.SIGTERM)
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=5)
    except ProcessLookupError:
        pass


def die_with_parent() -> None:
    """preexec_fn: on Linux, SIGTERM this child if the generator is killed outright (no orphans)."""
    if sys.platform.startswith("linux"):
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _exit_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def free_port(preferred: int | None = None) -> int:
    for port in ([preferred] if preferred else []) + [0]:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return int(sock.getsockname()[1])
    raise SandboxError("no free TCP port on 127.0.0.1")


def _wait_for_port(port: int, process: subprocess.Popen, what: str, timeout: float = 15.0) -> None:  # type: ignore[type-arg]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SandboxError(f"{what} exited with status {process.returncode} before listening")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.02)
    raise SandboxError(f"{what} did not listen on port {port} within {timeout:.0f} s")


def _require(tool: str) -> str:
    found = shutil.which(tool) or (f"/usr/sbin/{tool}" if Path(f"/usr/sbin/{tool}").exists() else None)
    if found is None:
        raise SandboxError(f"{tool} is not installed; scripts/setup.sh installs it")
    return found


@dataclass
class Vault:
    url: str
    ca_file: Path
    data_dir: Path


@dataclass
class Proxy:
    port: int
    username: str
    password: str


class Sandbox:
    """Use as a context manager; `env` is the environment for the capture process."""

    def __init__(self) -> None:
        self.root = Path(tempfile.gettempdir()) / ROOT_NAME
        self.env: dict[str, str] = {}
        self._stack = ExitStack()
        self._lock: IO[str] | None = None

    # --- lifecycle ---------------------------------------------------------------------------
    def __enter__(self) -> "Sandbox":
        try:
            self._enter()
        except BaseException:
            self.__exit__()  # a keyring that failed to start must not leave its bus running
            raise
        return self

    def _enter(self) -> None:
        lock_path = Path(tempfile.gettempdir()) / f"{ROOT_NAME}.lock"
        # O_NOFOLLOW: a symlink planted at this shared /tmp path must not make us truncate its target.
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)
        self._lock = os.fdopen(fd, "r+")
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise SandboxError(f"another `register-server docs` run holds {lock_path}") from None
        # Stopped from outside (SIGTERM): unwind normally so every child is stopped by its PID.
        previous = signal.signal(signal.SIGTERM, _exit_on_sigterm)
        self._stack.callback(signal.signal, signal.SIGTERM, previous)
        shutil.rmtree(self.root, ignore_errors=True)
        try:
            self.root.mkdir(mode=0o700)  # fails on anything left there that we could not remove
        except FileExistsError:
            raise SandboxError(f"{self.root} exists and cannot be removed; remove it and try again") from None
        self._stack.callback(shutil.rmtree, self.root, True)
        home = self.root / "home"
        dirs = {"HOME": home, "XDG_DATA_HOME": home / ".local/share", "XDG_CONFIG_HOME": home / ".config",
                "XDG_CACHE_HOME": home / ".cache", "XDG_RUNTIME_DIR": self.root / "run"}
        for path in dirs.values():
            path.mkdir(parents=True, exist_ok=True, mode=0o700)
        keep = ("PATH", "LANG", "LC_ALL", "PYTHONPATH", "VIRTUAL_ENV")
        from wizard.self_command import self_environment

        self.env = self_environment({k: v for k, v in os.environ.items() if k in keep})
        self.env.update({k: str(v) for k, v in dirs.items()})
        self.env.update({"QT_QPA_PLATFORM": "offscreen", "QT_NO_XDG_DESKTOP_PORTAL": "1", "TZ": "UTC",
                         "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "REGISTER_SERVER_HOME": str(self.root / "state")})
        self._start_keyring()

    def __exit__(self, *exc: object) -> None:
        try:
            self._stack.close()
        finally:
            if self._lock is not None:
                self._lock.close()

    def _spawn(self, command: list[str], **kw: object) -> subprocess.Popen:  # type: ignore[type-arg]
        process = subprocess.Popen(command, env=self.env, start_new_session=True,  # type: ignore[call-overload]
                                   preexec_fn=die_with_parent, **kw)
        self._stack.callback(stop, process)
        return process

    # --- private Secret Service -------------------------------------------------------------
    def _start_keyring(self) -> None:
        """The product's private Secret Service (the demo's and the tests'): registration stores
        the passphrase there. Its daemons are stopped by PID when the sandbox closes."""
        from wizard.core.secrets.private_service import SecretService, SecretServiceUnavailable

        service = SecretService(self.root / "secret-service", KEYRING_PASSWORD)
        self._stack.callback(service.stop)
        try:
            service.start()
        except SecretServiceUnavailable as error:
            raise SandboxError(str(error)) from None
        except RuntimeError as error:  # a daemon did not start or did not take its bus name
            raise SandboxError(f"the private Secret Service did not start: {error}") from None
        self.env["DBUS_SESSION_BUS_ADDRESS"] = service.address

    # --- the local vault service -------------------------------------------------------------
    def start_vault(self) -> Vault:
        data = self.root / "vault-data"
        from wizard.self_command import self_command

        process = self._spawn([*self_command(), "vault", "serve", "--data", str(data),
                               "--port", "0", "--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line: list[str] = []
        reader = threading.Thread(target=lambda: line.append(process.stdout.readline()), daemon=True)
        reader.start()
        reader.join(30)
        if not line or not line[0].strip():
            stop(process)
            raise SandboxError("the local vault service did not start: " + (process.stderr.read()[-1000:]
                                                                           if process.stderr else ""))
        threading.Thread(target=lambda: process.stderr.read(), daemon=True).start()
        ready = json.loads(line[0])
        return Vault(ready["url"], Path(ready["ca_file"]), data)

    # --- a real proxy with basic authentication ---------------------------------------------
    def start_proxy(self, username: str, password: str, *, preferred_port: int, connect_port: int) -> Proxy:
        """tinyproxy in the foreground, allowing CONNECT to the vault's port only."""
        tinyproxy = _require("tinyproxy")
        folder = self.root / "proxy"
        folder.mkdir(mode=0o755)
        port = free_port(preferred_port)
        lines = [f"Port {port}", "Listen 127.0.0.1", "Timeout 60", "Allow 127.0.0.1", "LogLevel Error",
                 f"LogFile \"{folder / 'proxy.log'}\"", "DisableViaHeader Yes",
                 f"BasicAuth {username} {password}", f"ConnectPort {connect_port}"]
        if os.geteuid() == 0:
            lines += ["User nobody", "Group nogroup"]
            os.chmod(self.root, 0o755)  # tinyproxy drops to nobody and must reach its log
        (folder / "proxy.log").touch(mode=0o666)
        os.chmod(folder / "proxy.log", 0o666)
        config = folder / "tinyproxy.conf"
        config.write_text("\n".join(lines) + "\n")
        process = self._spawn([tinyproxy, "-d", "-c", str(config)], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, cwd=folder)
        _wait_for_port(port, process, "tinyproxy")
        return Proxy(port, username, password)
