"""Security PINs at the vault: off by default, 8 digits, five minutes, one use, five wrong tries void them."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from wizard.vault.refusal import VaultRefusal
from wizard.vault.security import MAX_PIN_FAILURES, PIN_LIFETIME, VaultSecurity

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=timezone.utc)


@pytest.fixture
def security(tmp_path: Path):  # type: ignore[no-untyped-def]
    store = VaultSecurity(tmp_path / "vault.sqlite3")
    store.set_pin_required(1, True)
    yield store
    store.close()


def _code(action) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(VaultRefusal) as caught:
        action()
    return caught.value.code


def test_not_required_by_default_so_existing_machines_keep_working(tmp_path: Path) -> None:
    store = VaultSecurity(tmp_path / "vault.sqlite3")
    assert not store.pin_required(7)
    store.use_pin(7, None, now=NOW)  # no refusal
    store.close()


def test_a_pin_is_eight_digits_good_once_within_five_minutes(security) -> None:  # type: ignore[no-untyped-def]
    pin, expires = security.issue_pin(1, now=NOW)
    assert len(pin) == 8 and pin.isdigit() and expires == NOW + PIN_LIFETIME == NOW + timedelta(minutes=5)
    assert _code(lambda: security.use_pin(1, None, now=NOW)) == "security.pin_required"
    security.use_pin(1, pin, now=NOW + timedelta(minutes=4, seconds=59))
    assert _code(lambda: security.use_pin(1, pin, now=NOW)) == "security.pin_invalid"  # spent


def test_an_old_pin_is_expired(security) -> None:  # type: ignore[no-untyped-def]
    pin, _ = security.issue_pin(1, now=NOW)
    assert _code(lambda: security.use_pin(1, pin, now=NOW + timedelta(minutes=5, seconds=1))) == "security.pin_expired"


def test_another_vaults_pin_is_invalid(security) -> None:  # type: ignore[no-untyped-def]
    security.set_pin_required(2, True)
    pin, _ = security.issue_pin(2, now=NOW)
    assert _code(lambda: security.use_pin(1, pin, now=NOW)) == "security.pin_invalid"


def test_five_wrong_tries_void_every_outstanding_pin(security) -> None:  # type: ignore[no-untyped-def]
    pin, _ = security.issue_pin(1, now=NOW)
    wrong = "1" * 8 if pin != "1" * 8 else "2" * 8
    for _ in range(MAX_PIN_FAILURES):
        assert _code(lambda: security.use_pin(1, wrong, now=NOW)) == "security.pin_invalid"
    assert _code(lambda: security.use_pin(1, pin, now=NOW)) == "security.pin_invalid"
