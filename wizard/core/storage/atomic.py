"""Atomic file writes: the old content or the new, never a partial file.

Why: the passphrase file cannot be recreated and the registration record is what tells
the product this machine is registered. A crash, `SIGKILL`, a full disk or a read-only
volume in the middle of a save must leave what was there before.

How: write a temporary file in the same directory (same file system, so the final
rename is atomic), flush and fsync it, rename it over the target (`os.replace`), then
fsync the directory so the rename itself survives a power cut. On Linux the temporary file
is first an unnamed O_TMPFILE, so a kill before it is complete leaves no file at all. When the target must not
be overwritten, the final step is a hard link (fails if the name exists) or, where the
file system has no hard links (FAT on a USB stick), Linux's `renameat2(RENAME_NOREPLACE)`
or Windows' `os.rename`, which both refuse an existing name atomically.
"""

from __future__ import annotations

import errno
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

from wizard.core.errors import RegisterServerError

TEMP_SUFFIX = ".tmp"
STALE_TEMP_AGE = 60.0  # seconds after which a temporary file can no longer belong to a live writer

# errnos meaning "this file system cannot hard-link", where a no-overwrite rename is tried.
_NO_LINK_ERRNOS = {errno.EPERM, errno.EMLINK, errno.EXDEV, errno.ENOSYS,
                   getattr(errno, "ENOTSUP", -1), getattr(errno, "EOPNOTSUPP", -1)}


def temp_prefix(path: Path) -> str:
    """Temporary files are hidden siblings named after the target, so leftovers are recognisable."""
    return f".{path.name}."


def atomic_write_bytes(
    path: Path | str,
    data: bytes,
    *,
    mode: int = 0o600,
    overwrite: bool = True,
    before_write: Callable[[Path], None] | None = None,
) -> None:
    """Write `data` to `path` atomically with permissions `mode` (POSIX).

    `overwrite=False` raises `encryption.save_path_exists` if `path` exists, checked
    atomically at the final step. `before_write` is called with the (still empty)
    temporary file, e.g. to set a Windows ACL before any byte of a secret is written.
    Any `OSError` removes the temporary file and raises `state.write_failed`.
    """
    path = Path(path)
    directory = path.parent
    if not overwrite and path.exists():  # cheap early answer; the final step re-checks atomically
        raise RegisterServerError("encryption.save_path_exists", detail=f"({path})")
    tmp: Path | None = None
    try:
        fd = _open_anonymous(directory, mode)
        if fd is None:
            fd, tmp_name = tempfile.mkstemp(prefix=temp_prefix(path), suffix=TEMP_SUFFIX, dir=directory)
            tmp = Path(tmp_name)
        try:
            if os.name == "posix":
                os.fchmod(fd, mode)
            if before_write is not None:
                before_write(tmp if tmp is not None else Path(f"/proc/self/fd/{fd}"))
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fsync(fd)
            if tmp is None:  # anonymous file: give it a name now, complete as it is
                if not overwrite:
                    _link_anonymous(fd, path)
                else:
                    tmp = _link_anonymous_to_temp_name(fd, path)
        finally:
            os.close(fd)
        if overwrite:
            assert tmp is not None
            os.replace(tmp, path)
            tmp = None
        elif tmp is not None:
            _place_without_overwrite(tmp, path)
            tmp = None
        fsync_directory(directory)
    except RegisterServerError:
        raise
    except OSError as exc:
        raise RegisterServerError("state.write_failed", reason=_reason(exc),
                                  detail=f"({path}: {exc.strerror or type(exc).__name__})") from exc
    finally:
        if tmp is not None:
            _remove_quietly(tmp)


def remove_stale_temp_files(directory: Path, pattern: str, max_age: float = STALE_TEMP_AGE) -> list[Path]:
    """Delete temporary files a killed writer left in `directory` (glob `pattern`), if older than `max_age` s.

    Why: where no unnamed temporary file exists (Windows, macOS, FAT), a kill mid-write leaves
    a named one, possibly holding part of a secret. Only old ones go: a younger one may belong
    to a writer that is still running.
    """
    removed = []
    now = time.time()
    for candidate in directory.glob(pattern):
        try:
            if now - candidate.stat().st_mtime > max_age:
                candidate.unlink()
                removed.append(candidate)
        except OSError:
            continue
    return removed


def atomic_write_text(path: Path | str, text: str, *, encoding: str = "utf-8", **kw: object) -> None:
    """`atomic_write_bytes` for text; line endings are written exactly as given."""
    atomic_write_bytes(path, text.encode(encoding), **kw)  # type: ignore[arg-type]


def fsync_directory(directory: Path) -> None:
    """Make a rename or unlink in `directory` durable (POSIX; Windows has no directory fsync)."""
    if os.name != "posix":
        return
    try:
        dir_fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    except OSError as exc:  # some file systems (e.g. certain network mounts) refuse; the rename still happened
        if exc.errno not in (errno.EINVAL, errno.EBADF, errno.EROFS):
            raise
    finally:
        os.close(dir_fd)


def _open_anonymous(directory: Path, mode: int) -> int | None:
    """An unnamed file in `directory` (Linux O_TMPFILE): a crash before it is linked leaves nothing.

    None where unsupported (other OSes, FAT and other file systems without O_TMPFILE, no /proc);
    the caller then uses a named temporary file.
    """
    flag = getattr(os, "O_TMPFILE", None)
    if flag is None or not sys.platform.startswith("linux") or not os.path.isdir("/proc/self/fd"):
        return None
    try:
        return os.open(directory, flag | os.O_WRONLY | os.O_CLOEXEC, mode)
    except OSError as exc:
        if exc.errno in (errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL, getattr(errno, "ENOTSUP", -1)):
            return None
        raise


def _linkat_follow(fd: int, path: Path) -> None:
    """linkat(/proc/self/fd/N, path, AT_SYMLINK_FOLLOW); os.link uses plain link(2), which
    would link the /proc symlink itself, unless a dir_fd is given."""
    dir_fd = os.open(path.parent, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.link(f"/proc/self/fd/{fd}", path.name, dst_dir_fd=dir_fd, follow_symlinks=True)
    finally:
        os.close(dir_fd)


def _link_anonymous(fd: int, path: Path) -> None:
    """Name the O_TMPFILE file `path`; fails atomically if `path` exists."""
    try:
        _linkat_follow(fd, path)
    except FileExistsError:
        raise RegisterServerError("encryption.save_path_exists", detail=f"({path})") from None


def _link_anonymous_to_temp_name(fd: int, path: Path) -> Path:
    """Name the O_TMPFILE file with a fresh temporary name beside `path`, for os.replace."""
    import secrets

    for _ in range(100):
        candidate = path.parent / f"{temp_prefix(path)}{secrets.token_hex(6)}{TEMP_SUFFIX}"
        try:
            _linkat_follow(fd, candidate)
            return candidate
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no free temporary name", str(path))


def _place_without_overwrite(tmp: Path, path: Path) -> None:
    """Give `tmp` the name `path` unless that name exists, atomically; consumes `tmp`."""
    if os.name == "nt":
        try:
            os.rename(tmp, path)  # on Windows, rename refuses an existing destination
        except FileExistsError:
            raise RegisterServerError("encryption.save_path_exists", detail=f"({path})") from None
        return
    try:
        os.link(tmp, path)
    except FileExistsError:
        raise RegisterServerError("encryption.save_path_exists", detail=f"({path})") from None
    except OSError as exc:
        if exc.errno not in _NO_LINK_ERRNOS:
            raise
        _rename_noreplace(tmp, path)
        return
    _remove_quietly(tmp)


def _rename_noreplace(tmp: Path, path: Path) -> None:
    """rename(2) that fails if `path` exists: renameat2(RENAME_NOREPLACE) on Linux."""
    if sys.platform.startswith("linux"):
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = getattr(libc, "renameat2", None)
        if renameat2 is not None:
            at_fdcwd, rename_noreplace = -100, 1
            result = renameat2(at_fdcwd, os.fsencode(tmp), at_fdcwd, os.fsencode(path), rename_noreplace)
            if result == 0:
                return
            err = ctypes.get_errno()
            if err == errno.EEXIST:
                raise RegisterServerError("encryption.save_path_exists", detail=f"({path})")
            if err not in (errno.EINVAL, errno.ENOSYS):
                raise OSError(err, os.strerror(err), str(path))
    # Last resort (no hard links, no renameat2): check then rename. A race needs another
    # writer creating the same file name in the same instant.
    if path.exists():
        raise RegisterServerError("encryption.save_path_exists", detail=f"({path})")
    os.rename(tmp, path)


def _remove_quietly(path: Path) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def _reason(exc: OSError) -> str:
    from wizard.core.windows_security import AclError

    if isinstance(exc, AclError):
        return "acl_not_applied"
    names = {errno.ENOSPC: "disk_full", errno.EDQUOT: "quota_exceeded", errno.EFBIG: "file_too_large",
             errno.EROFS: "read_only", errno.EACCES: "permission_denied", errno.EPERM: "permission_denied",
             errno.ENOENT: "folder_missing"}
    return names.get(exc.errno or 0, "os_error")
