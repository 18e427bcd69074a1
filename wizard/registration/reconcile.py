"""Settling an interrupted change: ask the vault what is in force, then finish or roll back.

Every use case that reads or changes the registration (`status`, `settings`, `register`,
`unregister`, the wizard when it opens) calls `reconcile` first, under the state lock. A
passphrase change found in the journal is settled by asking the vault whether the new
passphrase's verifier is the one in force (`POST .../verifier/check`, which changes nothing,
so a vault that requires security PINs answers it without one; resending the change would
need a PIN nobody is there to type):

- in force: roll forward: the keyring gets the new passphrase, the record names the new
  passphrase file and the escrow version the vault kept;
- not in force: roll back: the new passphrase file this change created is removed (it never
  protected anything), keyring and record stay as they are;
- the vault cannot be asked (network, vault down): `state.change_unresolved`; nothing is
  touched and the journal stays for the next run.

An unregistration found in the journal is finished when the vault no longer knows the machine
(or when the local forgetting had already begun, which happens only after the vault removed
it), and dropped when the vault still lists the machine.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from wizard.core.errors import RegisterServerError
from wizard.core.i18n import _
from wizard.core.registration import wire
from wizard.registration import journal
from wizard.registration.journal import PendingChange

if TYPE_CHECKING:
    from wizard.core.registration.record import RegistrationRecord

log = logging.getLogger(__name__)

FINISHED = "finished"
ROLLED_BACK = "rolled_back"


@dataclass(frozen=True)
class Reconciled:
    """What a run found in the journal and did with it."""

    kind: str
    outcome: str             # FINISHED (rolled forward) or ROLLED_BACK
    started_at: str

    def to_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "outcome": self.outcome, "started_at": self.started_at}

    def sentence(self) -> str:
        """What was done, in the active language (for the status line and the wizard)."""
        if self.kind == journal.PASSPHRASE_CHANGE:
            return (_("An interrupted passphrase change was finished: the vault had taken the new passphrase.")
                    if self.outcome == FINISHED else
                    _("An interrupted passphrase change was undone: the vault still has the old passphrase, "
                      "and the new passphrase file (never in force) was removed."))
        return (_("An interrupted unregistration was finished: the vault had removed this machine.")
                if self.outcome == FINISHED else
                _("An interrupted unregistration was dropped: the vault still lists this machine."))


def reconcile(store: Any, *, clock: Callable[[], datetime], transport_factory: Any,
              registering: bool = False) -> Reconciled | None:
    """Settle the journalled change, if any (the caller holds the store's lock).

    A registration whose local save failed is finished only by registering again (`registering`:
    the caller is that run); any other caller gets `state.registered_not_saved`, the truth."""
    from wizard.core.registration.record import load_record

    pending = journal.load(store)
    if pending is None:
        return None
    if pending.kind == journal.REGISTRATION:
        if registering:
            return None
        raise RegisterServerError("state.registered_not_saved", reason="pending",
                                  detail=f"({pending.describe()})")
    record = load_record(store)
    if pending.kind == journal.UNREGISTER:
        outcome = _settle_unregister(store, record, pending, clock, transport_factory)
    else:
        outcome = _settle_passphrase(store, record, pending, clock, transport_factory)
    log.info("settled %s: %s", pending.describe(), outcome)
    return Reconciled(pending.kind, outcome, pending.started_at)


def reconcile_pending(home: Path | str | None = None, *, now: Callable[[], datetime] | None = None,
                      transport_factory: Any | None = None) -> Reconciled | None:
    """`reconcile` with the state lock taken here: for faces that only read (status, the wizard).

    A missing state folder is simply "nothing pending" (never created by looking)."""
    from wizard.core.storage import StateStore
    from wizard.registration.machine_calls import default_transport, utcnow

    store = StateStore(home)
    if not store.path(journal.JOURNAL).exists():
        return None
    with store.lock():
        return reconcile(store, clock=now or utcnow, transport_factory=transport_factory or default_transport)


def _unresolved(pending: PendingChange, error: RegisterServerError) -> RegisterServerError:
    return RegisterServerError("state.change_unresolved", reason=error.code,
                               detail=f"({pending.describe()}; asking the vault failed: {error.message})")


def _settle_passphrase(store: Any, record: "RegistrationRecord | None", pending: PendingChange,
                       clock: Callable[[], datetime], transport_factory: Any) -> str:
    from wizard.core.passphrase_file import read_passphrase_file
    from wizard.core.registration.protocol import passphrase_verifier
    from wizard.core.secrets.store import BACKUP_PASSPHRASE, SecretStore
    from wizard.registration.machine_calls import machine_call, settings_from_record

    assert pending.passphrase_file is not None
    target = Path(pending.passphrase_file)
    if record is None or record.machine.id != pending.machine_id or (
            pending.file_created and not target.exists()):
        # The file is written before the vault is contacted: without it the vault never saw the change
        # (and a journal of a registration that is gone has nothing left to agree with).
        roll_back_passphrase(store, pending)
        return ROLLED_BACK
    secrets = SecretStore.for_state_dir(store.root)
    passphrase = read_passphrase_file(target)
    if record.summary().get("encryption", {}).get("passphrase_file") == pending.passphrase_file and \
            secrets.get(BACKUP_PASSPHRASE) == passphrase:
        # Killed after the record was saved: the keyring only ever gets the new passphrase once the
        # vault took it, and the record (with its escrow version) is saved after that. Only the
        # journal is left to remove; no need to reach the vault.
        journal.clear(store)
        return FINISHED
    verifier = passphrase_verifier(passphrase, resource_id=record.vault.resource_id, machine_name=record.machine.name)
    try:
        answer = machine_call(store, record, secrets, settings_from_record(record, secrets), "POST",
                               wire.VERIFIER_CHECK_PATH, {"verifier": verifier}, clock, transport_factory)
    except RegisterServerError as error:
        raise _unresolved(pending, error) from error
    if answer.get("in_force") is True:
        roll_forward_passphrase(store, record, secrets, pending, passphrase, answer.get(wire.ESCROW_FIELD), clock)
        return FINISHED
    roll_back_passphrase(store, pending)
    return ROLLED_BACK


def roll_forward_passphrase(store: Any, record: "RegistrationRecord", secrets: Any, pending: PendingChange,
                            passphrase: Any, escrow: Any, clock: Callable[[], datetime]) -> "RegistrationRecord":
    """The vault has the new passphrase: keyring, record (file, escrow), then the journal goes.

    Returns the record as saved."""
    from wizard.core.registration.protocol import EscrowReceipt
    from wizard.core.registration.record import save_record
    from wizard.core.secrets.store import BACKUP_PASSPHRASE

    secrets.set(BACKUP_PASSPHRASE, passphrase)
    journal.reached("keyring_set")
    receipt = EscrowReceipt.from_answer(escrow) if pending.escrow_fingerprint else None
    if receipt is not None and receipt.fingerprint != pending.escrow_fingerprint:
        receipt = None  # the newest envelope is not the one this change sent
    summary = record.summary()
    summary.setdefault("encryption", {})["passphrase_file"] = pending.passphrase_file
    record = replace(record, escrow=receipt.to_record() if receipt else {"in_force": False}, settings=summary,
                     saved_at=clock().isoformat())
    save_record(store, record)
    journal.reached("record_saved")
    journal.clear(store)
    journal.reached("journal_removed")
    return record


def roll_back_passphrase(store: Any, pending: PendingChange) -> None:
    """The vault does not have the new passphrase: its file (if this change made it) goes, then the journal."""
    if pending.file_created and pending.passphrase_file:
        Path(pending.passphrase_file).unlink(missing_ok=True)
    journal.clear(store)


def _settle_unregister(store: Any, record: "RegistrationRecord | None", pending: PendingChange,
                       clock: Callable[[], datetime], transport_factory: Any) -> str:
    from wizard.core.secrets.machine_key import KEY_FILE
    from wizard.core.secrets.store import SecretStore
    from wizard.registration.machine_calls import forget_locally, machine_call, settings_from_record

    if record is None:  # the record is forgotten last: the unregistration had finished here
        journal.clear(store)
        return FINISHED
    secrets = SecretStore.for_state_dir(store.root)  # the store the record names
    if record.machine.id != pending.machine_id or not store.path(KEY_FILE).exists():
        # Forgetting begins only after the vault removed the machine: finish it.
        forget_locally(store, secrets)
        journal.clear(store)
        return FINISHED
    try:
        machine_call(store, record, secrets, settings_from_record(record, secrets), "GET",
                      wire.MACHINE_RECOVERY_CERTIFICATE_PATH, None, clock, transport_factory)
    except RegisterServerError as error:
        if "machine.not_found" in (error.code, error.reason):
            forget_locally(store, secrets)
            journal.clear(store)
            return FINISHED
        if "machine.key_unknown" not in (error.code, error.reason):
            raise _unresolved(pending, error) from error
    journal.clear(store)  # the vault still has this machine (with this key or another): nothing was removed
    return ROLLED_BACK
