"""Per-machine or per-user: where a Windows install keeps its registration.

Why: a registration belongs to the server, not to the administrator who ran the wizard.
A per-machine install (the installer's default, `C:\\Program Files`) writes
``install-scope.txt`` containing ``machine`` beside the executable; the app then keeps its
state under ``%ProgramData%\\register-server`` (ACL: Administrators and SYSTEM only) and
its secrets protected by DPAPI in machine scope (`wizard.core.secrets.dpapi_file`), so
another administrator and the backup service running as SYSTEM see the same registration.
A per-user install (``user``, or no file: running from source, the Linux build) keeps
today's per-user state and Credential Manager.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Mapping

SCOPE_FILE = "install-scope.txt"
MACHINE = "machine"
USER = "user"


def read_scope(directory: Path) -> str:
    """The scope written beside the executable in `directory`; `user` when absent or unknown."""
    try:
        text = (directory / SCOPE_FILE).read_text(encoding="utf-8-sig", errors="replace")
    except OSError:
        return USER
    return MACHINE if text.strip().lower() == MACHINE else USER


def current_scope() -> str:
    """`machine` only for a frozen Windows app whose installer said so."""
    if os.name != "nt" or not getattr(sys, "frozen", False):
        return USER
    return read_scope(Path(sys.executable).resolve().parent)


def machine_state_dir(environ: Mapping[str, str] | None = None) -> Path:
    """``%ProgramData%\\register-server`` (``C:\\ProgramData`` when the variable is missing)."""
    env = os.environ if environ is None else environ
    return Path(env.get("ProgramData") or "C:\\ProgramData") / "register-server"


def is_machine_state(root: Path) -> bool:
    """Whether `root` is the machine-wide state folder of a per-machine install."""
    return current_scope() == MACHINE and root == machine_state_dir()
