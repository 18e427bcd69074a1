"""Proxy settings: an address a proxy can have, a port it can listen on, credentials in pairs.

Host decisions: an ``http://`` (or ``https://``) prefix and a trailing slash are allowed;
brackets are for IPv6 literals only (``[10.0.0.5]`` or ``[proxy]`` is a typo, not an
address); a name the system resolver would read as a number (``10.1``, ``0x7f.1``,
``010.0.0.1``: its last label all digits or hex) is refused, so the proxy used is the one
the administrator meant. A ``host:port`` typed into the host field is refused with a hint
that the port has its own field.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

from wizard.core.bypass import invalid_entries
from wizard.core.i18n import L_
from wizard.core.issues import Issue, issue
from wizard.core.model import ProxyAuth, ProxyMode, ProxySettings

_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")
# A last label the resolver (inet_aton) reads as a number: decimal, or hexadecimal 0x...
_NUMERIC_LABEL = re.compile(r"^(?:[0-9]+|0[xX][0-9A-Fa-f]*)$")
_TRAILING_PORT = re.compile(r"^(.+):([0-9]{1,5})$")


def normalize_proxy_host(text: str) -> str:
    """The bare host: without an `http://` prefix, a trailing slash, or IPv6 brackets."""
    host = _without_prefix(text).rstrip("/")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    return host


def is_valid_host(host: str) -> bool:
    """Host name (RFC 1123 labels), IPv4 or IPv6 (already without brackets)."""
    if not host or len(host) > 253:
        return False
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        pass
    labels = host.rstrip(".").split(".")
    if _NUMERIC_LABEL.match(labels[-1]):  # "10.0.0.256", "10.1", "0x7f.1": numbers, not names
        return False
    return all(_LABEL.match(label) for label in labels)


def _host_issue(text: str) -> Issue | None:
    """The issue with a custom proxy's host field, or None when it is a usable address."""
    host = normalize_proxy_host(text)
    if not host:
        return issue("proxy.host", "proxy.host_required")
    bracketed = _without_prefix(text).startswith("[")
    if is_valid_host(host) and (not bracketed or ":" in host):
        return None
    if bracketed and is_valid_host(host):
        return issue("proxy.host", "proxy.host_invalid", L_("Brackets are only for IPv6 addresses."))
    port = _TRAILING_PORT.match(_without_prefix(text).rstrip("/"))
    if port and is_valid_host(normalize_proxy_host(port.group(1))):
        return issue("proxy.host", "proxy.host_invalid", L_("Type the port ({port}) in the port field.", port=port.group(2)))
    return issue("proxy.host", "proxy.host_invalid")


def _without_prefix(text: str) -> str:
    stripped = text.strip()
    for prefix in ("http://", "https://"):
        if stripped.lower().startswith(prefix):
            return stripped[len(prefix):]
    return stripped


def url_host(host: str) -> str:
    """The host as it goes into a URL: IPv6 in brackets."""
    return f"[{host}]" if ":" in host else host


PAC_SCHEMES = ("http", "https", "file")


def _pac_url_issue(text: str) -> Issue | None:
    """A PAC address must be an http(s) URL with a host, or a file:// URL (Windows' AutoConfigURL
    spelling for a local file)."""
    url = text.strip()
    if not url:
        return issue("proxy.pac_url", "proxy.pac_url_required")
    parts = urlsplit(url)
    if parts.scheme.lower() not in PAC_SCHEMES or (parts.scheme.lower() != "file" and not parts.hostname) \
            or any(c.isspace() for c in url):
        return issue("proxy.pac_url", "proxy.pac_url_invalid")
    return None


def _bypass_issues(proxy: ProxySettings) -> list[Issue]:
    bad = invalid_entries(proxy.bypass)
    if not bad:
        return []
    shown = ", ".join(repr(entry) for entry in bad[:3]) + (f" and {len(bad) - 3} more" if len(bad) > 3 else "")
    return [issue("proxy.bypass", "proxy.bypass_invalid", f"({shown})")]


def validate_proxy(proxy: ProxySettings) -> list[Issue]:
    if proxy.mode is ProxyMode.PAC:
        pac_issue = _pac_url_issue(proxy.pac_url)
        return ([pac_issue] if pac_issue else []) + _bypass_issues(proxy)
    if proxy.mode is not ProxyMode.CUSTOM:
        return []
    found: list[Issue] = _bypass_issues(proxy)
    host_issue = _host_issue(proxy.host)
    if host_issue is not None:
        found.append(host_issue)
    if proxy.port is None:
        found.append(issue("proxy.port", "proxy.port_required"))
    elif not 1 <= proxy.port <= 65535:
        found.append(issue("proxy.port", "proxy.port_range"))
    has_password = proxy.password is not None and bool(proxy.password)
    if proxy.integrated:
        return found + _integrated_issues(proxy, has_password)
    if proxy.username and not has_password:
        found.append(issue("proxy.password", "proxy.username_without_password"))
    if has_password and not proxy.username:
        found.append(issue("proxy.username", "proxy.password_without_username"))
    if proxy.username and (":" in proxy.username or any(ord(c) < 32 or ord(c) == 127 for c in proxy.username)):
        found.append(issue("proxy.username", "proxy.username_invalid"))
    return found


def _integrated_issues(proxy: ProxySettings, has_password: bool) -> list[Issue]:
    """Integrated sign-in has no user name or password of its own, and only Negotiate and NTLM can
    carry a signed-in identity (Basic and Digest need a password)."""
    found: list[Issue] = []
    if proxy.username or has_password:
        found.append(issue("proxy.integrated", "proxy.integrated_with_username"))
    if proxy.auth in (ProxyAuth.BASIC, ProxyAuth.DIGEST):
        found.append(issue("proxy.auth", "proxy.integrated_scheme"))
    return found


def parse_port_text(text: str) -> tuple[int | None, list[Issue]]:
    """The port a user typed; empty is `None` (the validator then asks for one)."""
    stripped = text.strip()
    if not stripped:
        return None, []
    if not stripped.isdigit():
        return None, [issue("proxy.port", "proxy.port_range")]
    return int(stripped), []
