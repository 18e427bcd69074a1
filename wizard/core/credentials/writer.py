"""Issue a credentials file in exactly the 2.0 format the reader (and the original agent) expect.

The vault service calls `issue_credentials` for every download and remembers the new
certificate's thumbprint as the vault's newest; `write_credentials_file` puts the file
on disk. The inputs are asserted with the same rules the reader applies (`fields.py`),
so the service can never hand out a file that would be refused: a bad input is a
programming error (`ValueError`), not a user-facing one.

Dates: the certificate is valid from 10 minutes before issue (`limits.CREDENTIAL_NOT_BEFORE_BACKDATE`)
until issue + lifetime. X.509 stores whole seconds, so issue time is truncated to the
second first and the reported dates equal the certificate's. The friendly name and the
file name carry the issue date in UTC, with English day and month names whatever the locale.
"""

from __future__ import annotations

import base64
import os
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from xml.sax.saxutils import escape

from cryptography import x509

from wizard.core import limits
from wizard.core.credentials import fields
from wizard.core.credentials.certificate import export_pfx, new_management_cert, thumbprints
from wizard.core.credentials.model import (
    FORMAT_VERSION,
    NAMESPACE,
    PROVIDER_NAMESPACE,
    RESOURCE_TYPE,
    ROOT_V2,
    XSI_NAMESPACE,
)

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class IssuedCredentials:
    """A freshly issued file: its bytes (which hold the private key, hence not in repr) and its certificate."""

    xml: bytes = field(repr=False)
    file_name: str
    certificate: x509.Certificate = field(repr=False)
    thumbprint_sha1: str
    not_before: datetime
    not_after: datetime
    thumbprint_sha256: str = ""
    friendly_name: str = ""


def friendly_name(vault_name: str, subscription_id: str, issued: datetime) -> str:
    """``{vault}{subscriptionId}-{M-d-yyyy}-vaultcredentials`` (domain.md)."""
    return f"{vault_name}{subscription_id}-{issued.month}-{issued.day}-{issued.year}-vaultcredentials"


def file_name(vault_name: str, issued: datetime) -> str:
    """``{vault}_{ddd MMM dd yyyy}.VaultCredentials``, e.g. ``contoso-vault_Tue Nov 24 2026.VaultCredentials``."""
    stamp = f"{_DAYS[issued.weekday()]} {_MONTHS[issued.month - 1]} {issued.day:02d} {issued.year}"
    return f"{vault_name}_{stamp}{limits.CREDENTIALS_EXTENSION}"


def issue_credentials(
    *,
    vault_name: str,
    subscription_id: str,
    resource_group: str,
    location: str,
    resource_id: int,
    tenant_id: str,
    client_id: str,
    authority_url: str,
    rest_endpoint: str,
    agent_links: str = "",
    lifetime: timedelta = limits.CREDENTIAL_LIFETIME_DEFAULT,
    now: datetime | None = None,
) -> IssuedCredentials:
    """A new key, certificate and 2.0 credentials document for one vault download."""
    _check_inputs(vault_name, subscription_id, resource_group, location, resource_id, tenant_id, client_id,
                  authority_url, rest_endpoint, agent_links, lifetime)
    if now is None:
        now = datetime.now(timezone.utc)
    elif now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    issued = now.astimezone(timezone.utc).replace(microsecond=0)
    key, cert = new_management_cert(
        not_before=issued - limits.CREDENTIAL_NOT_BEFORE_BACKDATE, not_after=issued + lifetime
    )
    name = friendly_name(vault_name, subscription_id, issued)
    pfx = base64.b64encode(export_pfx(key, cert, name)).decode("ascii")
    values: list[tuple[str, str | None]] = [
        ("Version", FORMAT_VERSION),
        ("SubscriptionId", subscription_id),
        ("ResourceType", RESOURCE_TYPE),
        ("ResourceName", vault_name),
        ("ManagementCert", pfx),
        ("ResourceId", str(resource_id)),
        ("ResourceGroup", resource_group),
        ("Location", location),
        ("ProviderNamespace", PROVIDER_NAMESPACE),
        ("AadAuthority", authority_url),
        ("AadTenantId", tenant_id),
        ("AadAudience", None),
        ("ServicePrincipalClientId", client_id),
        ("IdMgmtRestEndpoint", rest_endpoint),
        ("AgentLinks", agent_links),
        ("PrivateEndpointStateForBackup", None),
    ]
    sha1, sha256 = thumbprints(cert)
    return IssuedCredentials(
        xml=render(values),
        file_name=file_name(vault_name, issued),
        certificate=cert,
        thumbprint_sha1=sha1,
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        thumbprint_sha256=sha256,
        friendly_name=name,
    )


def render(values: list[tuple[str, str | None]]) -> bytes:
    """The document: XML declaration, one line, nil values as ``<X i:nil="true" />``, UTF-8, no BOM."""
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<{ROOT_V2} xmlns:i="{XSI_NAMESPACE}" xmlns="{NAMESPACE}">',
    ]
    for name, value in values:
        parts.append(f'<{name} i:nil="true" />' if value is None else f"<{name}>{escape(value)}</{name}>")
    parts.append(f"</{ROOT_V2}>")
    return "".join(parts).encode("utf-8")


def _check_inputs(vault_name: str, subscription_id: str, resource_group: str, location: str, resource_id: int,
                  tenant_id: str, client_id: str, authority_url: str, rest_endpoint: str, agent_links: str,
                  lifetime: timedelta) -> None:
    problems = []
    if not fields.is_issuable_vault_name(vault_name):
        problems.append("vault_name must be 2-50 letters, digits and hyphens, starting with a letter")
    for label, value in (("subscription_id", subscription_id), ("tenant_id", tenant_id), ("client_id", client_id)):
        if not fields.is_guid(value):
            problems.append(f"{label} must be a GUID")
    for label, value in (("resource_group", resource_group), ("location", location)):
        if not value.strip() or not fields.is_plain_text(value) or value != value.strip():
            problems.append(f"{label} must be non-empty printable text without surrounding spaces")
    if isinstance(resource_id, bool) or not isinstance(resource_id, int) or fields.parse_int64(str(resource_id)) is None:
        problems.append("resource_id must be a 64-bit integer")
    if not fields.is_https_url(authority_url):
        problems.append("authority_url must be an https URL")
    if not fields.is_rest_endpoint(rest_endpoint):
        problems.append(f"rest_endpoint must be an https URL ending in {fields.REST_ENDPOINT_SUFFIX}")
    if agent_links != agent_links.strip() or any(ord(c) < 32 for c in agent_links):
        problems.append("agent_links must be printable text without surrounding spaces")
    if lifetime <= timedelta(0):
        problems.append("lifetime must be positive")
    if problems:
        raise ValueError("; ".join(problems))


def write_credentials_file(issued: IssuedCredentials, out_dir: Path) -> Path:
    """Write `issued` into `out_dir` atomically and without overwriting anything; return its path.

    The bytes go to a temporary file in the same folder, are flushed to disk, and the file is
    then linked under its final name, which fails rather than replaces if the name is taken;
    taken names get `` (2)``, `` (3)``… before the extension, as browsers do for downloads. The
    file holds a private key, so it is created readable by its owner only (0600 on POSIX).
    Nothing is left behind on failure.
    """
    out_dir = Path(out_dir)
    fd, temp_name = tempfile.mkstemp(prefix=".issuing-", suffix=".tmp", dir=out_dir)
    temp = Path(temp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(issued.xml)
            handle.flush()
            os.fsync(handle.fileno())
        target = _place(temp, out_dir, issued.file_name)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    _fsync_dir(out_dir)
    return target


def _place(temp: Path, out_dir: Path, name: str) -> Path:
    stem, suffix = name[: -len(limits.CREDENTIALS_EXTENSION)], limits.CREDENTIALS_EXTENSION
    for attempt in range(1, 1000):
        target = out_dir / (name if attempt == 1 else f"{stem} ({attempt}){suffix}")
        try:
            os.link(temp, target)  # atomic, and never replaces an existing file
        except FileExistsError:
            continue
        except OSError:  # a file system without hard links: check, then rename
            if target.exists():
                continue
            os.replace(temp, target)
            return target
        temp.unlink()
        return target
    raise FileExistsError(f"no free file name for {name} in {out_dir}")


def _fsync_dir(directory: Path) -> None:
    """Make the new directory entry durable too (POSIX; a no-op where folders cannot be opened)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
