"""The shape of each field's value, shared by the reader (which refuses) and the writer (which asserts).

Keeping the rules in one place means the vault service can never issue a file that our
own reader would refuse.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

_GUID = re.compile(r"[0-9A-Fa-f]{8}-(?:[0-9A-Fa-f]{4}-){3}[0-9A-Fa-f]{12}")
_INT64 = re.compile(r"-?[0-9]{1,19}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_VAULT_NAME = re.compile(r"[A-Za-z][A-Za-z0-9-]{1,49}")

# A text field longer than this is not a vault's name or location but an attack on whoever
# displays it. The certificate and the agent links are bounded by the file size cap only.
MAX_TEXT_LENGTH = 1024
REST_ENDPOINT_SUFFIX = "/restapi/"


def is_guid(value: str) -> bool:
    """``8-4-4-4-12`` hex digits, the only spelling the files use (no braces, no urn:)."""
    return _GUID.fullmatch(value) is not None


def parse_int64(value: str) -> int | None:
    """The 64-bit signed integer `value` spells, or None."""
    if _INT64.fullmatch(value) is None:
        return None
    number = int(value)
    return number if -(2**63) <= number < 2**63 else None


def is_plain_text(value: str) -> bool:
    """Printable, of a displayable length: safe to show in a dialog or a terminal."""
    return len(value) <= MAX_TEXT_LENGTH and _CONTROL.search(value) is None


def is_https_url(value: str) -> bool:
    """An absolute https URL with a host: the registration protocol is HTTPS only."""
    if not is_plain_text(value) or " " in value:
        return False
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number in range
    except ValueError:  # an invalid port or a malformed IPv6 literal
        return False
    return parts.scheme == "https" and bool(parts.hostname)


def is_rest_endpoint(value: str) -> bool:
    """The registration service base URL: https, ending in ``/restapi/`` as the format says."""
    return is_https_url(value) and value.endswith(REST_ENDPOINT_SUFFIX)


def is_issuable_vault_name(value: str) -> bool:
    """A vault name the writer accepts: 2-50 letters, digits and hyphens, starting with a letter.

    These are the vault naming rules of the service the format comes from, and they
    also make the name safe inside a file name on every OS. The reader is more tolerant
    (any plain text), so a file from elsewhere is not refused over its name.
    """
    return _VAULT_NAME.fullmatch(value) is not None


def printable(value: str) -> str:
    """`value` with control characters replaced, for echoing a path the user typed."""
    return _CONTROL.sub("?", value)


def shown(value: str, limit: int = 60) -> str:
    """`value` made safe to echo in an error detail: control characters replaced, length capped."""
    cleaned = _CONTROL.sub("?", value)
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1] + "…"
