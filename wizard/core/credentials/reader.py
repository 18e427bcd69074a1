"""Read a vault credentials file and verify it, or say exactly what is wrong with it.

The input is untrusted: the checks run cheapest first and the size cap comes before any
parsing, so a hostile file costs at most one bounded read and one bounded parse.

Order: readable regular file → ``.VaultCredentials`` extension → at most
`limits.CREDENTIALS_MAX_BYTES` → UTF-8 text → XML through defusedxml with DTDs forbidden
(no entities, no external references, no network) → root element and namespace (a 1.0
root raises ``credentials.legacy_format``) → required fields and their shapes → the
management certificate (see `certificate.py`) → its validity window.

Clock skew: the validity window is widened by `limits.CLOCK_SKEW_ALLOWANCE` (5 minutes)
on both ends, so a machine whose clock is a few minutes off is not refused over a file
the vault itself would still accept; the vault stays the final judge of expiry.

Reasons added beyond the issue's list:
  * ``credentials.invalid`` / ``bad_value`` — a field is present but its value has the wrong
    shape (a subscription id that is not a GUID, a resource id that is not a 64-bit integer,
    a non-https endpoint, a version other than 2.0 under the 2.0 root, a name with control
    characters or longer than 1,024 characters);
  * ``credentials.unreadable`` carries a reason too: ``missing``, ``permission_denied``,
    ``is_directory``, ``not_a_file`` (a device or pipe: never opened, so never blocks) and
    ``os_error`` (an unreachable share, a path the OS refuses);
  * ``credentials.legacy_format`` has no reason; `LegacyCredentialsError.legacy` says what
    the old file names.

Tolerance: element order is not checked, unknown elements are ignored, the first of
duplicated elements wins, values are stripped of surrounding white space (line breaks in
the base64 certificate are fine), a UTF-8 byte-order mark is accepted (never written).
"""

from __future__ import annotations

import os
import stat
from datetime import datetime, timezone
from pathlib import Path
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from wizard.core import limits
from wizard.core.credentials import fields
from wizard.core.credentials.certificate import open_management_cert, thumbprints
from wizard.core.credentials.model import (
    FORMAT_VERSION,
    NAMESPACE,
    ROOT_LEGACY,
    ROOT_V2,
    V2_FIELDS,
    V2_OPTIONAL_FIELDS,
    XSI_NAMESPACE,
    LegacyCredentials,
    VaultCredentials,
)
from wizard.core.errors import RegisterServerError
from wizard.core.i18n import L_, LazyText

_NIL = f"{{{XSI_NAMESPACE}}}nil"
_UTF8_BOM = b"\xef\xbb\xbf"
# Upper bound on '<' plus '=' characters: far above any real file (~45), far below what
# makes building the tree slow.
MAX_MARKUP = 2048


class LegacyCredentialsError(RegisterServerError):
    """``credentials.legacy_format``, carrying what the old file names (for a better message)."""

    def __init__(self, legacy: LegacyCredentials) -> None:
        vault = L_("It was issued for the vault '{vault}'.", vault=fields.shown(legacy.vault_name)) \
            if legacy.vault_name else None
        super().__init__("credentials.legacy_format", detail=vault)
        self.legacy = legacy


def _invalid(reason: str, detail: LazyText) -> RegisterServerError:
    return RegisterServerError("credentials.invalid", reason=reason, detail=detail)


def read_credentials(path: str | Path, *, now: datetime | None = None) -> VaultCredentials:
    """Read and verify the credentials file at `path` (checked against `now`, default: the clock)."""
    return _read(Path(path), now=now, check_validity=True)


def parse_credentials(data: bytes, *, file_name: str, now: datetime | None = None) -> VaultCredentials:
    """Verify a credentials file's bytes; `file_name` is checked for the extension only."""
    return _parse(data, file_name=file_name, path=None, now=now, check_validity=True)


def read_bytes(path: Path) -> bytes:
    """The file's bytes, refusing anything that is not a readable regular file within the size cap."""
    shown = fields.printable(os.path.abspath(path))
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise RegisterServerError("credentials.unreadable", reason="missing",
                                  detail=L_("No file at {path}.", path=shown)) from None
    except PermissionError:
        raise RegisterServerError("credentials.unreadable", reason="permission_denied",
                                  detail=L_("Permission denied: {path}.", path=shown)) from None
    except (OSError, ValueError) as error:  # unreachable share, name too long, NUL in the path
        reason = getattr(error, "strerror", None) or "the path cannot be used"
        raise RegisterServerError("credentials.unreadable", reason="os_error", detail=f"{shown}: {reason}.") from None
    if stat.S_ISDIR(info.st_mode):
        raise RegisterServerError("credentials.unreadable", reason="is_directory",
                                  detail=L_("{path} is a folder.", path=shown))
    if not stat.S_ISREG(info.st_mode):
        raise RegisterServerError("credentials.unreadable", reason="not_a_file",
                                  detail=L_("{path} is not a regular file.", path=shown))
    check_extension(path.name)
    if info.st_size > limits.CREDENTIALS_MAX_BYTES:
        raise _too_large(info.st_size)
    try:
        with open(path, "rb") as handle:
            # Sized from the stat so a 3 KB file does not allocate a 1 MiB buffer; a file
            # that grew since is read on, up to one byte past the cap.
            data = handle.read(info.st_size + 1)
            if len(data) > info.st_size:
                data += handle.read(limits.CREDENTIALS_MAX_BYTES + 1 - len(data))
    except PermissionError:
        raise RegisterServerError("credentials.unreadable", reason="permission_denied",
                                  detail=L_("Permission denied: {path}.", path=shown)) from None
    except OSError as error:
        raise RegisterServerError("credentials.unreadable", reason="os_error",
                                  detail=f"{shown}: {error.strerror or 'read failed'}.") from None
    if len(data) > limits.CREDENTIALS_MAX_BYTES:  # grew after the stat
        raise _too_large(len(data))
    return data


def check_extension(file_name: str) -> None:
    """The name must end in ``.VaultCredentials`` (any case): a renamed file is refused."""
    if not file_name.lower().endswith(limits.CREDENTIALS_EXTENSION.lower()):
        raise _invalid("wrong_extension",
                       L_("Its name does not end in {extension}; it may have been renamed.",
                          extension=limits.CREDENTIALS_EXTENSION))


def _too_large(size: int) -> RegisterServerError:
    return _invalid("too_large", L_("It is {size:,} bytes; a credentials file is at most {limit:,} bytes.",
                                    size=size, limit=limits.CREDENTIALS_MAX_BYTES))


def _read(path: Path, *, now: datetime | None, check_validity: bool) -> VaultCredentials:
    data = read_bytes(path)
    return _parse(data, file_name=path.name, path=path, now=now, check_validity=check_validity)


def _parse(
    data: bytes, *, file_name: str, path: Path | None, now: datetime | None, check_validity: bool
) -> VaultCredentials:
    if now is None:
        now = datetime.now(timezone.utc)
    elif now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    check_extension(file_name)
    if len(data) > limits.CREDENTIALS_MAX_BYTES:
        raise _too_large(len(data))
    root = _parse_xml(data)
    namespace, local = _split(root.tag)
    if local not in (ROOT_V2, ROOT_LEGACY):
        raise _invalid("wrong_root", L_("Its top element is <{found}>, not <{expected}>.",
                                          found=fields.shown(local), expected=ROOT_V2))
    if namespace != NAMESPACE:
        raise _invalid("wrong_namespace", L_("Its top element's namespace is '{namespace}'.",
                                               namespace=fields.shown(namespace or '(none)')))
    values = _children(root)
    if local == ROOT_LEGACY:
        raise LegacyCredentialsError(_legacy(values))
    return _build(values, path=path, now=now, check_validity=check_validity)


def _parse_xml(data: bytes) -> Element:
    if not data.strip():
        raise _invalid("not_xml", L_("It is empty."))
    if _looks_utf16(data):
        raise _invalid("not_xml", L_("It is encoded as UTF-16; a credentials file is UTF-8 XML."))
    if data.startswith(_UTF8_BOM):  # tolerated on input; the writer never adds one
        data = data[len(_UTF8_BOM):]
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        raise _invalid("not_xml", L_("It is not UTF-8 text.")) from None
    markup = data.count(b"<") + data.count(b"=")
    if markup > MAX_MARKUP:
        # A real file has about 40 tags and 5 attributes; tens of thousands of elements or
        # attributes within the size cap would cost a quarter of a second to build for nothing.
        raise _invalid("too_large", L_("It holds {count:,} tags and attributes; a credentials file has "
                                       "a few dozen.", count=markup))
    try:
        return fromstring(data, forbid_dtd=True)
    except DefusedXmlException:
        raise _invalid("unsafe_xml", L_("It contains a document type declaration or entities, which "
                                        "credentials files never have; it was not processed.")) from None
    except (ParseError, ValueError, LookupError):
        raise _invalid("not_xml", L_("It is not well-formed XML.")) from None


def _looks_utf16(data: bytes) -> bool:
    """A UTF-16 byte-order mark, or the NUL in every other byte that UTF-16 gives ASCII text."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return True
    head = data[:64]
    return len(head) >= 16 and (head[0::2].count(0) > len(head) // 3 or head[1::2].count(0) > len(head) // 3)


def _split(tag: object) -> tuple[str | None, str]:
    text = str(tag)
    if text.startswith("{") and "}" in text:
        namespace, _, local = text[1:].partition("}")
        return namespace, local
    return None, text


def _children(root: Element) -> dict[str, Element]:
    """The root's children in the file's namespace, by local name (the first of duplicates wins)."""
    found: dict[str, Element] = {}
    for child in root:
        namespace, local = _split(child.tag)
        if namespace == NAMESPACE and local not in found:
            found[local] = child
    return found


def _text(element: Element | None) -> str | None:
    """The element's text, or None when it is absent, nil or empty."""
    if element is None or element.get(_NIL) in ("true", "1"):
        return None
    text = (element.text or "").strip()
    return text or None


def _required(values: dict[str, Element], name: str) -> str:
    text = _text(values.get(name))
    if text is None:
        raise _invalid("missing_field", L_("The {name} field is missing or empty.", name=name))
    if name != "ManagementCert" and not fields.is_plain_text(text):
        raise _invalid("bad_value", L_("The {name} field holds control characters or is too long.", name=name))
    return text


def _optional(values: dict[str, Element], name: str, *, limit: int | None = fields.MAX_TEXT_LENGTH) -> str | None:
    text = _text(values.get(name))
    if text is not None and limit is not None and not fields.is_plain_text(text):
        raise _invalid("bad_value", L_("The {name} field holds control characters or is too long.", name=name))
    return text


def _build(values: dict[str, Element], *, path: Path | None, now: datetime, check_validity: bool) -> VaultCredentials:
    text = {name: _required(values, name) for name in V2_FIELDS if name not in V2_OPTIONAL_FIELDS}
    version = text["Version"]
    if version != FORMAT_VERSION:
        raise _invalid("bad_value", L_("Its format version is '{found}'; this program reads version {expected}.",
                                       found=fields.shown(version), expected=FORMAT_VERSION))
    for name in ("SubscriptionId", "AadTenantId", "ServicePrincipalClientId"):
        if not fields.is_guid(text[name]):
            raise _invalid("bad_value", L_("The {name} field is not a GUID.", name=name))
    resource_id = fields.parse_int64(text["ResourceId"])
    if resource_id is None:
        raise _invalid("bad_value", L_("The {name} field is not a 64-bit integer.", name="ResourceId"))
    if not fields.is_https_url(text["AadAuthority"]):
        raise _invalid("bad_value", L_("The {name} field is not an https address.", name="AadAuthority"))
    if not fields.is_rest_endpoint(text["IdMgmtRestEndpoint"]):
        raise _invalid("bad_value", L_("The {name} field is not an https address ending in {suffix}.",
                                       name="IdMgmtRestEndpoint", suffix=fields.REST_ENDPOINT_SUFFIX))
    agent_links = _optional(values, "AgentLinks", limit=None) or ""
    if "\x00" in agent_links:
        raise _invalid("bad_value", L_("The {name} field holds control characters.", name="AgentLinks"))

    cert, key = open_management_cert(text["ManagementCert"])
    sha1, sha256 = thumbprints(cert)
    not_before, not_after = cert.not_valid_before_utc, cert.not_valid_after_utc
    if check_validity:
        check_window(not_before, not_after, now)
    return VaultCredentials(
        path=path,
        format_version=version,
        vault_name=text["ResourceName"],
        subscription_id=text["SubscriptionId"],
        resource_type=text["ResourceType"],
        resource_group=text["ResourceGroup"],
        location=text["Location"],
        resource_id=resource_id,
        provider_namespace=text["ProviderNamespace"],
        aad_authority=text["AadAuthority"],
        aad_tenant_id=text["AadTenantId"],
        aad_audience=_optional(values, "AadAudience"),
        service_principal_client_id=text["ServicePrincipalClientId"],
        id_mgmt_rest_endpoint=text["IdMgmtRestEndpoint"],
        agent_links=agent_links,
        private_endpoint_state=_optional(values, "PrivateEndpointStateForBackup"),
        certificate=cert,
        private_key=key,
        thumbprint_sha1=sha1,
        thumbprint_sha256=sha256,
        not_before=not_before,
        not_after=not_after,
    )


def check_window(not_before: datetime, not_after: datetime, now: datetime) -> None:
    """Refuse a certificate outside its validity window, allowing `limits.CLOCK_SKEW_ALLOWANCE` each way."""
    skew = limits.CLOCK_SKEW_ALLOWANCE
    stamp = "%Y-%m-%d %H:%M UTC"
    # The skew is added to `now`, never to the certificate's dates: 9999-12-31T23:59:59Z (or year 1)
    # is a valid X.509 date, and not_after + skew overflowed datetime.
    if now + skew < not_before:
        raise RegisterServerError(
            "credentials.not_yet_valid",
            detail=L_("It becomes valid at {valid_from}; this machine's clock says {now}.",
                      valid_from=not_before.strftime(stamp), now=now.astimezone(timezone.utc).strftime(stamp)),
        )
    if now - skew > not_after:
        raise RegisterServerError("credentials.expired",
                                  detail=L_("It expired at {expired}.", expired=not_after.strftime(stamp)))


def _legacy(values: dict[str, Element]) -> LegacyCredentials:
    """What a 1.0 file names; tolerant of anything missing, since it is refused either way."""
    acs = values.get("AcsNamespace")
    acs_values = _children(acs) if acs is not None else {}

    def pick(source: dict[str, Element], name: str) -> str | None:
        value = _text(source.get(name))
        return fields.shown(value, 200) if value is not None else None

    return LegacyCredentials(
        vault_name=pick(values, "ResourceName"),
        subscription_id=pick(values, "SubscriptionId"),
        resource_type=pick(values, "ResourceType"),
        acs_host_name=pick(acs_values, "HostName"),
        acs_namespace=pick(acs_values, "Namespace"),
        acs_resource_provider_realm=pick(acs_values, "ResourceProviderRealm"),
        agent_links=pick(values, "AgentLinks"),
    )
