"""Client assertion times by the book (RFC 7519 NumericDate, integers only; nbf honoured)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest

from wizard.vault.auth import TokenAuthority
from wizard.vault.refusal import VaultRefusal

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=timezone.utc)
T = int(NOW.timestamp())


def _refusal(claims: dict[str, Any]) -> str:
    with pytest.raises(VaultRefusal) as excinfo:
        TokenAuthority._check_times(claims, NOW)
    return excinfo.value.code


@pytest.mark.parametrize("name", ["iat", "exp", "nbf"])
@pytest.mark.parametrize("bad", [str(T), float(T) + 0.5, True, None, [T]])
def test_time_claims_must_be_integers(name: str, bad: Any) -> None:
    claims: dict[str, Any] = {"iat": T, "nbf": T, "exp": T + 60}
    claims[name] = bad
    assert _refusal(claims) == "credentials.invalid"


def test_an_assertion_not_valid_yet_is_refused() -> None:
    assert _refusal({"iat": T, "nbf": T + 3600, "exp": T + 60}) == "auth.clock_skew"


def test_a_good_assertion_passes_with_or_without_nbf() -> None:
    assert TokenAuthority._check_times({"iat": T, "nbf": T, "exp": T + 60}, NOW).timestamp() == T + 60
    assert TokenAuthority._check_times({"iat": T, "exp": T + 60}, NOW).timestamp() == T + 60
