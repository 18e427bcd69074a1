"""`run_registration`: the registration procedure every face runs, step by step.

Order and why:
1. *checking_credentials* — read and verify the file (expired, superseded by a newer
   sibling is the reader's business); refuse a server already registered to another
   vault from the saved state, before any network traffic.
1a. *preparing_recovery_folder* — the disk checks every face shows (CA bundle, recovery
   folder, passphrase file location) run again here, because the disk may have changed
   since the page was left; then the recovery folder is created when the settings allow.
   A folder that cannot be made stops the run before anything is written or sent, with the
   same code in every face; a folder this run made is removed again if the vault never
   accepted the registration.
2. *saving_passphrase* — the passphrase file first (a registered server without its
   passphrase file is the one unrecoverable outcome), then the keyring.
3. *connecting* — TCP, proxy and TLS to the token endpoint; the connection is kept for
   the next steps.
4. *authenticating* — the signed assertion for an access token.
5. *registering* — a fresh machine key, the verifier, the registration call.
6. *saving* — the machine key (encrypted; its key in the keyring), certificate and
   record, each written atomically.
A run that fails before the vault accepted takes back what it created (`RunUndo`: the
passphrase file, the recovery folder, the keyring entries it set or replaced), so the same
answer file, `generate = true` included, can simply be run again. When the registration
request was sent and its answer was lost (the vault may have accepted), all of it is kept:
the passphrase may be in force there. Key files are written only after acceptance (step 6).
Cancellation is honoured before each of steps 2-5; once the vault has registered the
machine, saving always runs, so local state never lags behind the vault. The registration
request is journalled before it is sent (`wizard.registration.journal`); when saving then
fails (a disk that filled up meanwhile) the error is `state.registered_not_saved`, `status`
says the vault has this machine, and the same `register` again finishes it.
The whole run holds the state directory's lock (`state.locked` for a second run), and
first settles a change an earlier run left journalled (`wizard.registration.reconcile`).
"""

from __future__ import annotations

import logging
import re
import socket
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from wizard.core.errors import RegisterServerError
from wizard.core.exit_codes import ExitCode
from wizard.core.i18n import L_, LazyText
from wizard.core.registration import wire
from wizard.core.registration.events import STEP_MESSAGES, STEPS, CancelToken, ProgressEvent, RegistrationResult
from wizard.core.registration.record import build_record, load_record, save_record
from wizard.core.secret import Secret
from wizard.registration import journal
from wizard.registration.journal import REGISTRATION, PendingChange
from wizard.registration.machine_calls import MACHINE_CERT_FILE, TransportFactory, default_transport
from wizard.registration.undo import RunUndo

__all__ = ["MACHINE_CERT_FILE", "TransportFactory", "default_transport", "resolve_machine_name", "run_registration"]

if TYPE_CHECKING:
    from wizard.core.model import RegistrationSettings

log = logging.getLogger(__name__)
_NAME = re.compile(wire.MACHINE_NAME_PATTERN)


def default_machine_name() -> str:
    """This computer's short name (what Windows calls the computer name)."""
    return socket.gethostname().split(".")[0]


def resolve_machine_name(settings: "RegistrationSettings") -> str:
    name = settings.machine.name or default_machine_name()  # never stripped: the name shown is the name sent
    if not _NAME.fullmatch(name):
        raise RegisterServerError("machine.name_invalid", detail=f"({name[:70]!r})")
    return name


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


class _Progress:
    def __init__(self, on_progress: Callable[[ProgressEvent], None] | None, cancel: CancelToken) -> None:
        self.on_progress = on_progress
        self.cancel = cancel
        self.current: str | None = None
        from wizard.net.deadline import Deadline

        # The whole registration's total deadline: a peer that drips its answers ends it in time.
        self.deadline = Deadline.for_procedure()

    def step(self, name: str, *, cancellable: bool = True) -> None:
        if cancellable:
            self.cancel.raise_if_cancelled()
        self.current = name
        log.info("registration step %d/%d: %s", STEPS.index(name) + 1, len(STEPS), name)
        if self.on_progress is not None:
            self.on_progress(ProgressEvent(name, STEP_MESSAGES[name], STEPS.index(name) + 1, len(STEPS)))


def run_registration(settings: "RegistrationSettings", *, home: Path | str | None = None,
                     on_progress: Callable[[ProgressEvent], None] | None = None, cancel: CancelToken | None = None,
                     now: Callable[[], datetime] | None = None,
                     transport_factory: TransportFactory | None = None) -> RegistrationResult:
    """Register this server with the vault named by the settings' credentials file."""
    from wizard.core.storage import StateStore

    clock = now or _utcnow
    progress = _Progress(on_progress, cancel or CancelToken())
    progress.cancel.raise_if_cancelled()
    from wizard.net.pac import forget_cached
    from wizard.registration.reconcile import reconcile

    forget_cached()  # each run reads the PAC file afresh (a fixed one counts at once), then keeps it

    store = StateStore(home)
    transport = transport_factory or default_transport
    with store.lock():
        # An interrupted passphrase change is settled first: re-registering proves the passphrase
        # in force, so the record, keyring and files must agree with the vault about which it is.
        reconcile(store, clock=clock, transport_factory=transport, registering=True)
        return _run(settings, store, progress, clock, transport)


def _run(settings: "RegistrationSettings", store: Any, progress: _Progress, clock: Callable[[], datetime],
         transport_factory: TransportFactory) -> RegistrationResult:
    from wizard.core.credentials import read_credentials

    progress.step("checking_credentials")
    if settings.vault.credentials_file is None:
        raise RegisterServerError("vault.credentials_file_required")
    credentials = read_credentials(settings.vault.credentials_file, now=clock())
    passphrase = settings.encryption.passphrase
    if not passphrase:
        raise RegisterServerError("passphrase.required")
    machine_name = resolve_machine_name(settings)
    previous = load_record(store)
    if previous is not None and previous.vault.resource_id != str(credentials.resource_id):
        raise RegisterServerError("vault.wrong_vault", reason="local_state",
                                  detail=f"(registered to {previous.vault.name})")
    existing_machine_id = previous.machine.id if previous else None
    from wizard.core.secrets.choice import store_for

    # The store named by the settings, else the one a re-registration's record names; another
    # store than the record's is refused before anything is written.
    settings = replace(settings, secret_store=store_for(store.root, settings.secret_store))
    _check_state_folder(store)

    progress.step("preparing_recovery_folder")
    from wizard.core.secrets.availability import require_secret_store

    require_secret_store(settings.secret_store)  # before any file is written: else the run cannot finish
    undo = RunUndo()
    if _prepare_disk(settings) and settings.recovery.path is not None:
        undo.created_folder(settings.recovery.path)
    sent = _Sent()
    try:
        machine, key = _register_remotely(settings, store, progress, clock, transport_factory, credentials,
                                          machine_name, existing_machine_id, undo, sent)
    except BaseException as error:
        _name_the_step(error, progress.current)
        if sent.may_have_been_accepted(error):
            log.warning("the registration answer was lost: the vault may have registered this server, so the "
                        "passphrase file and keyring entries of this run are kept")
            undo.keep()
        else:
            undo.undo()
            journal.clear(store)  # the vault said no (or never saw the request): nothing to remember
        raise
    undo.keep()
    progress.step("saving", cancellable=False)
    try:
        result = _save(settings, store, clock, credentials, machine, key, previous)
    except RegisterServerError as error:
        # The vault has this machine now: "nothing was changed" would be a lie. The journal stays, so
        # `status` says so too, and the same `register` again re-registers the same name and saves.
        raise RegisterServerError("state.registered_not_saved", reason=error.reason or error.code,
                                  detail=f"(vault {machine.vault_name}, machine {machine.machine_name}; "
                                         f"{error.code}{' ' + error.detail if error.detail else ''})") from error
    journal.clear(store)
    return result


def _register_remotely(settings: "RegistrationSettings", store: Any, progress: _Progress,
                       clock: Callable[[], datetime], transport_factory: TransportFactory, credentials: Any,
                       machine_name: str, existing_machine_id: str | None, undo: RunUndo,
                       sent: "_Sent") -> tuple[Any, Any]:
    """Steps 2-5: passphrase saved, connection, token, registration; (machine, key) once accepted.
    Everything created here is recorded in `undo`; `sent` is marked once the registration request
    may have reached the vault."""
    from wizard.core.secrets.store import BACKUP_PASSPHRASE, PROXY_PASSWORD, SecretStore

    passphrase = settings.encryption.passphrase
    assert passphrase is not None  # checked in step 1
    progress.step("saving_passphrase")
    secrets = SecretStore.for_state_dir(store.root, settings.secret_store)
    written = _save_passphrase_file(settings, passphrase, vault_name=credentials.vault_name,
                                    machine_name=machine_name, created=clock())
    if written is not None:
        undo.created_file(written)
    undo.set_secret(secrets, BACKUP_PASSPHRASE, passphrase)
    if settings.proxy.authenticated and settings.proxy.password:
        undo.set_secret(secrets, PROXY_PASSWORD, settings.proxy.password)

    progress.step("connecting")
    from wizard.core.registration.protocol import (RegistrationClient, escrow_body, new_machine_key,
                                                   passphrase_verifier)
    from wizard.net.abort import stop_on_cancel
    from wizard.net.client import VaultHttp
    from wizard.net.proxy import proxy_address, proxy_for

    client = transport_factory(settings, credentials.token_url)
    proxy = proxy_for(settings.proxy, credentials.token_url)
    with VaultHttp(client, via_proxy=proxy is not None, proxy=proxy_address(proxy),
                   deadline=progress.deadline) as http:
        # Until the registration request, a cancel stops the network I/O at once (a stalled
        # proxy would otherwise hold it for its timeouts); nothing is registered yet then.
        forget_abort = stop_on_cancel(client, progress.cancel)
        try:
            http.get(credentials.token_url)  # any HTTP answer: TCP, proxy and TLS work (kept alive)
            protocol = RegistrationClient(http)

            progress.step("authenticating")
            token = protocol.token(credentials, now=clock())
            escrow = None
            if settings.encryption.escrow is not False:
                # Sealed before the registration request and sent inside it: the vault keeps the
                # envelope only with the registration, so a refused escrow registers nothing.
                escrow = escrow_body(passphrase, protocol.recovery_certificate(credentials, token),
                                     required=settings.encryption.escrow is True)
        except RegisterServerError:
            progress.cancel.raise_if_cancelled()  # the failure is the cancel's own doing
            raise
        finally:
            # From here on a cancel waits for the vault's answer: the registration request may
            # already have been acted on, and the procedure must not claim otherwise.
            forget_abort()

        progress.step("registering")
        key = new_machine_key(machine_name)
        verifier = passphrase_verifier(passphrase, resource_id=credentials.resource_id, machine_name=machine_name)
        journal.write(store, PendingChange(REGISTRATION, existing_machine_id or "", clock().isoformat(),
                                           vault_name=credentials.vault_name, machine_name=machine_name))
        sent.mark()
        machine = protocol.register(credentials, token, machine_name=machine_name, csr_pem=key.csr_pem,
                                    verifier=verifier, existing_machine_id=existing_machine_id, escrow=escrow)
    return machine, key


def _save(settings: "RegistrationSettings", store: Any, clock: Callable[[], datetime], credentials: Any,
          machine: Any, key: Any, previous: Any) -> RegistrationResult:
    """Step 6: once the vault has registered the machine, local state follows it."""
    from wizard.core.secrets.store import SecretStore

    secrets = SecretStore.for_state_dir(store.root, settings.secret_store)
    from wizard.core.secrets.machine_key import protect_private_key
    from wizard.core.storage import atomic_write_bytes

    protect_private_key(store, secrets, key.private_pem)
    atomic_write_bytes(store.path(MACHINE_CERT_FILE), machine.certificate_pem.encode("ascii"), mode=0o644)
    registered_at = machine.registered_at
    save_record(store, build_record(settings, credentials, machine, machine_cert_file=MACHINE_CERT_FILE,
                                    saved_at=clock(), previous=previous))
    log.info("%s %s with vault %s as machine %s", "re-registered" if machine.re_registration else "registered",
             machine.machine_name, machine.vault_name, machine.machine_id)
    return RegistrationResult(machine_id=machine.machine_id, machine_name=machine.machine_name,
                              vault_name=machine.vault_name, registered_at=registered_at,
                              re_registration=machine.re_registration, state_dir=store.root)


STATE_SPACE_NEEDED = 1024 * 1024  # the record, the machine's key and certificate, with room to spare


def _check_state_folder(store: Any) -> None:
    """Before the vault is contacted: room and a real write in the state folder. Once the vault has
    registered the machine the record must be saved; finding the disk full only then left the vault
    and this machine disagreeing."""
    import os
    import shutil

    try:
        free = shutil.disk_usage(store.root).free
    except OSError as exc:
        raise RegisterServerError("state.write_failed", reason="folder_unavailable",
                                  detail=f"({store.root}: {exc.strerror})") from None
    if free < STATE_SPACE_NEEDED:
        raise RegisterServerError("state.write_failed", reason="no_space",
                                  detail=f"({free} bytes free in {store.root}; at least {STATE_SPACE_NEEDED} "
                                         "are needed to save the registration)")
    probe = store.path(".write-probe")
    try:
        fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0), 0o600)
        try:
            os.write(fd, b"\0" * 4096)
            os.fsync(fd)
        finally:
            os.close(fd)
            probe.unlink(missing_ok=True)
    except OSError as exc:
        raise RegisterServerError("state.write_failed", reason="not_writable",
                                  detail=f"({store.root}: {exc.strerror})") from None


def _prepare_disk(settings: "RegistrationSettings") -> bool:
    """Re-run the disk checks and create the recovery folder; True when this run created it."""
    from wizard.core.recovery_folder import prepare_recovery_folder
    from wizard.core.validators import check_settings_on_disk

    for found in check_settings_on_disk(settings):
        if found.blocking:
            raise RegisterServerError(found.code, detail=_detail_of(found))
    return prepare_recovery_folder(settings.recovery)


def _detail_of(found: Any) -> str | None:
    """The issue's refinement of the catalogue message (the text after it), if any."""
    from wizard.core.errors import info

    base = info(found.code).message
    rest = found.message[len(base):].strip() if found.message.startswith(base) else found.message
    return rest or None


_NETWORK_CODES = ("network.", "proxy.", "tls.")


def _name_the_step(error: BaseException, step: str | None) -> None:
    """A network failure says at which step it happened ("... At: Proving the vault credentials."):
    a proxy that tunnels the first request but refuses a later one is a different problem."""
    if isinstance(error, RegisterServerError) and step is not None and error.code.startswith(_NETWORK_CODES):
        at = L_("At: {step}.", step=STEP_MESSAGES[step])
        error.detail = LazyText("{detail} {at}", detail=error.detail, at=at) if error.detail else at  # not a msgid


class _Sent:
    """Whether the registration request may have reached the vault, and what a failure then means."""

    def __init__(self) -> None:
        self.sent = False

    def mark(self) -> None:
        self.sent = True

    def may_have_been_accepted(self, error: BaseException) -> bool:
        """After sending, only a refusal from the vault (it answered no) proves nothing was registered;
        a lost or garbled answer may hide an accepted registration."""
        if not self.sent:
            return False
        if isinstance(error, RegisterServerError) and error.code not in _ANSWER_LOST:
            return error.exit_code in (ExitCode.NETWORK, ExitCode.UNEXPECTED)
        return True


# Failures after the request was sent that do not prove the vault said no.
_ANSWER_LOST = frozenset({"vault.error"})


def _save_passphrase_file(settings: "RegistrationSettings", passphrase: Secret, *, vault_name: str,
                          machine_name: str, created: datetime) -> Path | None:
    """Write the passphrase file, or accept an existing one that holds the same passphrase;
    the path when this run wrote it (None when the file was already there)."""
    from wizard.core.passphrase_file import read_passphrase_file, write_passphrase_file

    target = settings.encryption.save_to
    if target is None:
        raise RegisterServerError("encryption.save_path_required")
    target = Path(target)
    if target.exists():
        try:
            same = read_passphrase_file(target) == passphrase
        except RegisterServerError:
            same = False
        if same:
            return None
        raise RegisterServerError("encryption.save_path_exists", detail=f"({target})")
    write_passphrase_file(target, passphrase, vault_name=vault_name, machine_name=machine_name, created=created)
    return target
