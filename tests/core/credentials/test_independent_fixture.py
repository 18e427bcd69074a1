"""A file built from domain.md's description alone (not by our writer) reads correctly."""

from __future__ import annotations

from datetime import timedelta

import pytest
from cryptography.hazmat.primitives import hashes

from tests.core.credentials import builders
from tests.core.credentials.conftest import NOW
from wizard.core.credentials import LegacyCredentialsError, parse_credentials
from wizard.core.errors import RegisterServerError


def test_independently_built_file_reads() -> None:
    key = builders.rsa_key(0)
    cert = builders.certificate(key, issued=NOW)
    data = builders.document(builders.values(builders.pfx(key, cert)))
    creds = parse_credentials(data, file_name="fabrikam-vault_Tue Nov 24 2026.VaultCredentials", now=NOW)

    assert creds.format_version == "2.0"
    assert creds.vault_name == "fabrikam-vault"
    assert creds.subscription_id == "3c8f1b5e-6a2d-4f7b-9e0c-1d2e3f4a5b6c"
    assert (creds.resource_group, creds.location, creds.resource_id) == ("fabrikam-rg", "northeurope", 2**62)
    assert creds.token_url == "https://login.example.net/72f988bf-86f1-41af-91ab-2d7cd011db47/oauth2/token"
    assert creds.registration_url == "https://vault.example.net/restapi/machines"
    assert creds.agent_links == "Agent,https://vault.example.net/agent"
    assert creds.aad_audience is None and creds.private_endpoint_state is None
    assert creds.thumbprint_sha1 == cert.fingerprint(hashes.SHA1()).hex().upper()
    assert len(creds.thumbprint_sha1) == 40
    assert creds.thumbprint_sha256 == cert.fingerprint(hashes.SHA256()).hex().upper()
    assert creds.not_before == NOW - timedelta(minutes=10)
    assert creds.not_after == NOW + timedelta(hours=48)
    assert creds.expires_in(NOW) == timedelta(hours=48)


def test_tolerates_other_order_whitespace_and_a_bom() -> None:
    key = builders.rsa_key(0)
    cert = builders.certificate(key, issued=NOW)
    fields = builders.values(builders.pfx(key, cert))
    b64 = fields["ManagementCert"] or ""
    fields["ManagementCert"] = "\n".join(b64[i:i + 64] for i in range(0, len(b64), 64))
    reordered = dict(reversed(list(fields.items())))
    data = b"\xef\xbb\xbf" + builders.document(reordered)
    creds = parse_credentials(data, file_name="a.VAULTCREDENTIALS", now=NOW)
    assert creds.vault_name == "fabrikam-vault"


def test_legacy_file_is_recognised_and_explained() -> None:
    key = builders.rsa_key(0)
    data = builders.legacy_document(builders.pfx(key, builders.certificate(key, issued=NOW)))
    with pytest.raises(LegacyCredentialsError) as caught:
        parse_credentials(data, file_name="old.VaultCredentials", now=NOW)
    error = caught.value
    assert error.code == "credentials.legacy_format"
    assert "old-format (version 1.0)" in error.message and "old-vault" in error.message
    assert error.legacy.acs_host_name == "accesscontrol.example.net"
    assert error.legacy.acs_namespace == "old-vault-ns"
    assert error.legacy.subscription_id == "3c8f1b5e-6a2d-4f7b-9e0c-1d2e3f4a5b6c"
    assert isinstance(error, RegisterServerError)


class TestValidityWindow:
    """The window is widened by limits.CLOCK_SKEW_ALLOWANCE (5 min) on both ends."""

    @staticmethod
    def _data() -> bytes:
        key = builders.rsa_key(0)
        return builders.document(builders.values(builders.pfx(key, builders.certificate(key, issued=NOW))))

    def check(self, at_offset: timedelta) -> RegisterServerError | None:
        try:
            parse_credentials(self._data(), file_name="f.VaultCredentials", now=NOW + at_offset)
        except RegisterServerError as error:
            return error
        return None

    def test_expired_beyond_the_allowance(self) -> None:
        error = self.check(timedelta(hours=48, minutes=5, seconds=1))
        assert error is not None and error.code == "credentials.expired"
        assert "2026-11-26 10:00 UTC" in error.message

    def test_just_within_the_allowance_after_expiry(self) -> None:
        assert self.check(timedelta(hours=48, minutes=4, seconds=59)) is None

    def test_not_yet_valid_beyond_the_allowance_hints_at_the_clock(self) -> None:
        error = self.check(-timedelta(minutes=15, seconds=1))
        assert error is not None and error.code == "credentials.not_yet_valid"
        assert "clock" in error.message and "clock" in error.fix

    def test_clock_slightly_behind_is_allowed(self) -> None:
        assert self.check(-timedelta(minutes=14, seconds=59)) is None
