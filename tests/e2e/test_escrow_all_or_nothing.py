"""Through the real vault service: an escrow envelope the vault cannot store leaves no machine
registered (and no passphrase change in force) at the vault.

The failure is the vault's own (a trigger on its SQLite file aborts the envelope's insert, as a
full disk would); the client sealed and sent everything correctly. Before the machine row and the
envelope shared one transaction, the vault kept the machine without the escrow it was asked for.
"""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest

from tests.e2e.helpers import make_settings
from tests.support.recovery_cert import make_pair
from wizard.core.errors import RegisterServerError

pytestmark = pytest.mark.e2e
NEW = "a new escrowed passphrase for the change 2026"


def _fail_envelopes_of(database: Path, vault_id: int) -> str:
    trigger = f"fail_envelopes_{vault_id}"
    with sqlite3.connect(database) as db:
        db.execute(f"CREATE TRIGGER {trigger} BEFORE INSERT ON escrow_envelopes WHEN NEW.vault_id = {vault_id} "
                   "BEGIN SELECT RAISE(ABORT, 'disk full'); END")
    return trigger


def _drop(database: Path, trigger: str) -> None:
    with sqlite3.connect(database) as db:
        db.execute(f"DROP TRIGGER IF EXISTS {trigger}")


def _verifier(database: Path, vault_id: int, name: str) -> bytes:
    with sqlite3.connect(database) as db:
        return bytes(db.execute("SELECT verifier_hash FROM machines WHERE vault_id = ? AND name = ?",
                                (vault_id, name)).fetchone()[0])


def test_a_failed_escrow_registers_nothing_and_changes_nothing(vault_service, secret_service,  # type: ignore[no-untyped-def]
                                                               tmp_path: Path) -> None:
    from wizard.core.answers import parse_answers
    from wizard.registration import run_registration
    from wizard.registration.maintenance import change_settings
    from wizard.vault.admin import DB_NAME

    vault = vault_service.create_vault()
    admin = vault_service.admin
    admin.set_recovery_certificate(vault, make_pair().certificate_pem)
    vault_id = admin.vault(vault).id
    database = vault_service.data_dir / DB_NAME
    settings = make_settings(vault_service.issue(vault, tmp_path), ca_bundle=vault_service.ca_file,
                             passphrase_dir=tmp_path)
    settings = replace(settings, encryption=replace(settings.encryption, escrow=True))
    home = tmp_path / "home"

    trigger = _fail_envelopes_of(database, vault_id)
    try:
        with pytest.raises(RegisterServerError):
            run_registration(settings, home=home)
        assert admin.machines(vault) == []  # was: server01 registered, without its envelope
        assert admin.security.envelopes(vault_id, "server01") == []
    finally:
        _drop(database, trigger)

    run_registration(settings, home=home)  # the same settings, once the vault can store the envelope
    assert [m.name for m in admin.machines(vault)] == ["server01"]
    assert [e.version for e in admin.security.envelopes(vault_id, "server01")] == [1]
    before = _verifier(database, vault_id, "server01")

    answers = parse_answers(f'[encryption]\npassphrase_env = "NEW"\nsave_passphrase_to = "{tmp_path / "new.txt"}"\n'
                            'escrow = true\n')
    trigger = _fail_envelopes_of(database, vault_id)
    try:
        with pytest.raises(RegisterServerError):
            change_settings(answers, home=home, environ={"NEW": NEW})
        assert _verifier(database, vault_id, "server01") == before  # was: the new verifier, no version 2
        assert [e.version for e in admin.security.envelopes(vault_id, "server01")] == [1]
    finally:
        _drop(database, trigger)
