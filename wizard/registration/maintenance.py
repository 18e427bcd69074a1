"""After registration: change settings, unregister — with the machine's own identity.

`change_settings` applies the sections an answer file names (proxy, throttling,
recovery, encryption) with the same validators as registration. A passphrase change
writes the new passphrase file first, then updates the vault's verifier (signed with the
machine key), then the keyring; if the vault refuses, the new file is removed again and
the old passphrase stays in force, so nothing is half-changed.

`unregister` asks the vault to remove this machine, then forgets it locally (record,
machine key and certificate, keyring entries). The passphrase file is the user's and is
left where it is. `local_only` forgets locally without the vault (for a vault that is gone).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime, time, timezone
from pathlib import Path
from typing import Any, Callable, Mapping

from wizard.core.answers import Answers, InvalidAnswers, SecretPrompt, SecretSource, SourceKind, resolve_secret
from wizard.core.bandwidth import Bandwidth
from wizard.core.errors import RegisterServerError
from wizard.core.issues import Issue, issue
from wizard.core.model import (EncryptionSettings, MachineSettings, ProxyMode, ProxySettings, RecoveryFolder,
                               RegistrationSettings, ThrottlingSchedule, VaultSettings, Weekday)
from wizard.core.registration import wire
from wizard.registration.procedure import MACHINE_CERT_FILE, TransportFactory, default_transport
from wizard.core.registration.record import load_record, settings_summary

log = logging.getLogger(__name__)
PIN_PROMPT = "Security PIN from the vault's administrator"  # what a terminal (or the wizard's Save page) is asked
CHANGEABLE = ("proxy", "throttling", "recovery", "encryption")


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


def settings_from_record(record: Mapping[str, Any], secrets: Any | None = None) -> RegistrationSettings:
    """The settings a registration record describes; the proxy password comes from the keyring."""
    from wizard.core.secrets.store import PROXY_PASSWORD

    saved = record.get("settings", {})
    proxy = saved.get("proxy", {})
    password = secrets.get(PROXY_PASSWORD) if secrets is not None and proxy.get("password") else None
    throttling = saved.get("throttling", {})
    defaults = ThrottlingSchedule()
    recovery = saved.get("recovery", {})
    encryption = saved.get("encryption", {})
    return RegistrationSettings(
        machine=MachineSettings(record.get("machine", {}).get("name")),
        proxy=ProxySettings(ProxyMode(proxy.get("mode", "none")), proxy.get("host") or "", proxy.get("port"),
                            proxy.get("username") or "", password),
        vault=VaultSettings(None, Path(saved["vault_ca_bundle"]) if saved.get("vault_ca_bundle") else None),
        throttling=ThrottlingSchedule(
            enabled=bool(throttling.get("enabled", False)),
            work_days=frozenset(Weekday.from_key(d) for d in throttling.get("work_days", [])) or defaults.work_days,
            work_start=time.fromisoformat(throttling.get("work_start", "09:00")),
            work_end=time.fromisoformat(throttling.get("work_end", "18:00")),
            work_bandwidth=Bandwidth(int(throttling.get("work_bandwidth_bps", defaults.work_bandwidth.bits_per_second))),
            non_work_bandwidth=Bandwidth(int(throttling.get("non_work_bandwidth_bps",
                                                            defaults.non_work_bandwidth.bits_per_second)))),
        recovery=RecoveryFolder(Path(recovery["path"]) if recovery.get("path") else None,
                                space_needed_bytes=recovery.get("space_needed_bytes")),
        encryption=EncryptionSettings(save_to=Path(encryption["passphrase_file"])
                                      if encryption.get("passphrase_file") else None, stored_safely=True),
    )


@dataclass(frozen=True)
class SettingsChange:
    changed: tuple[str, ...]
    passphrase_file: Path | None


def change_settings(answers: Answers, *, home: Path | str | None = None, environ: Mapping[str, str],
                    prompt: SecretPrompt | None = None, now: Callable[[], datetime] | None = None,
                    transport_factory: TransportFactory | None = None) -> SettingsChange:
    from wizard.core.storage import StateStore

    store = StateStore(home)
    with store.lock():
        record = _registration(store)
        return _change(answers, store, record, environ=environ, prompt=prompt, clock=now or _utcnow,
                       transport_factory=transport_factory or default_transport)


def _registration(store: Any) -> dict[str, Any]:
    record = load_record(store)
    if record is None:
        raise RegisterServerError("state.not_registered", detail=f"(state folder {store.root})")
    return record


def _change(answers: Answers, store: Any, record: dict[str, Any], *, environ: Mapping[str, str],
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
        if escrow is None and (record.get("escrow") or {}).get("in_force"):
            escrow = True  # a passphrase that was escrowed stays escrowed unless the answer file says otherwise
        pin = resolve_secret(answers.pin, what="security PIN", environ=environ) if answers.pin else None
        _change_passphrase(store, record, secrets, new, passphrase, clock, transport_factory, escrow, pin, prompt)
    if "proxy" in answers.sections:
        if new.proxy.authenticated and new.proxy.password:
            secrets.set(PROXY_PASSWORD, new.proxy.password)
        else:
            secrets.delete(PROXY_PASSWORD)
    if "recovery" in answers.sections:
        prepare_recovery_folder(new.recovery)
    record["settings"] = settings_summary(new)
    record["saved_at"] = clock().isoformat()
    store.save_registration(record)
    changed = tuple(s for s in CHANGEABLE if s in answers.sections)
    log.info("settings changed: %s", ", ".join(changed) or "nothing")
    return SettingsChange(changed, new.encryption.save_to if passphrase is not None else None)


def _change_passphrase(store: Any, record: dict[str, Any], secrets: Any, new: RegistrationSettings, passphrase: Any,
                       clock: Callable[[], datetime], transport_factory: TransportFactory,
                       escrow: bool | None = None, pin: Any | None = None, prompt: SecretPrompt | None = None) -> None:
    """New passphrase file, then the vault's verifier (with a new escrow envelope), then the keyring.

    `escrow`: True requires a sealed copy, False sends none, None seals when the vault has a
    recovery certificate."""
    from wizard.core.passphrase_file import write_passphrase_file
    from wizard.core.registration.protocol import (EscrowReceipt, escrow_body, no_certificate_when_unknown,
                                                   passphrase_verifier)
    from wizard.core.secrets.store import BACKUP_PASSPHRASE

    target = new.encryption.save_to
    assert target is not None
    vault, machine = record["vault"], record["machine"]
    created = not target.exists()
    if created:
        write_passphrase_file(target, passphrase, vault_name=vault["name"], machine_name=machine["name"],
                              created=clock())
    try:
        verifier = passphrase_verifier(passphrase, resource_id=vault["resource_id"], machine_name=machine["name"])
        body: dict[str, Any] = {"verifier": verifier}
        if escrow is not False:
            # Sealed to the certificate the vault holds now and sent with the new verifier: the
            # vault keeps a new version only if it takes the new passphrase.
            answer = no_certificate_when_unknown(lambda: _machine_call(
                store, record, secrets, new, "GET", wire.MACHINE_RECOVERY_CERTIFICATE_PATH, None, clock,
                transport_factory))
            sealed = escrow_body(passphrase, answer, required=escrow is True)
            if sealed is not None:
                body[wire.ESCROW_FIELD] = sealed
        done = with_pin(lambda given: _machine_call(store, record, secrets, new, "PUT", wire.VERIFIER_PATH, body, clock,
                                                    transport_factory, given), pin, prompt)
    except BaseException:
        if created:
            target.unlink(missing_ok=True)  # never in force: the old passphrase (and its file) still are
        raise
    secrets.set(BACKUP_PASSPHRASE, passphrase)
    receipt = EscrowReceipt.from_answer(done.get(wire.ESCROW_FIELD))
    record["escrow"] = receipt.to_record() if receipt else {"in_force": False}


def _machine_url(record: Mapping[str, Any], path: str) -> str:
    registration_url = record["vault"]["registration_url"]           # https://host:port/restapi/machines
    base = registration_url[: -len(wire.MACHINES_PATH)]
    return base + path.format(machine_id=record["machine"]["id"])


def _machine_call(store: Any, record: Mapping[str, Any], secrets: Any, settings: RegistrationSettings, method: str,
                  path: str, body: dict[str, Any] | None, clock: Callable[[], datetime],
                  transport_factory: TransportFactory, pin: Any | None = None) -> dict[str, Any]:
    from wizard.core.registration.machine_identity import machine_assertion
    from wizard.core.secrets.machine_key import load_private_key
    from wizard.net.client import VaultHttp
    from wizard.net.proxy import proxy_address, proxy_for

    url = _machine_url(record, path)
    authorization = machine_assertion(record["machine"]["id"], load_private_key(store, secrets), audience=url,
                                      now=clock())
    client = transport_factory(settings, url)
    proxy = proxy_for(settings.proxy, url)
    with VaultHttp(client, via_proxy=proxy is not None, proxy=proxy_address(proxy)) as http:
        headers = None
        if pin is not None:
            from wizard.core.logs import remember_secret

            remember_secret(pin)  # scrubbed from any log line, like every other secret
            headers = {wire.PIN_HEADER: pin.reveal()}
        return http.call_json(method, url, authorization=authorization, body=body, headers=headers)


def with_pin(call: Callable[[Any], dict[str, Any]], pin: Any | None, prompt: SecretPrompt | None) -> dict[str, Any]:
    """Make a call that a vault may refuse without a security PIN; ask for one on a terminal.

    The PIN is spent by the vault on one operation, so it is only asked for when the vault says
    it needs one (`security.pin_required`) and no PIN was given, and then the call is made once more.
    """
    try:
        return call(pin)
    except RegisterServerError as error:
        if error.code != "security.pin_required" or pin is not None or prompt is None:
            raise
    from wizard.core.secret import Secret

    return call(Secret(prompt(PIN_PROMPT + ": ").strip()))


@dataclass(frozen=True)
class Unregistration:
    machine_id: str
    machine_name: str
    vault_name: str
    removed_from_vault: bool


def unregister(*, home: Path | str | None = None, local_only: bool = False, now: Callable[[], datetime] | None = None,
               transport_factory: TransportFactory | None = None, pin: Any | None = None,
               prompt: SecretPrompt | None = None, secret_store: str | None = None) -> Unregistration:
    """Remove the machine from its vault (with a security PIN when the vault requires one), then here."""
    from wizard.core.secrets.machine_key import forget_private_key
    from wizard.core.secrets.store import BACKUP_PASSPHRASE, PROXY_PASSWORD, SecretStore
    from wizard.core.storage import StateStore

    store = StateStore(home)
    clock = now or _utcnow
    with store.lock():
        record = _registration(store)
        secrets = SecretStore.for_state_dir(store.root, secret_store)  # None: the store the record names
        removed = False
        if not local_only:
            settings = settings_from_record(record, secrets)
            try:
                with_pin(lambda given: _machine_call(store, record, secrets, settings, "DELETE", wire.MACHINE_PATH,
                                                     None, clock, transport_factory or default_transport, given),
                         pin, prompt)
                removed = True
            except RegisterServerError as error:
                if "machine.not_found" not in (error.code, error.reason):  # already removed there: fine
                    raise
        forget_private_key(store, secrets)
        store.delete(MACHINE_CERT_FILE)
        secrets.delete(BACKUP_PASSPHRASE)
        secrets.delete(PROXY_PASSWORD)
        store.clear_registration()
    log.info("unregistered machine %s from vault %s (vault contacted: %s)", record["machine"]["id"],
             record["vault"]["name"], removed)
    return Unregistration(record["machine"]["id"], record["machine"]["name"], record["vault"]["name"], removed)
