"""After registration: change settings, unregister — with the machine's own identity.

`change_settings` applies the sections an answer file names (proxy, throttling,
recovery, encryption) with the same validators as registration. A passphrase change is
journalled first (`wizard.registration.journal`), then writes the new passphrase file, then
updates the vault's verifier (signed with the machine key), then the keyring and the record,
and only then drops the journal. If the vault refuses, the new file is removed again and the
old passphrase stays in force. If the vault's answer is lost, the vault is asked which
passphrase is in force and the change is finished or undone accordingly; if it cannot be
asked, the journal stays and the next run settles it (`wizard.registration.reconcile`), as it
does after a SIGKILL at any point.

`unregister` journals itself, asks the vault to remove this machine, then forgets it locally
(record, machine key and certificate, keyring entries). The passphrase file is the user's and
is left where it is. `local_only` forgets locally without the vault (for a vault that is gone).

Both settle a journalled change of an earlier, interrupted run before anything else.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Mapping

from wizard.core.answers import Answers, InvalidAnswers, SecretPrompt, SecretSource, SourceKind, resolve_secret
from wizard.core.errors import RegisterServerError
from wizard.core.issues import Issue, issue
from wizard.core.model import EncryptionSettings, ProxyMode, RegistrationSettings
from wizard.core.registration import wire
from wizard.core.registration.record import RegistrationRecord, load_record, save_record, settings_summary
from wizard.registration import journal
from wizard.registration.machine_calls import (PIN_PROMPT, TransportFactory, default_transport, forget_locally,
                                               machine_call, settings_from_record, utcnow, with_pin)

__all__ = ["CHANGEABLE", "PIN_PROMPT", "SettingsChange", "Unregistration", "change_settings", "settings_from_record",
           "unregister", "with_pin"]

log = logging.getLogger(__name__)
CHANGEABLE = ("proxy", "throttling", "recovery", "encryption")


@dataclass(frozen=True)
class SettingsChange:
    changed: tuple[str, ...]
    passphrase_file: Path | None


def change_settings(answers: Answers, *, home: Path | str | None = None, environ: Mapping[str, str],
                    prompt: SecretPrompt | None = None, now: Callable[[], datetime] | None = None,
                    transport_factory: TransportFactory | None = None) -> SettingsChange:
    from wizard.core.storage import StateStore

    from wizard.registration.reconcile import reconcile

    store = StateStore(home)
    clock, transport = now or utcnow, transport_factory or default_transport
    with store.lock():
        reconcile(store, clock=clock, transport_factory=transport)
        record = _registration(store)
        return _change(answers, store, record, environ=environ, prompt=prompt, clock=clock,
                       transport_factory=transport)


def _registration(store: Any) -> RegistrationRecord:
    record = load_record(store)
    if record is None:
        raise RegisterServerError("state.not_registered", detail=f"(state folder {store.root})")
    return record


def _change(answers: Answers, store: Any, record: RegistrationRecord, *, environ: Mapping[str, str],
            prompt: SecretPrompt | None, clock: Callable[[], datetime],
            transport_factory: TransportFactory) -> SettingsChange:
    from wizard.core.recovery_folder import prepare_recovery_folder
    from wizard.core.secrets.store import BACKUP_PASSPHRASE, PROXY_PASSWORD, SecretStore
    from wizard.core.validators import (check_encryption_on_disk, check_recovery_on_disk, validate_passphrase,
                                        validate_proxy, validate_save_location, validate_throttling)

    from wizard.core.secrets.availability import require_secret_store

    fixed = sorted(answers.sections - set(CHANGEABLE) - {"security", "secrets"})  # these say how, not what
    if fixed:
        raise InvalidAnswers([issue(name, "answers.not_changeable", f"[{name}]") for name in fixed])
    from wizard.core.secrets.choice import store_for

    kind = store_for(store.root, answers.settings.secret_store)  # the record's store; another is refused
    require_secret_store(kind)  # before any file is written (a new passphrase file, a new recovery folder)
    secrets = SecretStore.for_state_dir(store.root, kind)
    current = settings_from_record(record, secrets)
    wanted = answers.settings
    new = current
    problems: list[Issue] = []
    if "proxy" in answers.sections:
        proxy = wanted.proxy
        if proxy.mode is ProxyMode.CUSTOM and proxy.username:
            source = answers.proxy_password or SecretSource(SourceKind.PROMPT)
            proxy = replace(proxy, password=resolve_secret(source, what="proxy password", environ=environ,
                                                            keyring_get=lambda: secrets.get(PROXY_PASSWORD),
                                                            prompt=prompt))
        new = replace(new, proxy=proxy)
        problems += validate_proxy(proxy)
    if "throttling" in answers.sections:
        new = replace(new, throttling=wanted.throttling)
        problems += validate_throttling(wanted.throttling)
    if "recovery" in answers.sections:
        new = replace(new, recovery=wanted.recovery)
        problems += check_recovery_on_disk(wanted.recovery)
    passphrase = None
    if "encryption" in answers.sections:
        source = answers.passphrase or SecretSource(SourceKind.PROMPT)
        passphrase = resolve_secret(source, what="new encryption passphrase", environ=environ,
                                    keyring_get=lambda: secrets.get(BACKUP_PASSPHRASE), prompt=prompt)
        encryption = EncryptionSettings(passphrase, passphrase, wanted.encryption.save_to, True)
        new = replace(new, encryption=replace(encryption, passphrase=None, confirmation=None))
        problems += validate_passphrase(passphrase, passphrase)
        problems += validate_save_location(encryption.save_to, new.recovery)
        problems += check_encryption_on_disk(encryption)
    blocking = [p for p in problems if p.blocking]
    if blocking:
        raise InvalidAnswers(blocking)

    if passphrase is not None:
        escrow = wanted.encryption.escrow
        if escrow is None and record.escrowed:
            escrow = True  # a passphrase that was escrowed stays escrowed unless the answer file says otherwise
        pin = resolve_secret(answers.pin, what="security PIN", environ=environ) if answers.pin else None
        record = _change_passphrase(store, record, secrets, new, passphrase, clock, transport_factory, escrow, pin,
                                    prompt)
        # The passphrase part is saved at once, then the journal goes: a later failure of another
        # section must not leave the vault and the record disagreeing about the passphrase.
        summary = record.summary()
        summary["encryption"] = settings_summary(new)["encryption"]
        record = replace(record, settings=summary, saved_at=clock().isoformat())
        save_record(store, record)
        journal.reached("record_saved")
        journal.clear(store)
        journal.reached("journal_removed")
    if "proxy" in answers.sections:
        if new.proxy.authenticated and new.proxy.password:
            secrets.set(PROXY_PASSWORD, new.proxy.password)
        else:
            secrets.delete(PROXY_PASSWORD)
    if "recovery" in answers.sections:
        prepare_recovery_folder(new.recovery)
    save_record(store, replace(record, settings=settings_summary(new), saved_at=clock().isoformat()))
    changed = tuple(s for s in CHANGEABLE if s in answers.sections)
    log.info("settings changed: %s", ", ".join(changed) or "nothing")
    return SettingsChange(changed, new.encryption.save_to if passphrase is not None else None)


def _change_passphrase(store: Any, record: RegistrationRecord, secrets: Any, new: RegistrationSettings,
                       passphrase: Any, clock: Callable[[], datetime], transport_factory: TransportFactory,
                       escrow: bool | None = None, pin: Any | None = None,
                       prompt: SecretPrompt | None = None) -> RegistrationRecord:
    """Journal, new passphrase file, the vault's verifier (with a new escrow envelope), then the keyring.

    Returns the record with the escrow entry now in force; the caller saves it and drops the journal. `escrow`: True requires a sealed copy,
    False sends none, None seals when the vault has a recovery certificate."""
    from wizard.core.passphrase_file import write_passphrase_file
    from wizard.core.registration.protocol import (EscrowReceipt, escrow_body, no_certificate_when_unknown,
                                                   passphrase_verifier)
    from wizard.core.secrets.store import BACKUP_PASSPHRASE
    from wizard.registration.journal import PASSPHRASE_CHANGE, PendingChange

    target = new.encryption.save_to
    assert target is not None
    vault, machine = record.vault, record.machine
    verifier = passphrase_verifier(passphrase, resource_id=vault.resource_id, machine_name=machine.name)
    body: dict[str, Any] = {"verifier": verifier}
    if escrow is not False:
        # Sealed to the certificate the vault holds now and sent with the new verifier: the
        # vault keeps a new version only if it takes the new passphrase. (A read: nothing to journal yet.)
        answer = no_certificate_when_unknown(lambda: machine_call(
            store, record, secrets, new, "GET", wire.MACHINE_RECOVERY_CERTIFICATE_PATH, None, clock,
            transport_factory))
        sealed = escrow_body(passphrase, answer, required=escrow is True)
        if sealed is not None:
            body[wire.ESCROW_FIELD] = sealed
    pending = PendingChange(PASSPHRASE_CHANGE, machine.id, clock().isoformat(), str(target),
                            file_created=not target.exists(),
                            escrow_fingerprint=(body.get(wire.ESCROW_FIELD) or {}).get("fingerprint"))
    journal.write(store, pending)
    journal.reached("journal_written")
    try:
        if pending.file_created:
            write_passphrase_file(target, passphrase, vault_name=vault.name, machine_name=machine.name,
                                  created=clock())
    except BaseException:
        journal.clear(store)  # nothing written, the vault not contacted
        raise
    journal.reached("file_written")
    try:
        done = with_pin(lambda given: machine_call(store, record, secrets, new, "PUT", wire.VERIFIER_PATH, body, clock,
                                                    transport_factory, given), pin, prompt)
    except RegisterServerError as error:
        # Raises (rolled back, or unresolved with the journal kept), or returns once the vault, asked,
        # turned out to have the new passphrase and everything here was rolled forward.
        return _after_failed_change(store, record, secrets, new, pending, passphrase, verifier, error, clock,
                                    transport_factory)
    journal.reached("vault_answered")
    secrets.set(BACKUP_PASSPHRASE, passphrase)
    journal.reached("keyring_set")
    receipt = EscrowReceipt.from_answer(done.get(wire.ESCROW_FIELD))
    return replace(record, escrow=receipt.to_record() if receipt else {"in_force": False})


# Failures that prove the verifier update never reached the vault (the connection was never made).
_NOT_DELIVERED = frozenset({"proxy.unreachable", "proxy.auth_required", "proxy.refused", "network.dns",
                            "tls.untrusted", "tls.version"})


def _after_failed_change(store: Any, record: RegistrationRecord, secrets: Any, settings: RegistrationSettings,
                         pending: Any, passphrase: Any, verifier: str, error: RegisterServerError,
                         clock: Callable[[], datetime], transport_factory: TransportFactory) -> RegistrationRecord:
    """The verifier update failed: undo when the vault said no or never saw it; else ask it what is in force.

    Returns the saved record after rolling forward (the vault had the new passphrase); raises otherwise: the
    vault's refusal after rolling back, or `state.change_unresolved` with the journal kept."""
    from wizard.core.exit_codes import ExitCode
    from wizard.registration.reconcile import roll_back_passphrase, roll_forward_passphrase

    refused = error.code != "vault.error" and error.exit_code not in (ExitCode.NETWORK, ExitCode.UNEXPECTED)
    if refused or error.code in _NOT_DELIVERED:
        roll_back_passphrase(store, pending)  # never in force: the old passphrase (and its file) still are
        raise error
    try:  # the answer was lost: the vault may have taken it
        answer = machine_call(store, record, secrets, settings, "POST", wire.VERIFIER_CHECK_PATH,
                               {"verifier": verifier}, clock, transport_factory)
    except RegisterServerError:
        raise RegisterServerError("state.change_unresolved", reason=error.code,
                                  detail=f"(the vault's answer was lost: {error.message} The new passphrase file "
                                         f"{pending.passphrase_file} is kept until then.)") from error
    if answer.get("in_force") is not True:
        roll_back_passphrase(store, pending)
        raise error
    journal.reached("vault_answered")
    return roll_forward_passphrase(store, record, secrets, pending, passphrase, answer.get(wire.ESCROW_FIELD), clock)


@dataclass(frozen=True)
class Unregistration:
    machine_id: str
    machine_name: str
    vault_name: str
    removed_from_vault: bool


def unregister(*, home: Path | str | None = None, local_only: bool = False, now: Callable[[], datetime] | None = None,
               transport_factory: TransportFactory | None = None, pin: Any | None = None,
               prompt: SecretPrompt | None = None, secret_store: str | None = None) -> Unregistration:
    """Remove the machine from its vault (with a security PIN when the vault requires one), then here.

    Journalled before the vault is asked: a run killed after the vault removed the machine is
    finished by the next run instead of leaving a record of a machine the vault no longer has."""
    from wizard.core.secrets.store import SecretStore
    from wizard.core.storage import StateStore
    from wizard.registration.journal import UNREGISTER, PendingChange
    from wizard.registration.reconcile import reconcile

    store = StateStore(home)
    clock = now or utcnow
    transport = transport_factory or default_transport
    with store.lock():
        if local_only:
            # Forgetting everything here without the vault: an interrupted change has nothing left to
            # agree with (its new passphrase file, if any, stays: it may be in force at the vault).
            journal.clear(store)
        else:
            reconcile(store, clock=clock, transport_factory=transport)
        record = _registration(store)
        secrets = SecretStore.for_state_dir(store.root, secret_store)  # None: the store the record names
        removed = False
        if not local_only:
            settings = settings_from_record(record, secrets)
            journal.write(store, PendingChange(UNREGISTER, record.machine.id, clock().isoformat()))
            journal.reached("unregister_journal_written")
            try:
                with_pin(lambda given: machine_call(store, record, secrets, settings, "DELETE", wire.MACHINE_PATH,
                                                     None, clock, transport, given), pin, prompt)
                removed = True
            except RegisterServerError as error:
                if "machine.not_found" not in (error.code, error.reason):  # already removed there: fine
                    _after_failed_unregister(store, error)
                    raise
            journal.reached("vault_removed")
        forget_locally(store, secrets)
        journal.clear(store)
        journal.reached("unregister_journal_removed")
    log.info("unregistered machine %s from vault %s (vault contacted: %s)", record.machine.id, record.vault.name,
             removed)
    return Unregistration(record.machine.id, record.machine.name, record.vault.name, removed)


def _after_failed_unregister(store: Any, error: RegisterServerError) -> None:
    """The vault said no (or never saw the request): nothing was removed, the journal goes. A lost
    answer keeps it: the vault may have removed the machine, and the next run asks."""
    from wizard.core.exit_codes import ExitCode

    refused = error.code != "vault.error" and error.exit_code not in (ExitCode.NETWORK, ExitCode.UNEXPECTED)
    if refused or error.code in _NOT_DELIVERED:
        journal.clear(store)
