"""The vault's state behind one small interface, with SQLite as the embedded implementation.

A real deployment would put a real database behind `VaultStorage`; the service and the
admin commands only use these methods. The SQLite implementation runs in WAL mode so the
admin commands (another process) can read and write while `vault serve` is running, and
every registration is one ``BEGIN IMMEDIATE`` transaction guarded by a UNIQUE constraint
on (vault, machine name): two concurrent registrations of one name can never make two
records. A registration or a passphrase change that carries an escrow envelope stores it in
that same transaction (`EscrowWrite`): the machine row and its envelope commit together or not
at all, so a refused or failed escrow never leaves a machine registered without the escrow it
asked for, nor an envelope for a registration the vault did not keep.
"""

from __future__ import annotations

import secrets
import sqlite3
import threading
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import NamedTuple, Protocol

from wizard.vault.refusal import VaultRefusal
from wizard.vault.security import SCHEMA as SECURITY_SCHEMA
from wizard.vault.security import EscrowEnvelope, insert_envelope, require_fingerprint

REDUNDANCIES = ("GRS", "LRS", "ZRS")


@dataclass(frozen=True)
class VaultRecord:
    id: int
    name: str
    resource_id: int
    subscription_id: str
    resource_group: str
    location: str
    tenant_id: str
    client_id: str
    redundancy: str
    credential_hours: float
    max_machines: int
    created_at: datetime
    deleted: bool


@dataclass(frozen=True)
class CredentialRecord:
    serial: int
    vault_id: int
    thumbprint_sha1: str
    certificate_pem: bytes
    not_before: datetime
    not_after: datetime
    issued_at: datetime


@dataclass(frozen=True)
class MachineRecord:
    machine_id: str
    vault_id: int
    name: str
    certificate_pem: bytes
    agent_version: str
    registered_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class EscrowWrite:
    """An envelope to store with a registration or a passphrase change: opaque bytes, and the
    fingerprint of the recovery certificate the client sealed it to."""
    envelope: bytes
    fingerprint: str


class Registered(NamedTuple):
    record: MachineRecord
    re_registration: bool
    envelope: EscrowEnvelope | None = None


class VerifierChanged(NamedTuple):
    updated: bool
    envelope: EscrowEnvelope | None = None


class VaultStorage(Protocol):
    """Everything the service and the admin commands need from a store."""

    def create_vault(self, *, name: str, redundancy: str, credential_hours: float, max_machines: int,
                     now: datetime) -> VaultRecord: ...
    def vault_by_name(self, name: str) -> VaultRecord | None: ...
    def vault_by_client_id(self, client_id: str) -> VaultRecord | None: ...
    def vault_by_id(self, vault_id: int) -> VaultRecord | None: ...
    def delete_vault(self, vault_id: int) -> None: ...
    def set_redundancy(self, vault_id: int, redundancy: str) -> None: ...
    def add_credential(self, vault_id: int, *, thumbprint_sha1: str, certificate_pem: bytes,
                       not_before: datetime, not_after: datetime, issued_at: datetime) -> CredentialRecord: ...
    def newest_credential(self, vault_id: int) -> CredentialRecord | None: ...
    def credential_by_thumbprint(self, thumbprint_sha1: str) -> CredentialRecord | None: ...
    def use_jti(self, jti: str, *, expires: datetime, now: datetime) -> bool: ...
    def register_machine(self, vault_id: int, *, name: str, verifier_hash: bytes, certificate_pem: bytes,
                         agent_version: str, now: datetime, existing_machine_id: str | None,
                         escrow: EscrowWrite | None = None) -> Registered: ...
    def machines(self, vault_id: int) -> list[MachineRecord]: ...
    def remove_machine(self, vault_id: int, name: str) -> bool: ...
    def machine_by_id(self, machine_id: str) -> MachineRecord | None: ...
    def remove_machine_by_id(self, machine_id: str) -> bool: ...
    def set_verifier(self, machine_id: str, verifier_hash: bytes, *, now: datetime,
                     escrow: EscrowWrite | None = None) -> VerifierChanged: ...
    def verifier_matches(self, machine_id: str, verifier_hash: bytes) -> bool: ...


_SCHEMA = """
CREATE TABLE IF NOT EXISTS vaults (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    resource_id INTEGER NOT NULL UNIQUE,
    subscription_id TEXT NOT NULL,
    resource_group TEXT NOT NULL,
    location TEXT NOT NULL,
    tenant_id TEXT NOT NULL,
    client_id TEXT NOT NULL UNIQUE,
    redundancy TEXT NOT NULL,
    credential_hours REAL NOT NULL,
    max_machines INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS credentials (
    serial INTEGER PRIMARY KEY AUTOINCREMENT,
    vault_id INTEGER NOT NULL REFERENCES vaults(id),
    thumbprint_sha1 TEXT NOT NULL UNIQUE,
    certificate_pem BLOB NOT NULL,
    not_before TEXT NOT NULL,
    not_after TEXT NOT NULL,
    issued_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS credentials_by_vault ON credentials(vault_id, serial);
CREATE TABLE IF NOT EXISTS used_jti (
    jti TEXT PRIMARY KEY,
    expires TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS machines (
    machine_id TEXT PRIMARY KEY,
    vault_id INTEGER NOT NULL REFERENCES vaults(id),
    name TEXT NOT NULL COLLATE NOCASE,
    verifier_hash BLOB NOT NULL,
    certificate_pem BLOB NOT NULL,
    agent_version TEXT NOT NULL,
    registered_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (vault_id, name)
);
"""

_VAULT_COLUMNS = ("id, name, resource_id, subscription_id, resource_group, location, tenant_id, client_id, "
                  "redundancy, credential_hours, max_machines, created_at, deleted")
_CRED_COLUMNS = "serial, vault_id, thumbprint_sha1, certificate_pem, not_before, not_after, issued_at"
_MACHINE_COLUMNS = "machine_id, vault_id, name, certificate_pem, agent_version, registered_at, updated_at"
_JTI_PRUNE_EVERY = 500


def _ts(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat()


def _dt(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _vault(row: tuple) -> VaultRecord:
    return VaultRecord(row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7], row[8], row[9], row[10],
                       _dt(row[11]), bool(row[12]))


def _credential(row: tuple) -> CredentialRecord:
    return CredentialRecord(row[0], row[1], row[2], bytes(row[3]), _dt(row[4]), _dt(row[5]), _dt(row[6]))


def _machine(row: tuple) -> MachineRecord:
    return MachineRecord(row[0], row[1], row[2], bytes(row[3]), row[4], _dt(row[5]), _dt(row[6]))


class SqliteVaultStorage:
    """`VaultStorage` in one SQLite file; one connection per instance, serialised by a lock."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: durable at checkpoints, fast commits
        self._db.execute("PRAGMA foreign_keys=ON")
        self._db.executescript(_SCHEMA)
        self._db.executescript(SECURITY_SCHEMA)  # escrow envelopes are written in this connection's transactions
        self._jti_inserts = 0

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _one(self, sql: str, args: tuple = ()) -> tuple | None:
        with self._lock:
            return self._db.execute(sql, args).fetchone()

    # vaults -------------------------------------------------------------------------------
    def create_vault(self, *, name: str, redundancy: str, credential_hours: float, max_machines: int,
                     now: datetime) -> VaultRecord:
        if redundancy not in REDUNDANCIES:
            raise ValueError(f"redundancy must be one of {REDUNDANCIES}")
        row = (name, secrets.randbits(62) + 1, str(uuid.uuid4()), f"{name}-rg", "local", str(uuid.uuid4()),
               str(uuid.uuid4()), redundancy, float(credential_hours), int(max_machines), _ts(now))
        with self._lock:
            try:
                cursor = self._db.execute(
                    "INSERT INTO vaults (name, resource_id, subscription_id, resource_group, location, tenant_id,"
                    " client_id, redundancy, credential_hours, max_machines, created_at)"
                    " VALUES (?,?,?,?,?,?,?,?,?,?,?)", row)
            except sqlite3.IntegrityError:
                raise VaultRefusal("vault.exists", 409, f"A vault named {name!r} already exists.") from None
            vault_id = cursor.lastrowid
        found = self.vault_by_id(int(vault_id or 0))
        assert found is not None
        return found

    def vault_by_name(self, name: str) -> VaultRecord | None:
        row = self._one(f"SELECT {_VAULT_COLUMNS} FROM vaults WHERE name = ? AND deleted = 0", (name,))
        return _vault(row) if row else None

    def vault_by_client_id(self, client_id: str) -> VaultRecord | None:
        row = self._one(f"SELECT {_VAULT_COLUMNS} FROM vaults WHERE client_id = ?", (client_id,))
        return _vault(row) if row else None

    def vault_by_id(self, vault_id: int) -> VaultRecord | None:
        row = self._one(f"SELECT {_VAULT_COLUMNS} FROM vaults WHERE id = ?", (vault_id,))
        return _vault(row) if row else None

    def delete_vault(self, vault_id: int) -> None:
        # Kept as a tombstone (renamed) so old credentials files get vault.not_found, not
        # credentials.invalid, and the name can be reused.
        with self._lock:
            self._db.execute("UPDATE vaults SET deleted = 1, name = name || '#deleted-' || id WHERE id = ?",
                             (vault_id,))

    def set_redundancy(self, vault_id: int, redundancy: str) -> None:
        if redundancy not in REDUNDANCIES:
            raise ValueError(f"redundancy must be one of {REDUNDANCIES}")
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                (count,) = self._db.execute("SELECT COUNT(*) FROM machines WHERE vault_id = ?", (vault_id,)).fetchone()
                if count:
                    raise VaultRefusal("vault.redundancy_locked", 409,
                                       "Storage redundancy can only be changed before the first machine registers.")
                self._db.execute("UPDATE vaults SET redundancy = ? WHERE id = ?", (redundancy, vault_id))
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    # credentials --------------------------------------------------------------------------
    def add_credential(self, vault_id: int, *, thumbprint_sha1: str, certificate_pem: bytes,
                       not_before: datetime, not_after: datetime, issued_at: datetime) -> CredentialRecord:
        with self._lock:
            cursor = self._db.execute(
                "INSERT INTO credentials (vault_id, thumbprint_sha1, certificate_pem, not_before, not_after, issued_at)"
                " VALUES (?,?,?,?,?,?)",
                (vault_id, thumbprint_sha1.upper(), certificate_pem, _ts(not_before), _ts(not_after), _ts(issued_at)))
            serial = cursor.lastrowid
        row = self._one(f"SELECT {_CRED_COLUMNS} FROM credentials WHERE serial = ?", (serial,))
        assert row is not None
        return _credential(row)

    def newest_credential(self, vault_id: int) -> CredentialRecord | None:
        row = self._one(f"SELECT {_CRED_COLUMNS} FROM credentials WHERE vault_id = ? ORDER BY serial DESC LIMIT 1",
                        (vault_id,))
        return _credential(row) if row else None

    def credential_by_thumbprint(self, thumbprint_sha1: str) -> CredentialRecord | None:
        row = self._one(f"SELECT {_CRED_COLUMNS} FROM credentials WHERE thumbprint_sha1 = ?",
                        (thumbprint_sha1.upper(),))
        return _credential(row) if row else None

    def use_jti(self, jti: str, *, expires: datetime, now: datetime) -> bool:
        """Record `jti`; False when it was seen before (a replayed assertion)."""
        with self._lock:
            try:
                self._db.execute("INSERT INTO used_jti (jti, expires) VALUES (?, ?)", (jti, _ts(expires)))
            except sqlite3.IntegrityError:
                return False
            self._jti_inserts += 1
            if self._jti_inserts % _JTI_PRUNE_EVERY == 0:
                # An expired assertion is refused on its exp alone, so its jti need not be kept.
                self._db.execute("DELETE FROM used_jti WHERE expires < ?", (_ts(now),))
            return True

    # machines -----------------------------------------------------------------------------
    def register_machine(self, vault_id: int, *, name: str, verifier_hash: bytes, certificate_pem: bytes,
                         agent_version: str, now: datetime, existing_machine_id: str | None,
                         escrow: EscrowWrite | None = None) -> Registered:
        """Insert or re-register `name`, with its escrow envelope when given, in one transaction."""
        stamp = _ts(now)
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                if escrow is not None:  # the certificate may have been replaced since the request was read
                    require_fingerprint(self._db, vault_id, escrow.fingerprint)
                record, re_registration = self._register_locked(vault_id, name, verifier_hash, certificate_pem,
                                                                agent_version, stamp, existing_machine_id)
                envelope = None if escrow is None else insert_envelope(
                    self._db, vault_id=vault_id, machine_id=record.machine_id, name=record.name,
                    envelope=escrow.envelope, fingerprint=escrow.fingerprint, now=now)
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return Registered(record, re_registration, envelope)

    def _register_locked(self, vault_id: int, name: str, verifier_hash: bytes, certificate_pem: bytes,
                         agent_version: str, stamp: str, existing_machine_id: str | None
                         ) -> tuple[MachineRecord, bool]:
        db = self._db
        vault = db.execute("SELECT max_machines, deleted FROM vaults WHERE id = ?", (vault_id,)).fetchone()
        if vault is None or vault[1]:
            raise VaultRefusal("vault.not_found", 404, "The vault no longer exists.")
        if existing_machine_id:
            other = db.execute("SELECT m.vault_id FROM machines m JOIN vaults v ON v.id = m.vault_id"
                               " WHERE m.machine_id = ? AND v.deleted = 0", (existing_machine_id,)).fetchone()
            if other is not None and other[0] != vault_id:
                raise VaultRefusal("vault.wrong_vault", 409, "This machine is registered to another vault.")
        row = db.execute("SELECT machine_id, verifier_hash FROM machines WHERE vault_id = ? AND name = ?",
                         (vault_id, name)).fetchone()
        if row is not None:
            if not secrets.compare_digest(bytes(row[1]), verifier_hash):
                raise VaultRefusal("passphrase.mismatch", 409,
                                   "This machine name was registered with a different passphrase.")
            db.execute("UPDATE machines SET certificate_pem = ?, agent_version = ?, updated_at = ?"
                       " WHERE machine_id = ?", (certificate_pem, agent_version, stamp, row[0]))
            machine_id, re_registration = row[0], True
        else:
            (count,) = db.execute("SELECT COUNT(*) FROM machines WHERE vault_id = ?", (vault_id,)).fetchone()
            if count >= vault[0]:
                raise VaultRefusal("vault.full", 409, f"The vault already holds its maximum of {vault[0]} machines.")
            machine_id = str(uuid.uuid4())
            db.execute(f"INSERT INTO machines ({_MACHINE_COLUMNS}, verifier_hash) VALUES (?,?,?,?,?,?,?,?)",
                       (machine_id, vault_id, name, certificate_pem, agent_version, stamp, stamp, verifier_hash))
            re_registration = False
        found = db.execute(f"SELECT {_MACHINE_COLUMNS} FROM machines WHERE machine_id = ?", (machine_id,)).fetchone()
        return _machine(found), re_registration

    def machines(self, vault_id: int) -> list[MachineRecord]:
        with self._lock:
            rows = self._db.execute(f"SELECT {_MACHINE_COLUMNS} FROM machines WHERE vault_id = ? ORDER BY name",
                                    (vault_id,)).fetchall()
        return [_machine(r) for r in rows]

    def remove_machine(self, vault_id: int, name: str) -> bool:
        with self._lock:
            cursor = self._db.execute("DELETE FROM machines WHERE vault_id = ? AND name = ?", (vault_id, name))
        return cursor.rowcount > 0

    def machine_by_id(self, machine_id: str) -> MachineRecord | None:
        """A machine of a vault that still exists."""
        row = self._one(f"SELECT {', '.join('m.' + c.strip() for c in _MACHINE_COLUMNS.split(','))} FROM machines m"
                        " JOIN vaults v ON v.id = m.vault_id WHERE m.machine_id = ? AND v.deleted = 0", (machine_id,))
        return _machine(row) if row else None

    def remove_machine_by_id(self, machine_id: str) -> bool:
        with self._lock:
            cursor = self._db.execute("DELETE FROM machines WHERE machine_id = ?", (machine_id,))
        return cursor.rowcount > 0

    def set_verifier(self, machine_id: str, verifier_hash: bytes, *, now: datetime,
                     escrow: EscrowWrite | None = None) -> VerifierChanged:
        """Change a machine's passphrase verifier, with the new passphrase's envelope when given,
        in one transaction (the old verifier stays in force when the envelope cannot be kept)."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                row = self._db.execute("SELECT vault_id, name FROM machines WHERE machine_id = ?",
                                       (machine_id,)).fetchone()
                envelope = None
                if row is not None:
                    self._db.execute("UPDATE machines SET verifier_hash = ?, updated_at = ? WHERE machine_id = ?",
                                     (verifier_hash, _ts(now), machine_id))
                    if escrow is not None:
                        envelope = insert_envelope(self._db, vault_id=row[0], machine_id=machine_id, name=row[1],
                                                   envelope=escrow.envelope, fingerprint=escrow.fingerprint, now=now)
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return VerifierChanged(row is not None, envelope)

    def verifier_matches(self, machine_id: str, verifier_hash: bytes) -> bool:
        """Whether `verifier_hash` is the one in force for the machine (constant-time compare)."""
        row = self._one("SELECT verifier_hash FROM machines WHERE machine_id = ?", (machine_id,))
        return row is not None and secrets.compare_digest(bytes(row[0]), verifier_hash)
