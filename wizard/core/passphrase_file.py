"""The passphrase file: the one copy of the encryption passphrase a person keeps.

Why it is written the way it is: nobody can recover the passphrase, so the file must
(1) exist completely or not at all (atomic write; it is written before the passphrase is
used for anything else), (2) never replace another passphrase file by accident
(no-overwrite, `encryption.save_path_exists`), (3) be readable only by its owner, and
(4) explain itself to whoever finds it years later: which vault, which machine, when,
and why it must be kept.

Permissions: 0600 on POSIX. On Windows the temporary file gets, before the passphrase is
written into it, a protected ACL (nothing inherited from the folder) that grants full
control to the current user, the Administrators group and SYSTEM only, applied through the
Win32 security API (`wizard.core.windows_security`: the user's SID from the process token,
never parsed from `whoami`, no `icacls` run). The rename to the final name keeps that ACL.
If the ACL cannot be applied, nothing is written (`encryption.acl_failed`).
"""

from __future__ import annotations

import glob
import os
import re
from datetime import datetime, timezone
from pathlib import Path

from wizard.core.errors import RegisterServerError
from wizard.core.logs import remember_secret
from wizard.core.secret import Secret
from wizard.core.storage.atomic import TEMP_SUFFIX, atomic_write_text, remove_stale_temp_files, temp_prefix

MARKER = "PASSPHRASE: "
ON_WINDOWS = os.name == "nt"  # a name, so tests can take the Windows path with the ACL step faked

_TEMPLATE = """\
BACKUP ENCRYPTION PASSPHRASE - KEEP THIS FILE SAFE
==================================================

This file holds the encryption passphrase for the backups of the machine
"{machine}" in the backup vault "{vault}".
It was created on {created}.

Why keep it: the backups of this machine are encrypted with this passphrase.
You need it to restore them on another machine, and to register this machine
again (for example after reinstalling it). Nobody can recover the passphrase
for you: not the vault, not its administrators, not support. If every copy of
it is lost, the backups encrypted with it cannot be restored by anyone.

Keep this file somewhere other than the machine itself (another computer,
removable media kept safely, or a password manager), because a lost machine
must not take its passphrase with it.

Treat it like a password: anyone who has it, together with access to the
vault, can read these backups.

The passphrase is everything on the next line after "{marker}",
exactly as written (spaces included):
{marker}{passphrase}
"""


def render(passphrase: Secret, *, vault_name: str, machine_name: str, created: datetime) -> str:
    """The file's text (also shown by tests and docs)."""
    when = created if created.tzinfo else created.replace(tzinfo=timezone.utc)
    stamp = when.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
    return _TEMPLATE.format(machine=_one_line(machine_name), vault=_one_line(vault_name), created=stamp,
                            marker=MARKER, passphrase=passphrase.reveal())


def write_passphrase_file(path: Path | str, passphrase: Secret, *, vault_name: str, machine_name: str,
                          created: datetime) -> None:
    """Write the passphrase file at `path`: atomic, owner-only, never over an existing file."""
    if not isinstance(passphrase, Secret):
        raise TypeError("passphrase must be a Secret")
    value = passphrase.reveal()
    if not value or any(ch in value for ch in "\r\n"):
        raise ValueError("a passphrase is one non-empty line")
    remember_secret(passphrase)
    path = Path(path)
    if not path.parent.is_dir():
        raise RegisterServerError("encryption.save_dir_missing", detail=f"({path.parent})")
    # A writer killed earlier on a system without unnamed temporary files may have left part of
    # a passphrase file beside it: remove those leftovers of this very name before writing again.
    remove_stale_temp_files(path.parent, glob.escape(temp_prefix(path)) + "*" + TEMP_SUFFIX)
    text = render(passphrase, vault_name=vault_name, machine_name=machine_name, created=created)
    newline_text = text.replace("\n", "\r\n") if ON_WINDOWS else text  # Notepad-friendly on Windows
    try:
        atomic_write_text(path, newline_text, mode=0o600, overwrite=False,
                          before_write=restrict_to_owner if ON_WINDOWS else None)
    except RegisterServerError as error:
        if error.code != "state.write_failed":
            raise
        if error.reason == "acl_not_applied":
            raise RegisterServerError("encryption.acl_failed", detail=error.detail) from error
        # Say it about the passphrase file, so the wizard can send the user to the Encryption page.
        raise RegisterServerError("encryption.save_failed", reason=error.reason, detail=error.detail) from error


def read_secret_bytes(path: Path) -> bytes:
    """A secret file's bytes: a regular file of at most 64 KiB (never /dev/zero, a FIFO or a folder)."""
    from wizard.core.small_file import SECRET_FILE_LIMIT, UnsafeFile, read_small_file

    try:
        return read_small_file(path, SECRET_FILE_LIMIT)
    except UnsafeFile as exc:
        raise RegisterServerError("secrets.missing", reason=f"secret_file_{exc.reason}",
                                  detail=f"({exc.detail})") from None
    except OSError as exc:
        raise RegisterServerError("secrets.missing", reason="passphrase_file_unreadable",
                                  detail=f"({path}: {exc.strerror})") from None


def read_passphrase_file(path: Path | str) -> Secret:
    """The passphrase from a passphrase file (its marked line); `secrets.missing` if absent."""
    path = Path(path)
    raw = read_secret_bytes(path)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RegisterServerError("secrets.missing", reason="passphrase_file_not_text", detail=f"({path})") from None
    for line in text.splitlines():
        if line.startswith(MARKER):
            value = line[len(MARKER):]
            if value:
                secret = Secret(value)
                remember_secret(secret)
                return secret
    raise RegisterServerError("secrets.missing", reason="no_passphrase_line",
                              detail=f"({path} has no line starting with {MARKER.strip()!r})")


def restrict_to_owner(path: Path) -> None:  # pragma: no cover - Windows only
    """Leave only the current user, Administrators and SYSTEM on `path` (Windows)."""
    from wizard.core.windows_security import restrict_file_to_user

    restrict_file_to_user(path)


def _one_line(text: str) -> str:
    return re.sub(r"[\x00-\x1f\x7f]", "?", text)
