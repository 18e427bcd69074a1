"""The fix printed for a bare server is a command that works: pasted into such a shell, it makes
the secret store usable (the self-test's secret-store check passes), and the password it asks
for is read without echo, so it never shows on screen, in argv or in the shell's history."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from wizard.core.secrets.advice import START_KEYRING, advice_for

ROOT = Path(__file__).resolve().parents[3]
pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux") or shutil.which("dbus-run-session") is None
                                or shutil.which("gnome-keyring-daemon") is None,
                                reason="the Linux advice needs dbus-run-session and gnome-keyring (scripts/setup.sh)")


def _bare_shell_env(home: Path) -> dict[str, str]:
    """A root shell over SSH: no session bus, no display, no runtime dir; a fresh HOME."""
    drop = {"DBUS_SESSION_BUS_ADDRESS", "DISPLAY", "WAYLAND_DISPLAY", "XDG_RUNTIME_DIR", "PYTHON_KEYRING_BACKEND"}
    env = {k: v for k, v in os.environ.items() if k not in drop and not k.startswith("XDG_")}
    return {**env, "HOME": str(home), "QT_QPA_PLATFORM": "offscreen", "REGISTER_SERVER_SELF_TEST_CHECKS": "secret-store"}


def _stop_daemons_of(home: Path) -> None:
    """The daemonised gnome-keyring the command started can outlive its bus: stop it by PID."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue
        if f"HOME={home}".encode() in environ.split(b"\0") and b"gnome-keyring" in (entry / "cmdline").read_bytes():
            try:
                os.kill(int(entry.name), signal.SIGTERM)
            except ProcessLookupError:
                pass


def test_the_printed_commands_make_the_store_usable_in_a_bare_shell(tmp_path: Path) -> None:
    env = _bare_shell_env(tmp_path / "home")
    (tmp_path / "home").mkdir()
    fix = subprocess.run([sys.executable, "-c", "from wizard.core.secrets.advice import advice_for; "
                          "print(advice_for('secrets.unavailable'))"], env=env, capture_output=True, text=True,
                         cwd=ROOT, timeout=60).stdout
    assert "`dbus-run-session -- bash`" in fix and f"`{START_KEYRING}`" in fix
    self_test = f"{sys.executable} -m wizard --self-test"
    script = f"{START_KEYRING}\n{self_test}\n"  # what the administrator types inside dbus-run-session -- bash
    try:
        done = subprocess.run(["dbus-run-session", "--", "bash", "-c", script], input="chosen-pw\n",
                              env=env, capture_output=True, text=True, cwd=ROOT, timeout=120)
    finally:
        _stop_daemons_of(tmp_path / "home")
    assert "ok   secret-store:" in done.stdout, done.stdout + done.stderr
    assert "chosen-pw" not in done.stdout + done.stderr


def test_the_password_is_read_not_typed_on_a_command_line() -> None:
    assert START_KEYRING.startswith("read -rsp ") and "unset pw" in START_KEYRING
    assert "--unlock" in START_KEYRING and "printf '%s' \"$pw\" |" in START_KEYRING  # a builtin: not in argv
    assert START_KEYRING in advice_for("secrets.locked")
