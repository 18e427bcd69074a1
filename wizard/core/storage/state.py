"""The state directory: the registration record, settings and other saved files.

Why one store: every face (wizard, command line, diagnostics) must agree on where state
lives, that it is written atomically and that only one process changes it at a time.
Documents are JSON without secrets; secrets go to the keyring (`wizard.core.secrets`).
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
from pathlib import Path
from typing import Any, Iterator

from wizard.core.errors import RegisterServerError
from wizard.core.install_scope import is_machine_state
from wizard.core.paths import REGISTRATION_FILE, state_dir
from wizard.core.storage.atomic import (STALE_TEMP_AGE, TEMP_SUFFIX, atomic_write_text, fsync_directory,
                                        remove_stale_temp_files)
from wizard.core.storage.lock import DirectoryLock
from wizard.core.storage.private import make_private_dir, open_private
from wizard.core.windows_security import AclError, restrict_folder_to_machine

REGISTRATION = REGISTRATION_FILE


class StateStore:
    """The state directory of one identity (`--home`), created owner-only on first use."""

    def __init__(self, home: Path | str | None = None) -> None:
        self.root: Path = state_dir(home)
        self._lock = DirectoryLock(self.root)

    def ensure(self) -> Path:
        """Create the state directory (0700 on POSIX) if missing; return it."""
        try:
            if not self.root.is_dir():
                make_private_dir(self.root)  # 0700 on POSIX, parents included, whatever the umask
                if os.name != "posix" and is_machine_state(self.root):  # pragma: no cover - Windows only
                    restrict_folder_to_machine(self.root)  # before anything is written in it
        except AclError as exc:  # pragma: no cover - Windows only
            raise RegisterServerError("state.write_failed", reason="acl_not_applied",
                                      detail=f"({self.root}: {exc.strerror})") from exc
        except OSError as exc:
            raise RegisterServerError("state.write_failed", reason="folder_unavailable",
                                      detail=f"({self.root}: {exc.strerror})") from exc
        return self.root

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Hold the exclusive lock on the state directory; `state.locked` at once if taken."""
        self.ensure()
        with self._lock:
            self.remove_stale_temp_files()
            yield

    def remove_stale_temp_files(self, max_age: float = STALE_TEMP_AGE) -> list[Path]:
        """Delete temporary files a killed writer left in the state directory (see atomic.py)."""
        return remove_stale_temp_files(self.root, ".*" + TEMP_SUFFIX, max_age)

    def path(self, name: str) -> Path:
        """A file directly inside the state directory; `name` may not contain a separator."""
        if not name or name in (".", "..") or "/" in name or "\\" in name or os.sep in name:
            raise ValueError(f"not a plain file name: {name!r}")
        return self.root / name

    # -- JSON documents -------------------------------------------------------------------
    def load_json(self, name: str) -> Any | None:
        """The JSON document `name`, or None if it does not exist."""
        path = self.path(name)
        try:
            fd = open_private(path, os.O_RDONLY)
            with os.fdopen(fd, "r", encoding="utf-8") as stream:
                text = stream.read()
        except FileNotFoundError:
            return None
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise RegisterServerError("state.corrupt", reason="symlink",
                                          detail=f"({path} is a symbolic link; state files never are)") from None
            raise RegisterServerError("state.corrupt", reason="unreadable",
                                      detail=f"({path}: {exc.strerror})") from exc
        try:
            return json.loads(text)
        except ValueError:
            raise RegisterServerError("state.corrupt", reason="not_json", detail=f"({path})") from None

    def save_json(self, name: str, document: Any) -> None:
        """Save `document` atomically (owner-only). A `Secret` inside fails: secrets go to the keyring."""
        text = json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        self.ensure()
        atomic_write_text(self.path(name), text)

    def delete(self, name: str) -> None:
        """Remove the file `name` if present, durably."""
        try:
            self.path(name).unlink()
        except FileNotFoundError:
            return
        except OSError as exc:
            raise RegisterServerError("state.write_failed", reason="delete_failed",
                                      detail=f"({self.path(name)}: {exc.strerror})") from exc
        fsync_directory(self.root)

    # -- the registration record ------------------------------------------------------------
    def load_registration(self) -> dict[str, Any] | None:
        """The saved registration (settings without secrets), or None if not registered."""
        document = self.load_json(REGISTRATION)
        if document is not None and not isinstance(document, dict):
            raise RegisterServerError("state.corrupt", reason="not_an_object", detail=f"({self.path(REGISTRATION)})")
        return document

    def save_registration(self, record: dict[str, Any]) -> None:
        """Replace the registration record atomically."""
        self.save_json(REGISTRATION, record)

    def clear_registration(self) -> None:
        """Forget the registration (e.g. after unregistering)."""
        self.delete(REGISTRATION)
