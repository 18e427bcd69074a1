"""Every file the writer produces reads back with the same fields (the vault service depends on it)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from tests.core.credentials.conftest import NOW, VAULT
from wizard.core.credentials import (
    IssuedCredentials,
    format_time_left,
    issue_credentials,
    parse_credentials,
    read_credentials,
    write_credentials_file,
)
from wizard.core.credentials.model import NAMESPACE


def test_written_file_reads_back_with_every_field(issued: IssuedCredentials, tmp_path: Path) -> None:
    path = write_credentials_file(issued, tmp_path)
    creds = read_credentials(path, now=NOW)

    assert path == tmp_path / "contoso-vault_Tue Nov 24 2026.VaultCredentials"
    assert creds.path == path
    assert creds.format_version == "2.0"
    assert (creds.vault_name, creds.subscription_id, creds.resource_group, creds.location, creds.resource_id) == (
        VAULT["vault_name"], VAULT["subscription_id"], VAULT["resource_group"], VAULT["location"], VAULT["resource_id"])
    assert creds.resource_type == "Vaults"
    assert creds.provider_namespace == "Microsoft.RecoveryServices"
    assert creds.aad_tenant_id == VAULT["tenant_id"]
    assert creds.service_principal_client_id == VAULT["client_id"]
    assert creds.aad_audience is None and creds.private_endpoint_state is None
    assert creds.agent_links == VAULT["agent_links"]
    assert creds.token_url == f"https://127.0.0.1:8443/aad/{VAULT['tenant_id']}/oauth2/token"
    assert creds.registration_url == "https://127.0.0.1:8443/restapi/machines"
    assert creds.certificate == issued.certificate
    assert creds.thumbprint_sha1 == issued.thumbprint_sha1
    assert creds.thumbprint_sha256 == issued.thumbprint_sha256
    assert (creds.not_before, creds.not_after) == (issued.not_before, issued.not_after)


def test_validity_window_and_time_left(issued: IssuedCredentials) -> None:
    assert issued.not_before == NOW - timedelta(minutes=10)
    assert issued.not_after == NOW + timedelta(hours=48)
    creds = parse_credentials(issued.xml, file_name=issued.file_name, now=NOW + timedelta(minutes=48))
    assert format_time_left(creds.expires_in(NOW + timedelta(minutes=48))) == "47 h 12 min"


def test_private_key_matches_certificate_and_is_not_in_repr(issued: IssuedCredentials) -> None:
    creds = parse_credentials(issued.xml, file_name=issued.file_name, now=NOW)
    assert creds.private_key.public_key().public_numbers() == creds.certificate.public_key().public_numbers()
    assert "private_key" not in repr(creds)
    assert "ManagementCert" not in repr(issued) and "xml=" not in repr(issued)


def test_document_is_utf8_without_bom_in_the_documented_order(issued: IssuedCredentials) -> None:
    text = issued.xml.decode("utf-8")
    assert not issued.xml.startswith(b"\xef\xbb\xbf")
    assert text.startswith('<?xml version="1.0" encoding="utf-8"?><RSBackupVaultAADCreds ')
    assert f'xmlns="{NAMESPACE}"' in text
    order = ["Version", "SubscriptionId", "ResourceType", "ResourceName", "ManagementCert", "ResourceId",
             "ResourceGroup", "Location", "ProviderNamespace", "AadAuthority", "AadTenantId", "AadAudience",
             "ServicePrincipalClientId", "IdMgmtRestEndpoint", "AgentLinks", "PrivateEndpointStateForBackup"]
    positions = [text.index(f"<{name}") for name in order]
    assert positions == sorted(positions)
    assert '<AadAudience i:nil="true" />' in text
    assert '<PrivateEndpointStateForBackup i:nil="true" />' in text


def test_friendly_name_as_in_domain_md(issued: IssuedCredentials) -> None:
    assert issued.friendly_name == f"contoso-vault{VAULT['subscription_id']}-11-24-2026-vaultcredentials"


@pytest.mark.parametrize("lifetime", [timedelta(hours=1), timedelta(hours=120), timedelta(days=10)])
def test_lifetime_is_a_setting(lifetime: timedelta) -> None:
    args = dict(VAULT, vault_name="ab", agent_links="", resource_id=-(2**63), location="East US 2")
    issued = issue_credentials(**args, lifetime=lifetime, now=NOW)
    creds = parse_credentials(issued.xml, file_name=issued.file_name, now=NOW)
    assert creds.not_after - NOW == lifetime
    assert (creds.vault_name, creds.resource_id, creds.location, creds.agent_links) == ("ab", -(2**63), "East US 2", "")


def test_extension_is_case_insensitive(issued: IssuedCredentials) -> None:
    creds = parse_credentials(issued.xml, file_name="x.vaultcredentials", now=NOW)
    assert creds.vault_name == "contoso-vault"


def test_writer_never_overwrites(issued: IssuedCredentials, tmp_path: Path) -> None:
    first = write_credentials_file(issued, tmp_path)
    first.write_bytes(b"someone else's file")
    second = write_credentials_file(issued, tmp_path)
    third = write_credentials_file(issued, tmp_path)
    assert first.read_bytes() == b"someone else's file"
    assert second.name == "contoso-vault_Tue Nov 24 2026 (2).VaultCredentials"
    assert third.name == "contoso-vault_Tue Nov 24 2026 (3).VaultCredentials"
    assert second.read_bytes() == issued.xml
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([first.name, second.name, third.name])  # no temp left
    assert (second.stat().st_mode & 0o077) == 0  # holds a private key: owner only


@pytest.mark.parametrize("bad", [
    {"vault_name": "a"}, {"vault_name": "x/y"}, {"subscription_id": "not-a-guid"}, {"resource_id": 2**63},
    {"rest_endpoint": "https://h/restapi"}, {"authority_url": "http://h/"}, {"location": ""},
])
def test_writer_refuses_inputs_the_reader_would_refuse(bad: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        issue_credentials(**dict(VAULT, **bad), now=NOW)


def test_reading_a_small_file_allocates_little(issued: IssuedCredentials, tmp_path: Path) -> None:
    import tracemalloc

    path = write_credentials_file(issued, tmp_path)
    read_credentials(path, now=NOW)  # warm imports and caches first
    tracemalloc.start()
    try:
        read_credentials(path, now=NOW)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 512 * 1024  # not a buffer the size of the 1 MiB cap
