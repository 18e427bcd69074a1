"""Start and stop a real, private Secret Service (dbus-daemon + gnome-keyring-daemon).

Why a private one: the demo must finish its registration in a plain root shell with no
desktop session (it starts one of these when no store is reachable, `register-server
demo`), and tests must meet the keyring the way a user's desktop session does (D-Bus, a
real collection, real locking) without touching the developer's own keyring and without
assuming anything is running. The demo and the tests use this same code. Each instance has its own bus, HOME and XDG
directories in a temporary folder; both daemons run in the foreground with real PIDs and
are killed by PID (the daemonised form can outlive its session, testing-facts.md).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

SECRETS_BUS_NAME = "org.freedesktop.secrets"
READY_TIMEOUT = 10.0
MAX_SOCKET_PATH = 100  # bytes; sockaddr_un holds 108 with the terminating NUL, kept with a margin


# A session bus without service activation: nothing starts behind the test's back (the
# system's org.freedesktop.secrets.service would otherwise launch a daemonised, locked
# gnome-keyring that the test does not own).
_BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path={socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""


class SecretServiceUnavailable(RuntimeError):
    """The Debian packages that provide a Secret Service are not installed."""


def start_private_secret_service(root: Path) -> "SecretService":
    """A running private Secret Service under `root`, unlocked with a random throw-away password."""
    import secrets

    return SecretService(root, secrets.token_urlsafe(18)).start()


@dataclass
class SecretService:
    """A running private Secret Service; `address` is its DBUS_SESSION_BUS_ADDRESS."""

    root: Path
    password: str
    address: str = ""
    bus: subprocess.Popen | None = None
    keyring_daemon: subprocess.Popen | None = None
    env: dict[str, str] = field(default_factory=dict)
    # The sockets' folder when `root` is too deep for them (see `_runtime_dir`); removed by stop().
    short_runtime: Path | None = field(default=None, repr=False)

    def start(self) -> "SecretService":
        for tool in ("dbus-daemon", "gnome-keyring-daemon"):
            if shutil.which(tool) is None:
                raise SecretServiceUnavailable(f"{tool} is not installed (scripts/setup.sh installs it; "
                                               "Debian: apt-get install gnome-keyring dbus-daemon)")
        self._prepare_dirs()
        if not self.address:
            self._start_bus()
        self.start_keyring()
        return self

    def start_keyring(self) -> None:
        """(Re)start gnome-keyring-daemon on this bus, unlocking with `self.password`."""
        self.keyring_daemon = subprocess.Popen(
            ["gnome-keyring-daemon", "--foreground", "--unlock", "--components=secrets"],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            env=self.env, start_new_session=True, preexec_fn=_die_with_parent)
        assert self.keyring_daemon.stdin is not None
        self.keyring_daemon.stdin.write(self.password.encode())
        self.keyring_daemon.stdin.close()
        self._wait_for_name(owned=True)

    def stop_keyring(self) -> None:
        _kill(self.keyring_daemon)
        self.keyring_daemon = None
        self._wait_for_name(owned=False)

    def stop(self) -> None:
        _kill(self.keyring_daemon)
        _kill(self.bus)
        self.keyring_daemon = self.bus = None
        if self.short_runtime is not None:
            shutil.rmtree(self.short_runtime, ignore_errors=True)
            self.short_runtime = None

    def _runtime_dir(self) -> Path:
        """Where the sockets go: `root/run`, unless that is too deep for a Unix socket path.

        A socket's path is limited to 107 bytes; the bus socket and gnome-keyring's
        `keyring/control` socket under a deep `root` (a long TMPDIR, pytest's folders) exceeded
        it and dbus-daemon exited without a word. Then a short private folder in /tmp is used.
        """
        run = self.root / "run"
        if self.short_runtime is not None:  # started again (tests restart the keyring daemon)
            return self.short_runtime
        if len(os.fsencode(run / "keyring" / "control")) <= MAX_SOCKET_PATH:
            return run
        import tempfile

        self.short_runtime = Path(tempfile.mkdtemp(prefix="rs-run-", dir="/tmp" if os.path.isdir("/tmp") else None))
        return self.short_runtime

    def _prepare_dirs(self) -> None:
        home = self.root / "home"
        dirs = {"HOME": home, "XDG_DATA_HOME": home / ".local/share", "XDG_CONFIG_HOME": home / ".config",
                "XDG_CACHE_HOME": home / ".cache", "XDG_RUNTIME_DIR": self._runtime_dir()}
        for path in dirs.values():
            path.mkdir(parents=True, exist_ok=True, mode=0o700)
        base = {k: v for k, v in os.environ.items() if k in ("PATH", "LANG", "LC_ALL")}
        self.env = {**base, **{k: str(v) for k, v in dirs.items()}}

    def _start_bus(self) -> None:
        socket = Path(self.env["XDG_RUNTIME_DIR"]) / "bus"
        config = self.root / "session.conf"
        config.write_text(_BUS_CONFIG.format(socket=socket))
        self.bus = subprocess.Popen(
            ["dbus-daemon", f"--config-file={config}", "--nofork", "--nopidfile", "--print-address=1"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=self.env,
            start_new_session=True, preexec_fn=_die_with_parent)
        assert self.bus.stdout is not None
        line = self.bus.stdout.readline().decode().strip()
        if not line:
            _kill(self.bus)
            raise RuntimeError("dbus-daemon did not print its address")
        self.address = line
        self.env["DBUS_SESSION_BUS_ADDRESS"] = line

    def _wait_for_name(self, *, owned: bool) -> None:
        from jeepney import DBusAddress, new_method_call
        from jeepney.io.blocking import open_dbus_connection

        dbus = DBusAddress("/org/freedesktop/DBus", bus_name="org.freedesktop.DBus",
                           interface="org.freedesktop.DBus")
        deadline = time.monotonic() + READY_TIMEOUT
        with open_dbus_connection(bus=self.address) as connection:
            while True:
                reply = connection.send_and_get_reply(new_method_call(dbus, "NameHasOwner", "s", (SECRETS_BUS_NAME,)))
                if bool(reply.body[0]) == owned:
                    return
                if self.keyring_daemon is not None and self.keyring_daemon.poll() is not None and owned:
                    raise RuntimeError(f"gnome-keyring-daemon exited with {self.keyring_daemon.returncode}")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{SECRETS_BUS_NAME} {'not ' if owned else 'still '}owned "
                                       f"after {READY_TIMEOUT} s")
                time.sleep(0.005)


def _die_with_parent() -> None:
    """Linux: the daemon gets SIGTERM when the process that started it dies, even by SIGKILL,
    so a killed demo or test never leaves a keyring daemon behind."""
    import ctypes
    import sys

    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _kill(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    try:
        os.kill(process.pid, signal.SIGTERM)
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=5)
    except ProcessLookupError:
        pass
    for stream in (process.stdout, process.stdin):
        if stream is not None:
            stream.close()


def run_inside(command: list[str]) -> int:
    """Run `command` with a fresh private Secret Service as its session's; its exit status.

    For build pipelines on headless machines: `packaging/build_linux.sh` self-tests the frozen
    app this way, because the self-test's `secret-store` check needs a store and a builder
    often has no desktop session. The keyring is thrown away with the command.
    """
    import tempfile

    with tempfile.TemporaryDirectory(prefix="register-server-secret-service-") as root:
        service = start_private_secret_service(Path(root))
        try:
            return subprocess.run(command, env={**os.environ, "DBUS_SESSION_BUS_ADDRESS": service.address}).returncode
        finally:
            service.stop()


if __name__ == "__main__":  # python -m wizard.core.secrets.private_service COMMAND [ARGS...]
    import sys

    if len(sys.argv) < 2:
        sys.stderr.write("usage: python -m wizard.core.secrets.private_service COMMAND [ARGS...]\n")
        sys.exit(2)
    sys.exit(run_inside(sys.argv[1:]))
