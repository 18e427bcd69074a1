"""What to run to get a secret store, for this operating system only.

Why its own module: the catalogue's fix for `secrets.unavailable` must fit every system,
so it cannot name a command; an administrator on a bare Debian server needs the command for
that server, and a Windows administrator must not read Linux instructions (nor the other
way round). This picks the sentence for the system the process runs on, from facts it can
see (session bus set? gnome-keyring installed?), and never suggests a plain-text store.
"""

from __future__ import annotations

import os
import shutil
import sys

_DEBIAN_PACKAGES = "gnome-keyring dbus-daemon"


def advice_for(code: str) -> str:
    """The fix for a secret-store problem `code` (`secrets.unavailable` / `secrets.locked`) here."""
    if sys.platform == "win32":
        if code == "secrets.locked":
            return "Sign in to Windows as this account again (Credential Manager unlocks with the sign-in)."
        return ("Start the Credential Manager service: run `sc start VaultSvc` in an administrator "
                "command prompt, then click Check again (or run the command again).")
    if sys.platform == "darwin":
        return "Unlock the login keychain in Keychain Access, then try again."
    return _linux_advice(code)


# One line to paste: reads the keyring's password without echo (it never shows on screen, in
# argv or in the shell's history), starts gnome-keyring on this session's bus with it (creating
# the login keyring on first use, unlocking it afterwards) and forgets it.
START_KEYRING = ("read -rsp 'Keyring password: ' pw && echo && printf '%s' \"$pw\" | "
                 "gnome-keyring-daemon --replace --unlock --components=secrets --daemonize >/dev/null; unset pw")


def _linux_advice(code: str) -> str:
    start_keyring = f"`{START_KEYRING}`"
    if code == "secrets.locked":
        return ("Unlock the login keyring: in a desktop session, open Passwords and Keys; in a shell, run "
                f"{start_keyring} and type its password, then try again.")
    install = ""
    if shutil.which("gnome-keyring-daemon") is None or shutil.which("dbus-run-session") is None:
        install = f"Install a Secret Service: `apt-get install {_DEBIAN_PACKAGES}`. Then "
    bus = os.environ.get("DBUS_SESSION_BUS_ADDRESS", "")
    if not bus or bus.startswith("disabled:"):
        start = ("this shell has no D-Bus session (as over SSH or in a root shell): start one with "
                 f"`dbus-run-session -- bash`, in it run {start_keyring} (the password you choose unlocks "
                 "the same keyring next time), then run register-server in that shell. "
                 "`register-server demo` starts a private one by itself.")
    else:
        start = (f"start the keyring in this session: run {start_keyring} (the password you choose unlocks "
                 "the same keyring next time), then try again.")
    return (install + start) if install else start[0].upper() + start[1:]
