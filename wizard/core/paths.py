"""Where the product keeps its state.

`--home DIR` or `REGISTER_SERVER_HOME` override the per-user default, so tests, demos
and several identities on one machine never share state by accident. A per-machine
Windows install uses ``%ProgramData%\register-server`` instead (`wizard.core.install_scope`).
"""

from __future__ import annotations

import os
from pathlib import Path

HOME_ENV = "REGISTER_SERVER_HOME"
# The registration record's file in the state directory. Declared here, beside the directory, so
# the wizard can ask "ever registered?" with one stat before its first paint, without loading the
# storage layer (wizard.ui.wizard._load_record).
REGISTRATION_FILE = "registration.json"


def state_dir(home: str | os.PathLike[str] | None = None) -> Path:
    """The state directory (not created here)."""
    if home:
        return Path(home).expanduser().resolve()
    if os.environ.get(HOME_ENV):
        return Path(os.environ[HOME_ENV]).expanduser().resolve()
    from wizard.core.install_scope import MACHINE, current_scope, machine_state_dir

    if current_scope() == MACHINE:  # a per-machine Windows install: one registration per server
        return machine_state_dir()
    import platformdirs

    return Path(platformdirs.user_data_dir("register-server", appauthor=False))
