"""The vault's security state: recovery certificates, escrow envelopes and security PINs.

Why a module of its own: it is a separate concern from registration (the vault only keeps
opaque envelopes it cannot open) and it grows on its own (security PINs). It shares the
vault's SQLite file through its own connection: WAL mode lets the service and the admin
commands use both at once.

Envelopes are kept per machine under the original agent's name `AzBackup-<machine>-<vault>`,
a new version on every passphrase change (numbered per machine name, across re-registrations);
none is ever overwritten, so an administrator can
still recover a passphrase that was in force for older backups. Each version records the
fingerprint of the certificate it was sealed to, so the holder knows which key opens it.

A security PIN is what the original agent asks for before a passphrase change or another
critical operation: someone who takes over a server (and so holds its machine key) still
cannot change its passphrase or remove it without a PIN the vault's administrator issues.
PINs are 8 random digits, valid five minutes, good for one operation, stored only hashed.
Whether a vault requires them is its own setting (off by default, so existing machines and
scripts keep working until the administrator turns it on).
"""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from wizard.vault.refusal import VaultRefusal

SCHEMA = """
CREATE TABLE IF NOT EXISTS recovery_certificates (
    vault_id INTEGER PRIMARY KEY REFERENCES vaults(id),
    certificate_pem BLOB NOT NULL,
    fingerprint TEXT NOT NULL,
    set_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS escrow_envelopes (
    machine_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    vault_id INTEGER NOT NULL,
    name TEXT NOT NULL COLLATE NOCASE,
    envelope BLOB NOT NULL,
    fingerprint TEXT NOT NULL,
    stored_at TEXT NOT NULL,
    PRIMARY KEY (vault_id, name, version)
);
CREATE TABLE IF NOT EXISTS pin_policy (
    vault_id INTEGER PRIMARY KEY,
    required INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS security_pins (
    vault_id INTEGER NOT NULL,
    pin_hash BLOB NOT NULL,
    expires TEXT NOT NULL,
    PRIMARY KEY (vault_id, pin_hash)
);
CREATE TABLE IF NOT EXISTS pin_failures (
    vault_id INTEGER PRIMARY KEY,
    count INTEGER NOT NULL
);
"""
PIN_DIGITS = 8
PIN_LIFETIME = timedelta(minutes=5)
# Eight digits are 10^8 guesses; after this many wrong ones every outstanding PIN of the vault is
# void, so guessing within a PIN's five minutes is hopeless.
MAX_PIN_FAILURES = 5


@dataclass(frozen=True)
class RecoveryCertificate:
    vault_id: int
    certificate_pem: bytes
    fingerprint: str
    set_at: datetime


@dataclass(frozen=True)
class EscrowEnvelope:
    machine_id: str
    version: int
    name: str
    envelope: bytes
    fingerprint: str
    stored_at: datetime


def _ts(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat()


class VaultSecurity:
    """Recovery certificates and escrow envelopes in the vault's SQLite file."""

    def __init__(self, path: Path) -> None:
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # recovery certificates -------------------------------------------------------------
    def set_recovery_certificate(self, vault_id: int, certificate_pem: bytes, fingerprint: str, *,
                                 now: datetime) -> RecoveryCertificate:
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO recovery_certificates VALUES (?,?,?,?)",
                             (vault_id, certificate_pem, fingerprint, _ts(now)))
        found = self.recovery_certificate(vault_id)
        assert found is not None
        return found

    def recovery_certificate(self, vault_id: int) -> RecoveryCertificate | None:
        with self._lock:
            row = self._db.execute("SELECT vault_id, certificate_pem, fingerprint, set_at FROM recovery_certificates"
                                   " WHERE vault_id = ?", (vault_id,)).fetchone()
        return RecoveryCertificate(row[0], bytes(row[1]), row[2], datetime.fromisoformat(row[3])) if row else None

    # envelopes -------------------------------------------------------------------------
    def check_fingerprint(self, vault_id: int, fingerprint: object) -> None:
        """Refuse an envelope sealed to anything but this vault's current recovery certificate.

        A quick refusal before the vault does any work; the registration's own transaction checks
        again (`require_fingerprint`), since the administrator may replace the certificate meanwhile.
        """
        with self._lock:
            require_fingerprint(self._db, vault_id, fingerprint)

    def add_envelope(self, vault_id: int, machine_id: str, name: str, envelope: bytes, fingerprint: str, *,
                     now: datetime) -> EscrowEnvelope:
        """Store the next version of a machine's envelope (on its own; a registration or a passphrase
        change stores its envelope inside its own transaction, through the storage)."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                stored = insert_envelope(self._db, vault_id=vault_id, machine_id=machine_id, name=name,
                                         envelope=envelope, fingerprint=fingerprint, now=now)
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return stored

    def envelopes(self, vault_id: int, machine_name: str) -> list[EscrowEnvelope]:
        """Every version kept for a machine name in a vault, oldest first (kept after it is removed)."""
        with self._lock:
            rows = self._db.execute("SELECT machine_id, version, name, envelope, fingerprint, stored_at"
                                    " FROM escrow_envelopes WHERE vault_id = ? AND name = ?"
                                    " ORDER BY version", (vault_id, machine_name)).fetchall()
        return [EscrowEnvelope(r[0], r[1], r[2], bytes(r[3]), r[4], datetime.fromisoformat(r[5])) for r in rows]

    # security PINs ---------------------------------------------------------------------
    def set_pin_required(self, vault_id: int, required: bool) -> None:
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO pin_policy VALUES (?, ?)", (vault_id, int(required)))

    def pin_required(self, vault_id: int) -> bool:
        with self._lock:
            row = self._db.execute("SELECT required FROM pin_policy WHERE vault_id = ?", (vault_id,)).fetchone()
        return bool(row and row[0])

    def issue_pin(self, vault_id: int, *, now: datetime) -> tuple[str, datetime]:
        """A new PIN (its only plain copy, for the administrator) and when it expires."""
        pin = "".join(secrets.choice("0123456789") for _ in range(PIN_DIGITS))
        expires = now + PIN_LIFETIME
        with self._lock:
            self._db.execute("DELETE FROM security_pins WHERE expires < ?", (_ts(now),))
            self._db.execute("INSERT OR REPLACE INTO security_pins VALUES (?,?,?)", (vault_id, _pin_hash(pin),
                                                                                   _ts(expires)))
            self._db.execute("DELETE FROM pin_failures WHERE vault_id = ?", (vault_id,))
        return pin, expires

    def use_pin(self, vault_id: int, pin: str | None, *, now: datetime) -> None:
        """Spend `pin` on one operation when the vault requires PINs; else a refusal naming why."""
        if not self.pin_required(vault_id):
            return
        if not pin:
            raise VaultRefusal("security.pin_required", 403, "This operation needs a security PIN from the vault.")
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                refusal = self._use_pin_locked(vault_id, pin, now)
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        if refusal is not None:
            raise refusal

    def _use_pin_locked(self, vault_id: int, pin: str, now: datetime) -> VaultRefusal | None:
        db = self._db
        row = db.execute("SELECT expires FROM security_pins WHERE vault_id = ? AND pin_hash = ?",
                         (vault_id, _pin_hash(pin))).fetchone()
        if row is None:
            failures = db.execute("SELECT count FROM pin_failures WHERE vault_id = ?", (vault_id,)).fetchone()
            count = (failures[0] if failures else 0) + 1
            if count >= MAX_PIN_FAILURES:
                db.execute("DELETE FROM security_pins WHERE vault_id = ?", (vault_id,))
                db.execute("DELETE FROM pin_failures WHERE vault_id = ?", (vault_id,))
            else:
                db.execute("INSERT OR REPLACE INTO pin_failures VALUES (?, ?)", (vault_id, count))
            return VaultRefusal("security.pin_invalid", 403, "The security PIN is not one this vault issued.")
        db.execute("DELETE FROM security_pins WHERE vault_id = ? AND pin_hash = ?", (vault_id, _pin_hash(pin)))
        if datetime.fromisoformat(row[0]) < now:
            return VaultRefusal("security.pin_expired", 403, "The security PIN has expired.")
        return None


def require_fingerprint(db: sqlite3.Connection, vault_id: int, fingerprint: object) -> None:
    """On connection `db` (inside the caller's transaction when it has one): refuse an envelope
    sealed to anything but the vault's current recovery certificate."""
    row = db.execute("SELECT fingerprint FROM recovery_certificates WHERE vault_id = ?", (vault_id,)).fetchone()
    if row is None:
        raise VaultRefusal("escrow.not_configured", 409, "This vault has no recovery certificate.")
    if fingerprint != row[0]:
        raise VaultRefusal("escrow.certificate_changed", 409,
                           "The envelope was sealed to another recovery certificate than the vault's.")


def insert_envelope(db: sqlite3.Connection, *, vault_id: int, machine_id: str, name: str, envelope: bytes,
                    fingerprint: str, now: datetime) -> EscrowEnvelope:
    """Store the next version of a machine's envelope on `db`, inside the caller's transaction.

    Why a function on a connection: the machine row and its envelope must commit together (a
    machine registered without the escrow it asked for, or an envelope for a registration the
    vault refused, are both half-done), so the storage calls this within its own transaction.
    """
    require_fingerprint(db, vault_id, fingerprint)
    (latest,) = db.execute("SELECT COALESCE(MAX(version), 0) FROM escrow_envelopes WHERE vault_id = ? AND name = ?",
                           (vault_id, name)).fetchone()
    version = int(latest) + 1
    db.execute("INSERT INTO escrow_envelopes VALUES (?,?,?,?,?,?,?)",
               (machine_id, version, vault_id, name, envelope, fingerprint, _ts(now)))
    return EscrowEnvelope(machine_id, version, name, envelope, fingerprint, now)


def _pin_hash(pin: str) -> bytes:
    return hashlib.sha256(f"register-server/pin/v1|{pin}".encode("utf-8")).digest()
