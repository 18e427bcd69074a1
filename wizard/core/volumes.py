"""What kind of volume a path lives on: this server's own disk, a network share, or removable media.

The passphrase file should not live on the server it protects (if the server is lost, so
is the passphrase): the wizard warns when it would. The answer is best effort; "unknown"
never blocks anything.
"""

from __future__ import annotations

import os
import shutil
import sys
from enum import StrEnum
from pathlib import Path

NETWORK_FILESYSTEMS = frozenset({"nfs", "nfs4", "cifs", "smb3", "smbfs", "fuse.sshfs", "sshfs", "afs", "9p",
                                  "ceph", "glusterfs", "fuse.glusterfs", "davfs", "fuse.davfs2"})


class VolumeKind(StrEnum):
    LOCAL = "local"
    NETWORK = "network"
    REMOVABLE = "removable"
    UNKNOWN = "unknown"


def existing_ancestor(path: Path) -> Path | None:
    """The path itself or its nearest existing parent (free space and volume are asked of it)."""
    for candidate in (path, *path.parents):
        try:
            if candidate.exists():
                return candidate
        except OSError:
            return None
    return None


def free_space_bytes(path: Path) -> int | None:
    anchor = existing_ancestor(path)
    if anchor is None:
        return None
    try:
        return shutil.disk_usage(anchor).free
    except OSError:
        return None


def volume_kind(path: Path) -> VolumeKind:
    if str(path).startswith(("\\\\", "//")):
        return VolumeKind.NETWORK
    anchor = existing_ancestor(path)
    if anchor is None:
        return VolumeKind.UNKNOWN
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
        return _windows_kind(anchor)
    return _posix_kind(anchor)


def _windows_kind(path: Path) -> VolumeKind:  # pragma: no cover - Windows only
    import ctypes

    root = os.path.splitdrive(str(path.resolve()))[0] + "\\"
    kind = ctypes.windll.kernel32.GetDriveTypeW(ctypes.c_wchar_p(root))
    return {2: VolumeKind.REMOVABLE, 3: VolumeKind.LOCAL, 4: VolumeKind.NETWORK,
            5: VolumeKind.REMOVABLE}.get(kind, VolumeKind.UNKNOWN)


def _posix_kind(path: Path) -> VolumeKind:
    try:
        mounts = Path("/proc/self/mounts").read_text().splitlines()
    except OSError:
        return VolumeKind.UNKNOWN
    resolved = str(path.resolve())
    best: tuple[str, str, str] | None = None
    for line in mounts:
        parts = line.split()
        if len(parts) < 3:
            continue
        device, mount_point, fs_type = parts[0], parts[1].replace("\\040", " "), parts[2]
        inside = resolved == mount_point or resolved.startswith(mount_point.rstrip("/") + "/")
        if inside and (best is None or len(mount_point) > len(best[1])):
            best = (device, mount_point, fs_type)
    if best is None:
        return VolumeKind.UNKNOWN
    device, _, fs_type = best
    if fs_type in NETWORK_FILESYSTEMS:
        return VolumeKind.NETWORK
    if device.startswith("/dev/"):
        name = Path(device).name.rstrip("0123456789")
        removable = Path("/sys/block") / name / "removable"
        try:
            if removable.read_text().strip() == "1":
                return VolumeKind.REMOVABLE
        except OSError:
            pass
    return VolumeKind.LOCAL
