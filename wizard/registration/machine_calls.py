"""What a registered machine does with its own identity: its settings from the record, calls
signed with its own key (with a security PIN when the vault asks for one), forgetting itself.

Shared by the use cases that change a registration (`maintenance`), settle an interrupted
change (`reconcile`) and register (`procedure`), so none of them imports another's internals.
"""

from __future__ import annotations

from datetime import datetime, time, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from wizard.core.answers import SecretPrompt
from wizard.core.bandwidth import Bandwidth
from wizard.core.errors import RegisterServerError
from wizard.core.model import (EncryptionSettings, MachineSettings, ProxyAuth, ProxyMode, ProxySettings, RecoveryFolder,
                               RegistrationSettings, ThrottlingSchedule, VaultSettings, Weekday)
from wizard.core.registration import wire

if TYPE_CHECKING:
    import httpx

    from wizard.core.registration.record import RegistrationRecord

TransportFactory = Callable[["RegistrationSettings", str], "httpx.Client"]
MACHINE_CERT_FILE = "machine-cert.pem"
PIN_PROMPT = "Security PIN from the vault's administrator"  # what a terminal (or the wizard's Save page) is asked


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def default_transport(settings: "RegistrationSettings", target_url: str) -> "httpx.Client":
    from wizard.net.client import open_client

    return open_client(settings.proxy, target_url=target_url, ca_bundle=settings.vault.ca_bundle)


def settings_from_record(record: "RegistrationRecord", secrets: Any | None = None) -> RegistrationSettings:
    """The settings a registration record describes; the proxy password comes from the keyring."""
    from wizard.core.secrets.store import PROXY_PASSWORD

    saved = record.summary()
    proxy = saved.get("proxy", {})
    password = secrets.get(PROXY_PASSWORD) if secrets is not None and proxy.get("password") else None
    throttling = saved.get("throttling", {})
    defaults = ThrottlingSchedule()
    recovery = saved.get("recovery", {})
    encryption = saved.get("encryption", {})
    return RegistrationSettings(
        machine=MachineSettings(record.machine.name),
        proxy=ProxySettings(ProxyMode(proxy.get("mode", "none")), proxy.get("host") or "", proxy.get("port"),
                            proxy.get("username") or "", password,
                            auth=ProxyAuth(proxy.get("auth") or ProxyAuth.AUTO.value),
                            integrated=bool(proxy.get("integrated", False)), pac_url=proxy.get("pac_url") or "",
                            bypass=tuple(proxy.get("bypass") or ())),
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
        secret_store=record.secret_store,  # where its secrets are (None: written before the choice)
    )


def machine_url(record: "RegistrationRecord", path: str) -> str:
    registration_url = record.vault.registration_url           # https://host:port/restapi/machines
    base = registration_url[: -len(wire.MACHINES_PATH)]
    return base + path.format(machine_id=record.machine.id)


def machine_call(store: Any, record: "RegistrationRecord", secrets: Any, settings: RegistrationSettings, method: str,
                  path: str, body: dict[str, Any] | None, clock: Callable[[], datetime],
                  transport_factory: TransportFactory, pin: Any | None = None) -> dict[str, Any]:
    from wizard.core.registration.machine_identity import machine_assertion
    from wizard.core.secrets.machine_key import load_private_key
    from wizard.net.client import VaultHttp
    from wizard.net.proxy import proxy_address, proxy_for

    url = machine_url(record, path)
    authorization = machine_assertion(record.machine.id, load_private_key(store, secrets), audience=url,
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


def forget_locally(store: Any, secrets: Any) -> None:
    """Forget the registration here: machine key, certificate, keyring entries, then the record.
    Each part may already be gone (a run killed while forgetting is finished by the next)."""
    from wizard.core.secrets.machine_key import forget_private_key
    from wizard.core.secrets.store import BACKUP_PASSPHRASE, PROXY_PASSWORD

    from wizard.registration import journal

    forget_private_key(store, secrets)
    journal.reached("key_forgotten")
    store.delete(MACHINE_CERT_FILE)
    secrets.delete(BACKUP_PASSPHRASE)
    secrets.delete(PROXY_PASSWORD)
    store.clear_registration()
    journal.reached("record_cleared")
