"""The change journal: a change that touches the vault and local state, written down first.

Why: a passphrase change (or an unregistration) changes two places that cannot be updated in
one atomic step, the vault and this machine (passphrase file, keyring, record). A SIGKILL, a
power cut or a lost answer between the two left them disagreeing, and the next
re-registration failed with `passphrase.mismatch`, or a "keep this file safe" passphrase file
held a passphrase that was never in force. So the change is written to `pending-change.json`
in the state folder (owner-only, fsync'd, atomic rename) *before* anything else is written
and before the vault is contacted, and removed only once local state agrees with the vault.
A journal found by a later run (`status`, `settings`, `register`, `unregister`, the wizard) is
settled first by `wizard.registration.reconcile`, which asks the vault what is in force.

The journal holds no secret: the new passphrase is read back from its new passphrase file,
which is written right after the journal and before the vault is contacted.

`reached(step)` marks each point of a change; the crash tests replace it to SIGKILL the
process at every one of them in turn.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from typing import Any

from wizard.core.errors import RegisterServerError

log = logging.getLogger(__name__)

JOURNAL = "pending-change.json"
FORMAT = 1
PASSPHRASE_CHANGE = "passphrase_change"
UNREGISTER = "unregister"
# A registration request about to be sent: settled by the next `register` only (it needs the
# credentials file); until then the other faces say the vault may have this machine.
REGISTRATION = "registration"
KINDS = (PASSPHRASE_CHANGE, UNREGISTER, REGISTRATION)

# The points a passphrase change passes, in order (what the crash test kills at).
PASSPHRASE_STEPS = ("journal_written", "file_written", "vault_answered", "keyring_set", "record_saved",
                    "journal_removed")
UNREGISTER_STEPS = ("unregister_journal_written", "vault_removed", "key_forgotten", "record_cleared",
                    "unregister_journal_removed")


def reached(step: str) -> None:
    """A change has reached `step` (logged; the crash tests replace this to kill the process here)."""
    log.debug("change reached: %s", step)


@dataclass(frozen=True)
class PendingChange:
    """What a change was about to do, enough to finish or undo it without its process."""

    kind: str
    machine_id: str
    started_at: str
    # passphrase_change: the new passphrase file, whether this change creates it (so rolling back
    # may remove it) and the recovery certificate the new passphrase was sealed to (None: not sealed).
    passphrase_file: str | None = None
    file_created: bool = False
    escrow_fingerprint: str | None = None
    # registration: which vault and machine name it was sent for (what the faces name).
    vault_name: str | None = None
    machine_name: str | None = None

    def describe(self) -> str:
        what = {PASSPHRASE_CHANGE: "a passphrase change", UNREGISTER: "an unregistration"}.get(
            self.kind, f"the registration of {self.machine_name} with vault {self.vault_name}")
        return f"{what} started {self.started_at}"


def write(store: Any, change: PendingChange) -> None:
    """Record `change` durably (atomic, fsync'd, 0600) before any of it is done."""
    store.save_json(JOURNAL, {"format": FORMAT, **asdict(change)})
    log.info("journalled %s", change.describe())


def load(store: Any) -> PendingChange | None:
    """The pending change, or None; `state.corrupt` (reason `journal`) when it is not one."""
    document = store.load_json(JOURNAL)
    if document is None:
        return None
    try:
        if not isinstance(document, dict) or document.get("format") != FORMAT or document.get("kind") not in KINDS:
            raise TypeError("not a journal")
        change = PendingChange(**{k: v for k, v in document.items() if k != "format"})
        if not isinstance(change.machine_id, str) or not isinstance(change.started_at, str) or (
                change.kind == PASSPHRASE_CHANGE and not isinstance(change.passphrase_file, str)):
            raise TypeError("wrong field types")
    except TypeError:
        raise RegisterServerError("state.corrupt", reason="journal", detail=f"({store.path(JOURNAL)})") from None
    return change


def clear(store: Any) -> None:
    """The change is finished or undone: forget it (durably)."""
    store.delete(JOURNAL)
