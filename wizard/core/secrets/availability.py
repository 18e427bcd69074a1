"""Can this process store secrets right now? Asked before anything is written, not at the last step.

Why a real round trip and not only "is a backend viable": a Secret Service can be reachable
and locked, or answer the name lookup and fail on the first write; the user must learn
that when the wizard opens, when `register`/`settings` start, and from `--self-test` — not
after a passphrase file for a registration that cannot finish has been written. The probe
stores, reads back and deletes a random throw-away value under its own service name, so it
never touches a real entry.
"""

from __future__ import annotations

import secrets as random
from dataclasses import dataclass

from wizard.core.errors import RegisterServerError
from wizard.core.secret import Secret
from wizard.core.secrets.advice import advice_for
from wizard.core.secrets.choice import KEYRING, SYSTEMD_CREDS

PROBE_NAMESPACE = "availability-probe"


@dataclass(frozen=True)
class SecretStoreProblem:
    """Why secrets cannot be stored, and what to run on this system to fix it."""

    error: RegisterServerError
    fix: str

    @property
    def code(self) -> str:
        return self.error.code

    @property
    def message(self) -> str:
        return self.error.message

    def as_error(self) -> RegisterServerError:
        """The error with this system's fix in place of the catalogue's general one."""
        return RegisterServerError(self.error.code, reason=self.error.reason, detail=self.error.detail,
                                   advice=self.fix)


def secret_store_problem(*, round_trip: bool = True, store: str = KEYRING) -> SecretStoreProblem | None:
    """None when a trusted store takes, returns and forgets a secret; else the problem and its fix.

    `round_trip=False` only reads an entry that does not exist: it still reaches the backend,
    the D-Bus connection and the collection's lock, but writes nothing. That is the check a
    registration makes before its first write: each write to gnome-keyring rewrites its whole
    keyring file, and a round trip (a write and a delete) cost a registration ~190 ms against
    ~20 ms for the read, with 300 items in the keyring (measured here, median of 30).

    `store="systemd-creds"` probes that store instead: a value sealed and opened in memory
    (both forms; nothing is written), and the fix is that store's own.
    """
    if store == SYSTEMD_CREDS:
        from wizard.core.secrets.systemd_creds import probe

        try:
            probe()
        except RegisterServerError as error:
            return SecretStoreProblem(error, error.fix)
        return None
    from wizard.core.secrets.store import SecretStore

    store = SecretStore(PROBE_NAMESPACE)
    probe = Secret(random.token_urlsafe(24))
    name = f"probe-{random.token_hex(6)}"
    try:
        if not round_trip:
            store.get(name)
            return None
        store.set(name, probe)
        try:
            if store.get(name) != probe:
                raise RegisterServerError("secrets.unavailable", reason="round_trip",
                                          detail="(the store did not return what was stored)")
        finally:
            store.delete(name)
    except RegisterServerError as error:
        return SecretStoreProblem(error, advice_for(error.code))
    return None


def require_secret_store(store: str = KEYRING) -> None:
    """Raise the problem (with this system's fix) when the store cannot be reached or is locked.

    The read-only probe: a write the store refuses later is still undone by the registration."""
    problem = secret_store_problem(round_trip=False, store=store)
    if problem is not None:
        raise problem.as_error()
