"""How this product starts itself again as a child process (the demo's and the docs' vault).

Why: from source that is this interpreter with ``-m wizard``; in a frozen build (PyInstaller)
`sys.executable` is the product's own executable, which takes no ``-m``: the demo of the
installed product failed with "the local vault service did not start". On Windows the
Start-menu shortcut runs ``register-server-gui.exe``, which has no console streams, so a child
whose output is read is the console build beside it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

CONSOLE_EXE = "register-server.exe"


def self_command() -> list[str]:
    """The argv prefix that runs ``register-server`` again; append the subcommand and its options."""
    if not getattr(sys, "frozen", False):
        return [sys.executable, "-m", "wizard"]
    executable = Path(sys.executable)
    console = executable.with_name(CONSOLE_EXE)
    if sys.platform == "win32" and executable.name.lower() != CONSOLE_EXE and console.is_file():
        return [str(console)]
    return [str(executable)]


def self_environment(base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment for such a child: a frozen child sets itself up afresh rather than
    taking over the parent's bootloader state (PyInstaller's documented switch)."""
    env = dict(os.environ if base is None else base)
    if getattr(sys, "frozen", False):
        env["PYINSTALLER_RESET_ENVIRONMENT"] = "1"
    return env
