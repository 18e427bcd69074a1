"""Proxy settings: an address a proxy can have, a port it can listen on, credentials in pairs."""

from __future__ import annotations

import ipaddress
import re

from wizard.core.issues import Issue, issue
from wizard.core.model import ProxyMode, ProxySettings

_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")


def normalize_proxy_host(text: str) -> str:
    """The bare host: without an `http://` prefix, a trailing slash, or IPv6 brackets."""
    host = text.strip()
    lowered = host.lower()
    for prefix in ("http://", "https://"):
        if lowered.startswith(prefix):
            host = host[len(prefix):]
            break
    host = host.rstrip("/")
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
    if host.replace(".", "").isdigit():  # "10.0.0.256" is a bad IPv4, not a host name
        return False
    labels = host.rstrip(".").split(".")
    return all(_LABEL.match(label) for label in labels)


def url_host(host: str) -> str:
    """The host as it goes into a URL: IPv6 in brackets."""
    return f"[{host}]" if ":" in host else host


def validate_proxy(proxy: ProxySettings) -> list[Issue]:
    if proxy.mode is not ProxyMode.CUSTOM:
        return []
    found: list[Issue] = []
    host = normalize_proxy_host(proxy.host)
    if not host:
        found.append(issue("proxy.host", "proxy.host_required"))
    elif not is_valid_host(host):
        found.append(issue("proxy.host", "proxy.host_invalid"))
    if proxy.port is None:
        found.append(issue("proxy.port", "proxy.port_required"))
    elif not 1 <= proxy.port <= 65535:
        found.append(issue("proxy.port", "proxy.port_range"))
    has_password = proxy.password is not None and bool(proxy.password)
    if proxy.username and not has_password:
        found.append(issue("proxy.password", "proxy.username_without_password"))
    if has_password and not proxy.username:
        found.append(issue("proxy.username", "proxy.password_without_username"))
    if proxy.username and (":" in proxy.username or any(ord(c) < 32 or ord(c) == 127 for c in proxy.username)):
        found.append(issue("proxy.username", "proxy.username_invalid"))
    return found


def parse_port_text(text: str) -> tuple[int | None, list[Issue]]:
    """The port a user typed; empty is `None` (the validator then asks for one)."""
    stripped = text.strip()
    if not stripped:
        return None, []
    if not stripped.isdigit():
        return None, [issue("proxy.port", "proxy.port_range")]
    return int(stripped), []
