"""Recovery folder: a full local path to a folder that exists (or may be created), writable, with room."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from wizard.core import i18n
from wizard.core.i18n import ENGLISH, L_
from wizard.core.issues import Issue, Severity, issue
from wizard.core.model import RecoveryFolder
from wizard.core.volumes import existing_ancestor, free_space_bytes

FIELD = "recovery.folder"


def validate_recovery(recovery: RecoveryFolder) -> list[Issue]:
    """Cheap checks (no disk access): present and absolute."""
    if recovery.path is None or not str(recovery.path).strip():
        return [issue(FIELD, "recovery.folder_required")]
    if not recovery.path.is_absolute():
        return [issue(FIELD, "recovery.folder_not_absolute")]
    if recovery.space_needed_bytes is not None and recovery.space_needed_bytes < 0:
        return [issue("recovery.space_needed", "recovery.space_needed_invalid")]
    return []


def check_recovery_on_disk(recovery: RecoveryFolder) -> list[Issue]:
    """Disk checks: exists or may be created, is a folder, writable, enough free space."""
    found = validate_recovery(recovery)
    if found or recovery.path is None:
        return found
    path = recovery.path
    if path.is_file():
        return [issue(FIELD, "recovery.folder_is_file")]
    if not path.exists():
        if not recovery.create:
            return [issue(FIELD, "recovery.folder_missing")]
        found.append(issue(FIELD, "recovery.folder_missing", L_("It will be created."), Severity.INFO))
    anchor = existing_ancestor(path)
    if anchor is None or not os.access(anchor, os.W_OK | os.X_OK):
        found.append(issue(FIELD, "recovery.folder_not_writable"))
    elif (refusal := _probe_writable(anchor)) is not None:
        found.append(issue(FIELD, "recovery.folder_not_writable", refusal))
    if recovery.space_needed_bytes:
        free = free_space_bytes(path)
        if free is not None and free < recovery.space_needed_bytes:
            found.append(issue(FIELD, "recovery.not_enough_space",
                               L_("Free: {free}; needed: {needed}.", free=_size(free),
                                  needed=_size(recovery.space_needed_bytes))))
    return found


def _size(size: int) -> i18n.LocalText:
    """A size in a message's detail: English where the detail is kept (JSON, logs), the
    reader's notation where it is shown (``1.234,5 MB``)."""
    return i18n.LocalText(lambda language: i18n.format_size(size, language))


def _probe_writable(folder: Path) -> str | None:
    """Create and remove a probe folder in `folder`; the OS's reason when that fails.

    Why a real probe and not only `os.access`: for root, access() says yes to pseudo file
    systems (`/proc`, `/sys`) and to read-only mounts, where creating the recovery folder then
    fails at Register. The probe is what Register will do, minus leaving anything behind.
    """
    try:
        probe = tempfile.mkdtemp(prefix=".register-server-probe-", dir=folder)
    except OSError as error:
        return L_("{folder} does not accept new folders: {reason}.", folder=folder, reason=os.strerror(error.errno or 0))
    try:
        os.rmdir(probe)
    except OSError:
        pass
    return None


def format_size(size: int) -> str:
    """A size for the Space needed field, which `parse_size_text` reads back: Windows Explorer's
    units (GB = 1024^3 bytes) in English notation whatever the language (``1,234.5 MB``).
    Messages for people use ``i18n.format_size``, the same in their language."""
    return i18n.format_size(size, ENGLISH)


def parse_size_text(text: str) -> int | None:
    """ "50 GB" / "1.5 TB" / "1024" → bytes (binary units); None when unreadable."""
    units = {"": 1, "B": 1, "BYTES": 1, "KB": 1024, "MB": 1024 ** 2, "GB": 1024 ** 3, "TB": 1024 ** 4}
    stripped = text.strip().upper().replace(",", "")
    number = stripped.rstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ ")
    unit = stripped[len(number):].strip()
    try:
        value = float(number)
    except ValueError:
        return None
    if unit not in units or value < 0:
        return None
    return int(value * units[unit])
