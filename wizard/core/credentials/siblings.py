"""Is there a newer credentials file for the same vault next to this one?

Each download supersedes the previous file, and people keep several in Downloads. When a
newer one lies in the same folder, the file the user chose will be refused by the vault,
so the wizard and `check-credentials` warn before anything touches the network.

How "newer" is decided: a sibling is a file in the same folder whose name ends in
``.VaultCredentials`` (any case), within the size cap, that parses as a 2.0 file with a
usable certificate (its own validity window is *not* checked: a newer file supersedes
this one even if it has expired itself). It is for the same vault when subscription id
and vault name (both case-insensitive) and resource id are equal, and it is newer when
its certificate's not-before is later. File dates are not trusted (copies reset them);
the certificate's not-before is the moment of issue minus a fixed backdate.

Cheap by construction: only the `MAX_SIBLINGS` most recently modified candidates are
opened, and unreadable or invalid ones are silently ignored.
"""

from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path

from wizard.core import limits
from wizard.core.credentials.model import VaultCredentials
from wizard.core.credentials.reader import _read
from wizard.core.errors import RegisterServerError

MAX_SIBLINGS = 32


def _same_vault(a: VaultCredentials, b: VaultCredentials) -> bool:
    return (
        a.subscription_id.lower() == b.subscription_id.lower()
        and a.vault_name.lower() == b.vault_name.lower()
        and a.resource_id == b.resource_id
    )


def _candidates(path: Path) -> list[Path]:
    folder = path.parent
    suffix = limits.CREDENTIALS_EXTENSION.lower()
    try:
        own = os.path.normcase(os.path.abspath(path))
        entries = []
        with os.scandir(folder) as it:
            for entry in it:
                if not entry.name.lower().endswith(suffix):
                    continue
                if os.path.normcase(os.path.abspath(entry.path)) == own:
                    continue
                try:
                    info = entry.stat()
                except OSError:
                    continue
                if entry.is_file() and info.st_size <= limits.CREDENTIALS_MAX_BYTES:
                    entries.append((info.st_mtime, Path(entry.path)))
    except OSError:
        return []
    entries.sort(key=lambda pair: pair[0], reverse=True)
    return [p for _, p in entries[:MAX_SIBLINGS]]


def newer_sibling(path: Path, creds: VaultCredentials) -> Path | None:
    """The newest file in `path`'s folder issued for the same vault after `creds`, or None."""
    best: tuple[datetime, Path] | None = None
    now = datetime.now(timezone.utc)  # unused for the decision: the validity window is not checked
    for candidate in _candidates(Path(path)):
        try:
            other = _read(candidate, now=now, check_validity=False)
        except (RegisterServerError, ValueError):
            continue
        if not _same_vault(creds, other) or other.not_before <= creds.not_before:
            continue
        if best is None or other.not_before > best[0]:
            best = (other.not_before, candidate)
    return best[1] if best else None


# Refusals a newer download beside the file would cure; any other problem is the file's own.
_CURED_BY_A_NEWER_FILE = ("credentials.expired", "credentials.not_yet_valid")


def newer_sibling_for_refused(path: Path, error: RegisterServerError) -> Path | None:
    """For a file refused only for its validity window: a newer file for the same vault beside it.

    Why: people keep several downloads in one folder and pick an old one; "expired" alone sends
    them to download yet another file when the right one is already next to it.
    """
    if error.code not in _CURED_BY_A_NEWER_FILE:
        return None
    try:
        creds = _read(Path(path), now=datetime.now(timezone.utc), check_validity=False)
    except (RegisterServerError, ValueError):
        return None
    return newer_sibling(path, creds)
