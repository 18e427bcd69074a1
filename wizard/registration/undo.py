"""`RunUndo`: what one registration run created, so a failed run can take it back.

A run that fails before the vault accepted the registration must leave the machine as it
found it: otherwise its passphrase file (holding a passphrase that was never in force)
blocks every retry with `encryption.save_path_exists`, and with `generate = true` a fleet
script can never succeed again. The run records each thing as it creates it (the
passphrase file, the recovery folder, each keyring entry with the value it replaced) and,
on failure, `undo()` removes or restores them, newest first.

When the vault *may* have accepted (the registration request was sent and no refusal
came back: the answer was lost), nothing is undone: the passphrase may be in force there,
and its file is then the only copy. The caller decides which case it is.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Callable

from wizard.core.secret import Secret

log = logging.getLogger(__name__)


class RunUndo:
    """A journal of a run's creations, undone newest first; undo steps never raise."""

    def __init__(self) -> None:
        self._steps: list[tuple[str, Callable[[], None]]] = []

    def created_file(self, path: Path) -> None:
        self._steps.append((f"remove {path}", lambda: path.unlink(missing_ok=True)))

    def created_folder(self, path: Path) -> None:
        def remove() -> None:
            try:
                path.rmdir()  # only while still empty: nothing of anyone's is lost
            except OSError:
                log.warning("left the recovery folder %s in place (not empty or not removable)", path)
        self._steps.append((f"remove folder {path}", remove))

    def set_secret(self, secrets: Any, name: str, value: Secret) -> None:
        """Set a keyring entry, remembering the value it replaces (or that there was none)."""
        previous = secrets.get(name)
        secrets.set(name, value)

        def restore() -> None:
            if previous is None:
                secrets.delete(name)
            else:
                secrets.set(name, previous)
        self._steps.append((f"restore keyring entry {name}", restore))

    def undo(self) -> None:
        """Take back everything recorded, newest first; a step that fails is logged, not raised,
        so the run's own error is what the user sees."""
        while self._steps:
            what, step = self._steps.pop()
            try:
                step()
                log.info("failed run undone: %s", what)
            except Exception as exc:  # noqa: BLE001 - the run's own error must win
                log.warning("could not undo (%s): %s", what, type(exc).__name__)

    def keep(self) -> None:
        """The run succeeded (or may have): forget the journal."""
        self._steps.clear()
