"""Credentials files built independently of the writer: from domain.md's description, with
cryptography and the standard library's ElementTree directly.

The reader is tested against these, so a mistake shared by writer and reader (a wrong
element name, a wrong namespace) cannot hide. Nothing here imports wizard.core.credentials.
"""

from __future__ import annotations

import base64
import functools
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

# Spelled out from domain.md on purpose (not imported from the product).
NS = "http://schemas.datacontract.org/2004/07/Microsoft.Azure.Portal.RecoveryServices.Models.Common"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
ET.register_namespace("i", XSI)


@functools.lru_cache(maxsize=None)
def rsa_key(index: int = 0, bits: int = 2048) -> rsa.RSAPrivateKey:
    """A few keys shared by all tests (key generation dominates test time otherwise)."""
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def certificate(
    key: rsa.RSAPrivateKey,
    *,
    issued: datetime,
    lifetime: timedelta = timedelta(hours=48),
    usages: list[x509.ObjectIdentifier] | None = None,
) -> x509.Certificate:
    """Self-signed CN=Windows Azure Tools, valid from 10 minutes before `issued` for `lifetime`."""
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Windows Azure Tools")])
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(issued - timedelta(minutes=10))
        .not_valid_after(issued + lifetime)
    )
    usages = [ExtendedKeyUsageOID.CLIENT_AUTH] if usages is None else usages
    if usages:
        builder = builder.add_extension(x509.ExtendedKeyUsage(usages), critical=False)
    return builder.sign(key, hashes.SHA256())


def pfx(
    key: rsa.RSAPrivateKey | None,
    cert: x509.Certificate | None,
    *,
    password: bytes | None = None,
    extra: list[x509.Certificate] | None = None,
) -> str:
    """Base64 PKCS#12, unprotected unless `password` is given."""
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(password) if password else serialization.NoEncryption()
    )
    data = pkcs12.serialize_key_and_certificates(b"contoso-vault-test", key, cert, extra, encryption)
    return base64.b64encode(data).decode("ascii")


def values(management_cert: str) -> dict[str, str | None]:
    """The sixteen 2.0 fields in domain.md's order; None means ``i:nil="true"``."""
    return {
        "Version": "2.0",
        "SubscriptionId": "3c8f1b5e-6a2d-4f7b-9e0c-1d2e3f4a5b6c",
        "ResourceType": "Vaults",
        "ResourceName": "fabrikam-vault",
        "ManagementCert": management_cert,
        "ResourceId": "4611686018427387904",
        "ResourceGroup": "fabrikam-rg",
        "Location": "northeurope",
        "ProviderNamespace": "Microsoft.RecoveryServices",
        "AadAuthority": "https://login.example.net",
        "AadTenantId": "72f988bf-86f1-41af-91ab-2d7cd011db47",
        "AadAudience": None,
        "ServicePrincipalClientId": "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
        "IdMgmtRestEndpoint": "https://vault.example.net/restapi/",
        "AgentLinks": "Agent,https://vault.example.net/agent",
        "PrivateEndpointStateForBackup": None,
    }


def document(
    fields: dict[str, str | None], *, root: str = "RSBackupVaultAADCreds", namespace: str | None = NS
) -> bytes:
    """The XML document, serialised by ElementTree (UTF-8, with declaration)."""
    def tag(local: str) -> str:
        return f"{{{namespace}}}{local}" if namespace else local

    element = ET.Element(tag(root))
    for name, value in fields.items():
        child = ET.SubElement(element, tag(name))
        if value is None:
            child.set(f"{{{XSI}}}nil", "true")
        else:
            child.text = value
    return ET.tostring(element, encoding="utf-8", xml_declaration=True)


def legacy_document(management_cert: str) -> bytes:
    """A 1.0 file: root BackupVaultCreds, ACS namespace block instead of AAD fields."""
    element = ET.Element(f"{{{NS}}}BackupVaultCreds")
    for name, value in (("SubscriptionId", "3c8f1b5e-6a2d-4f7b-9e0c-1d2e3f4a5b6c"), ("ResourceType", "BackupVault"),
                        ("ResourceName", "old-vault"), ("ManagementCert", management_cert)):
        ET.SubElement(element, f"{{{NS}}}{name}").text = value
    acs = ET.SubElement(element, f"{{{NS}}}AcsNamespace")
    for name, value in (("HostName", "accesscontrol.example.net"), ("Namespace", "old-vault-ns"),
                        ("ResourceProviderRealm", "http://windowscloudbackup/m3")):
        ET.SubElement(acs, f"{{{NS}}}{name}").text = value
    ET.SubElement(element, f"{{{NS}}}AgentLinks").text = "Agent,https://example.net/agent"
    return ET.tostring(element, encoding="utf-8", xml_declaration=True)
