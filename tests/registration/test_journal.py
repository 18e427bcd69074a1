"""The change journal's file: private, whole, and refused (not guessed at) when it is not a journal."""

from __future__ import annotations

import json
import os
import stat
from datetime import datetime, timezone
from pathlib import Path

import pytest

from wizard.core.errors import RegisterServerError
from wizard.core.storage import StateStore
from wizard.registration import journal
from wizard.registration.journal import JOURNAL, PASSPHRASE_CHANGE, PendingChange
from wizard.registration.reconcile import reconcile, reconcile_pending


def test_a_journal_round_trips_owner_only_and_holds_no_secret(tmp_path: Path) -> None:
    store = StateStore(tmp_path / "home")
    change = PendingChange(PASSPHRASE_CHANGE, "m-1", "2026-12-02T12:00:00+00:00", str(tmp_path / "new.txt"),
                           file_created=True, escrow_fingerprint="ab" * 32)
    journal.write(store, change)
    assert journal.load(store) == change
    path = store.path(JOURNAL)
    if os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert set(json.loads(path.read_text())) == {"format", "kind", "machine_id", "started_at", "passphrase_file",
                                                  "file_created", "escrow_fingerprint", "vault_name", "machine_name"}
    journal.clear(store)
    assert journal.load(store) is None and not path.exists()


@pytest.mark.parametrize("document", [[], {"format": 2, "kind": PASSPHRASE_CHANGE},
                                      {"format": 1, "kind": "reformat_disk", "machine_id": "m", "started_at": "t"},
                                      {"format": 1, "kind": PASSPHRASE_CHANGE, "machine_id": "m", "started_at": "t"},
                                      {"format": 1, "kind": "unregister", "machine_id": "m", "started_at": "t",
                                       "surprise": True}])
def test_anything_else_is_state_corrupt_naming_the_journal(tmp_path: Path, document: object) -> None:
    store = StateStore(tmp_path / "home")
    store.save_json(JOURNAL, document)
    with pytest.raises(RegisterServerError) as caught:
        journal.load(store)
    assert (caught.value.code, caught.value.reason) == ("state.corrupt", "journal")


def test_nothing_pending_is_nothing_to_do_and_creates_no_state_folder(tmp_path: Path) -> None:
    assert reconcile_pending(tmp_path / "never-made") is None
    assert not (tmp_path / "never-made").exists()
    store = StateStore(tmp_path / "home")
    with store.lock():
        assert reconcile(store, clock=lambda: datetime.now(timezone.utc), transport_factory=None) is None


def test_a_registration_in_doubt_is_named_to_every_face_but_register(tmp_path: Path) -> None:
    store = StateStore(tmp_path / "home")
    journal.write(store, PendingChange(journal.REGISTRATION, "", "2026-12-02T12:00:00+00:00",
                                       vault_name="vault-a", machine_name="server01"))
    clock = lambda: datetime.now(timezone.utc)  # noqa: E731
    with store.lock():
        assert reconcile(store, clock=clock, transport_factory=None, registering=True) is None
        with pytest.raises(RegisterServerError) as caught:
            reconcile(store, clock=clock, transport_factory=None)
    assert caught.value.code == "state.registered_not_saved"
    assert "server01" in caught.value.message and "vault-a" in caught.value.message
