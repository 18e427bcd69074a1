"""An exclusive, non-waiting lock on the state directory.

Why: two register-server processes registering at once would each create a machine key
and race to save the registration. The second one must be told at once, not hang.

The lock is an OS file lock on `<state dir>/.lock` (`fcntl.flock` on POSIX, `msvcrt.locking`
on Windows). The OS releases it when the process dies, even by `SIGKILL`, so there is no
stale-lock clean-up. The file itself stays; its presence means nothing.
"""

from __future__ import annotations

import errno
import os
import threading
from pathlib import Path
from types import TracebackType

from wizard.core.errors import RegisterServerError

LOCK_NAME = ".lock"


class DirectoryLock:
    """Re-entrant for the thread that holds it (nested `with` is fine); exclusive otherwise.

    Exclusive across processes (the OS lock), and across threads too: another thread that
    enters while one holds it gets `state.locked`, as a second process would, instead of
    silently sharing the lock (the wizard runs registration in a worker thread).
    """

    def __init__(self, directory: Path) -> None:
        self.path = Path(directory) / LOCK_NAME
        self._fd: int | None = None
        self._depth = 0
        self._owner: int | None = None
        self._guard = threading.RLock()

    def __enter__(self) -> None:
        with self._guard:
            if self._depth == 0:
                self._fd = self._acquire()
                self._owner = threading.get_ident()
            elif self._owner != threading.get_ident():
                raise RegisterServerError("state.locked", detail=f"(lock file {self.path}, held by another thread)")
            self._depth += 1

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        with self._guard:
            self._depth -= 1
            if self._depth == 0 and self._fd is not None:
                fd, self._fd, self._owner = self._fd, None, None
                _unlock(fd)
                os.close(fd)

    def _acquire(self) -> int:
        from wizard.core.storage.private import open_private

        try:
            fd = open_private(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            if exc.errno == errno.ELOOP:  # a symlink planted where the lock goes: never follow it
                raise RegisterServerError("state.write_failed", reason="lock_symlink",
                                          detail=f"({self.path} is a symbolic link; remove it)") from None
            raise RegisterServerError("state.write_failed", reason="lock_unavailable",
                                      detail=f"({self.path}: {exc.strerror})") from exc
        try:
            _lock(fd)
        except (BlockingIOError, PermissionError):
            os.close(fd)
            raise RegisterServerError("state.locked", detail=f"(lock file {self.path})") from None
        except OSError:
            os.close(fd)
            raise
        return fd


if os.name == "nt":  # pragma: no cover - exercised on Windows CI only
    import msvcrt

    def _lock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError as exc:  # EACCES / EDEADLOCK when held elsewhere
            raise BlockingIOError(str(exc)) from exc

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        except OSError:
            pass
else:
    import fcntl

    def _lock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
