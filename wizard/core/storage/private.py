"""Private folders and files whatever the umask, and no following of planted symlinks.

`mkdir(mode=0o700)` is filtered by the umask only for the last folder; `parents=True` made the
others with the default mode, so under `umask 000` the state folder's parents came out
world-writable (and anyone could swap the state folder itself). Every folder this product
creates for its state or log is created here, one level at a time, and set to 0700 explicitly.
State files are opened with O_NOFOLLOW: a symlink planted where the lock or a record goes
is refused instead of followed to a file of the attacker's choosing.
"""

from __future__ import annotations

import os
from pathlib import Path

NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
CLOEXEC = getattr(os, "O_CLOEXEC", 0)


def make_private_dir(path: Path) -> Path:
    """Create `path` and any missing parents, each 0700 on POSIX (existing folders are left alone)."""
    missing: list[Path] = []
    current = path
    while not current.exists():
        missing.append(current)
        if current.parent == current:
            break
        current = current.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=0o700)
        except FileExistsError:
            continue  # made meanwhile by another process: not ours to change
        if os.name == "posix":
            os.chmod(folder, 0o700, follow_symlinks=False)
    return path


def open_private(path: Path, flags: int, mode: int = 0o600) -> int:
    """`os.open` without following a symlink at `path`; a file it creates is `mode` whatever the umask."""
    fd = os.open(path, flags | NOFOLLOW | CLOEXEC, mode)
    if os.name == "posix" and flags & os.O_CREAT:
        try:
            if os.fstat(fd).st_uid == os.geteuid():
                os.fchmod(fd, mode)
        except OSError:
            pass
    return fd
