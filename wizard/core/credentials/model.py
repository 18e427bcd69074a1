"""What a vault credentials file says, once it has been read and verified.

The format constants live here too, so the reader, the writer and the independent test
fixture agree on one spelling of every element name (see shared/domain.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa

from wizard.core.i18n import _

NAMESPACE = "http://schemas.datacontract.org/2004/07/Microsoft.Azure.Portal.RecoveryServices.Models.Common"
XSI_NAMESPACE = "http://www.w3.org/2001/XMLSchema-instance"
ROOT_V2 = "RSBackupVaultAADCreds"
ROOT_LEGACY = "BackupVaultCreds"
FORMAT_VERSION = "2.0"
LEGACY_FORMAT_VERSION = "1.0"
RESOURCE_TYPE = "Vaults"
PROVIDER_NAMESPACE = "Microsoft.RecoveryServices"
CERTIFICATE_SUBJECT_CN = "Windows Azure Tools"

# Children of the 2.0 root, in the order the writer emits them. The reader does not
# insist on the order (a tolerant reader), only on presence of the required ones.
V2_FIELDS: tuple[str, ...] = (
    "Version", "SubscriptionId", "ResourceType", "ResourceName", "ManagementCert", "ResourceId",
    "ResourceGroup", "Location", "ProviderNamespace", "AadAuthority", "AadTenantId", "AadAudience",
    "ServicePrincipalClientId", "IdMgmtRestEndpoint", "AgentLinks", "PrivateEndpointStateForBackup",
)
# Fields that may be nil or empty in a valid file; every other 2.0 field is required.
V2_OPTIONAL_FIELDS = frozenset({"AadAudience", "AgentLinks", "PrivateEndpointStateForBackup"})


@dataclass(frozen=True)
class VaultCredentials:
    """A verified 2.0 credentials file: the vault it names and the certificate that proves it.

    Only a file that passed every check becomes one of these, so holders need not re-check.
    The private key is kept out of `repr` (and out of equality) so logging the object or a
    failing test assertion never prints it.
    """

    path: Path | None
    format_version: str
    vault_name: str
    subscription_id: str
    resource_type: str
    resource_group: str
    location: str
    resource_id: int
    provider_namespace: str
    aad_authority: str
    aad_tenant_id: str
    aad_audience: str | None
    service_principal_client_id: str
    id_mgmt_rest_endpoint: str
    agent_links: str
    private_endpoint_state: str | None
    certificate: x509.Certificate = field(repr=False)
    private_key: rsa.RSAPrivateKey = field(repr=False, compare=False)
    thumbprint_sha1: str        # upper-case hex, no separators: what Windows shows
    thumbprint_sha256: str      # upper-case hex too
    not_before: datetime        # aware, UTC
    not_after: datetime         # aware, UTC

    @property
    def token_url(self) -> str:
        """The OAuth 2.0 token endpoint the registration client posts its signed assertion to."""
        return f"{self.aad_authority.rstrip('/')}/{self.aad_tenant_id}/oauth2/token"

    @property
    def registration_url(self) -> str:
        """The endpoint that registers machines (the file's endpoint always ends in ``/restapi/``)."""
        return self.id_mgmt_rest_endpoint + "machines"

    def expires_in(self, now: datetime) -> timedelta:
        """Time left until the certificate's end of validity (negative once expired)."""
        return self.not_after - now


@dataclass(frozen=True)
class LegacyCredentials:
    """What a recognised 1.0 (``BackupVaultCreds``) file names; it cannot be registered.

    The legacy reader extracts only the identifying text fields, so the error can say
    which vault the old file was for. Its certificate is not opened: the file is refused
    whatever it holds, and opening it would only cost time on an untrusted input.
    """

    vault_name: str | None
    subscription_id: str | None
    resource_type: str | None
    acs_host_name: str | None
    acs_namespace: str | None
    acs_resource_provider_realm: str | None
    agent_links: str | None


def format_time_left(delta: timedelta) -> str:
    """Time left in the words the wizard and the command line show: ``47 h 12 min``
    (in the active language: ``47 Std. 12 Min.``).

    Rounds down (never promises more time than there is); under a minute is
    ``under 1 min``; zero or negative is ``expired``.
    """
    seconds = int(delta.total_seconds())
    if seconds <= 0:
        return _("expired")
    minutes_total = seconds // 60
    if minutes_total == 0:
        return _("under 1 min")
    hours, minutes = divmod(minutes_total, 60)
    if hours == 0:
        return _("{minutes} min").format(minutes=minutes)
    return _("{hours} h {minutes} min").format(hours=hours, minutes=minutes)
