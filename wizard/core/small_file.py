"""Reading a small file a user named, without trusting what is there.

A secret file (`passphrase_file`, `password_file`) or an answer file may name `/dev/zero`, a FIFO
nobody writes to, a folder, or a file of gigabytes: reading it "whole" then hung or ate memory.
`read_small_file` opens without blocking (a FIFO does not wait for a writer), refuses anything
that is not a regular file at once, and reads at most `limit` bytes, refusing a larger file.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

SECRET_FILE_LIMIT = 64 * 1024


class UnsafeFile(Exception):
    """The file cannot be read as a small regular file; `reason` is a stable word for the code."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


def read_small_file(path: Path | str, limit: int) -> bytes:
    """The bytes of `path`, a regular file of at most `limit` bytes; `UnsafeFile` or `OSError` otherwise."""
    path = Path(path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(path, flags)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise UnsafeFile("not_regular_file", f"{path} is not a regular file (a device, pipe or folder "
                                                 "cannot hold it)")
        if info.st_size > limit:
            raise UnsafeFile("too_large", f"{path} is {info.st_size} bytes, more than the {limit} allowed")
        chunks: list[bytes] = []
        size = 0
        while True:
            chunk = os.read(fd, min(65536, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:  # grew while being read
                raise UnsafeFile("too_large", f"{path} is more than the {limit} bytes allowed")
        return b"".join(chunks)
    finally:
        os.close(fd)
