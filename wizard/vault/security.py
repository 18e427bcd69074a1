"""The vault's security state: each vault's recovery certificate and the escrow envelopes sealed to it.

Why a module of its own: it is a separate concern from registration (the vault only keeps
opaque envelopes it cannot open) and it grows on its own (security PINs). It shares the
vault's SQLite file through its own connection: WAL mode lets the service and the admin
commands use both at once.

Envelopes are kept per machine under the original agent's name `AzBackup-<machine>-<vault>`,
a new version on every passphrase change (numbered per machine name, across re-registrations); none is ever overwritten, so an administrator can
still recover a passphrase that was in force for older backups. Each version records the
fingerprint of the certificate it was sealed to, so the holder knows which key opens it.
"""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from wizard.vault.refusal import VaultRefusal

_SCHEMA = """
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
"""


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
        self._db.executescript(_SCHEMA)

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
        """Refuse an envelope sealed to anything but this vault's current recovery certificate."""
        current = self.recovery_certificate(vault_id)
        if current is None:
            raise VaultRefusal("escrow.not_configured", 409, "This vault has no recovery certificate.")
        if fingerprint != current.fingerprint:
            raise VaultRefusal("escrow.certificate_changed", 409,
                               "The envelope was sealed to another recovery certificate than the vault's.")

    def add_envelope(self, vault_id: int, machine_id: str, name: str, envelope: bytes, fingerprint: str, *,
                     now: datetime) -> EscrowEnvelope:
        """Store the next version of a machine's envelope."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                (latest,) = self._db.execute("SELECT COALESCE(MAX(version), 0) FROM escrow_envelopes"
                                             " WHERE vault_id = ? AND name = ?", (vault_id, name)).fetchone()
                version = int(latest) + 1
                self._db.execute("INSERT INTO escrow_envelopes VALUES (?,?,?,?,?,?,?)",
                                 (machine_id, version, vault_id, name, envelope, fingerprint, _ts(now)))
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return EscrowEnvelope(machine_id, version, name, envelope, fingerprint, now)

    def envelopes(self, vault_id: int, machine_name: str) -> list[EscrowEnvelope]:
        """Every version kept for a machine name in a vault, oldest first (kept after it is removed)."""
        with self._lock:
            rows = self._db.execute("SELECT machine_id, version, name, envelope, fingerprint, stored_at"
                                    " FROM escrow_envelopes WHERE vault_id = ? AND name = ?"
                                    " ORDER BY version", (vault_id, machine_name)).fetchall()
        return [EscrowEnvelope(r[0], r[1], r[2], bytes(r[3]), r[4], datetime.fromisoformat(r[5])) for r in rows]
