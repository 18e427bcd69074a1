"""Which proxy a vault connection goes through: none, the system's, or the one the user typed.

*None* means direct, even when the environment names a proxy (the client never reads the
environment itself). *System* follows the OS's settings and its automatic configuration,
*PAC* a PAC file's answer; both, and the bypass list, are decided in `wizard.net.proxy_choice`.
*Custom* uses the host and port from the settings, with basic authentication when a user
name is set; the password is revealed only into the `httpx.Proxy` object.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx

from wizard.core.errors import RegisterServerError
from wizard.core.model import ProxySettings

if TYPE_CHECKING:
    from wizard.net.proxy_choice import ProxyChoice


def _host_for_url(host: str) -> str:
    host = host.strip()
    for prefix in ("http://", "https://"):
        if host.lower().startswith(prefix):
            host = host[len(prefix):]
    host = host.rstrip("/")
    if ":" in host and not host.startswith("["):
        return f"[{host}]"  # a bare IPv6 address
    return host


def proxy_for(settings: ProxySettings, target_url: str) -> httpx.Proxy | None:
    """The proxy for requests to `target_url`, or None for a direct connection."""
    return proxy_choice_for(settings, target_url).proxy


def proxy_choice_for(settings: ProxySettings, target_url: str) -> "ProxyChoice":
    """The proxy for `target_url` and why (bypass list, PAC answer, system setting, WPAD)."""
    from wizard.net.proxy_choice import choose_proxy

    return choose_proxy(settings, target_url, custom=_custom_proxy)


def _custom_proxy(settings: ProxySettings) -> httpx.Proxy:
    if not settings.host.strip():
        raise RegisterServerError("proxy.host_required")
    if settings.port is None:
        raise RegisterServerError("proxy.port_required")
    url = f"http://{_host_for_url(settings.host)}:{settings.port}"
    if settings.username:
        password = settings.password.reveal() if settings.password is not None else ""
        return httpx.Proxy(url, auth=(settings.username, password))
    return httpx.Proxy(url)


def proxy_address(proxy: httpx.Proxy | None) -> str | None:
    """The proxy's host:port as messages show it (never its user name or password)."""
    if proxy is None:
        return None
    host = proxy.url.host
    shown = f"[{host}]" if ":" in host else host
    return f"{shown}:{proxy.url.port or 8080}"


def describe(settings: ProxySettings, target_url: str) -> str:
    """A secret-free description for messages: ``direct`` or ``proxy host:port``."""
    proxy = proxy_for(settings, target_url)
    if proxy is None:
        return "direct"
    return f"proxy {proxy.url.host}:{proxy.url.port}"
