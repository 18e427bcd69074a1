"""A private desktop a screen reader could use: Xvfb, openbox and an AT-SPI bus on a D-Bus session.

What a blind administrator's machine has, minus the speech: the wizard runs on a real X
display with Qt's accessibility bridge on, and any AT-SPI client on the same session bus
(tests/ui/atspi_client.py, Orca) sees what it exposes. Every process is started here and
stopped by its PID (testing-facts.md: daemonised helpers outlive their session otherwise).
Debian packages: xvfb openbox at-spi2-core python3-pyatspi xdotool (scripts/setup.sh).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.fixtures_proxy import die_with_parent

BUS_LAUNCHER = Path("/usr/libexec/at-spi-bus-launcher")
SYSTEM_PYTHON = Path("/usr/bin/python3")  # Debian's pyatspi is importable there, not in the venv


def missing_tools() -> list[str]:
    """What this machine lacks for a private accessible desktop (empty when all is there)."""
    missing = [tool for tool in ("Xvfb", "openbox", "xdotool", "dbus-send") if shutil.which(tool) is None]
    if not BUS_LAUNCHER.exists():
        missing.append(str(BUS_LAUNCHER))
    probe = subprocess.run([str(SYSTEM_PYTHON), "-c", "import pyatspi"], capture_output=True) \
        if SYSTEM_PYTHON.exists() else None
    if probe is None or probe.returncode != 0:
        missing.append("python3-pyatspi for /usr/bin/python3")
    return missing


@dataclass
class Desktop:
    """The running display, window manager and accessibility bus; `env` is for the app and clients."""

    work: Path
    bus_address: str
    env: dict[str, str] = field(default_factory=dict)
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def start(self) -> "Desktop":
        runtime = self.work / "runtime"
        runtime.mkdir(mode=0o700, parents=True, exist_ok=True)
        read, write = os.pipe()
        xvfb = self._spawn(["Xvfb", "-displayfd", str(write), "-screen", "0", "1280x900x24", "-nolisten", "tcp"],
                           pass_fds=(write,))
        os.close(write)
        display = b""
        deadline = time.monotonic() + 20
        while not display.endswith(b"\n") and time.monotonic() < deadline and xvfb.poll() is None:
            display += os.read(read, 16)
        os.close(read)
        if not display.strip():
            raise RuntimeError("Xvfb did not start")
        self.env = {**os.environ, "DISPLAY": f":{display.decode().strip()}", "DBUS_SESSION_BUS_ADDRESS": self.bus_address,
                    "XDG_RUNTIME_DIR": str(runtime), "QT_ACCESSIBILITY": "1", "QT_LINUX_ACCESSIBILITY_ALWAYS_ON": "1",
                    "QT_QPA_PLATFORM": "xcb", "NO_AT_BRIDGE": "0"}
        self._spawn(["openbox", "--sm-disable"], env=self.env)
        self._spawn([str(BUS_LAUNCHER), "--launch-immediately"], env=self.env)
        self._wait_for_a11y_bus()
        return self

    def _spawn(self, argv: list[str], **kwargs: object) -> subprocess.Popen[bytes]:
        # Its own process group: the bus launcher's children (the a11y bus, the registry) stop with it.
        process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                   preexec_fn=_own_group_dying_with_parent, **kwargs)  # type: ignore[call-overload]
        self.processes.append(process)
        return process

    def _wait_for_a11y_bus(self, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            probe = subprocess.run(["dbus-send", "--session", "--print-reply", "--dest=org.a11y.Bus", "/org/a11y/bus",
                                    "org.a11y.Bus.GetAddress"], env=self.env, capture_output=True, text=True)
            if probe.returncode == 0 and "unix:" in probe.stdout:
                return
            time.sleep(0.05)
        raise RuntimeError("the AT-SPI bus did not come up")

    def stop(self) -> None:
        for process in reversed(self.processes):
            if process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGTERM)
                except ProcessLookupError:
                    continue
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait(timeout=5)
        self.processes.clear()


def _own_group_dying_with_parent() -> None:
    os.setpgid(0, 0)
    die_with_parent()
