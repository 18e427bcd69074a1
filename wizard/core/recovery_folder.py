"""Preparing the recovery folder: create it when the settings allow, owner-only on POSIX.

The wizard asks before creating a missing folder; an answer file says so with
`create = true`. A failure is reported as `recovery.folder_not_writable`, naming the
folder and the operating system's reason.
"""

from __future__ import annotations

import os

from wizard.core.errors import RegisterServerError
from wizard.core.model import RecoveryFolder


def prepare_recovery_folder(recovery: RecoveryFolder) -> bool:
    """Create the folder if it is missing and `create` is set; True when it was created."""
    path = recovery.path
    if path is None or path.is_dir() or not recovery.create:
        return False
    try:
        path.mkdir(parents=True, mode=0o700)
    except FileExistsError:
        return False
    except OSError as error:
        raise RegisterServerError("recovery.folder_not_writable",
                                  detail=f"{path} could not be created: {os.strerror(error.errno or 0)}.") from None
    return True
