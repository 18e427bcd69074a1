"""Which proxy a connection to one vault URL takes, and why — the sentence the connection test shows.

`choose_proxy(settings, url)` returns a `ProxyChoice`: the `httpx.Proxy` (None: direct), where
the decision came from (`source`), a plain-English `reason`, and for PAC the script's answer.

Order per mode:

* *none*: direct.
* *custom*: the bypass list, then the typed proxy.
* *pac*: the bypass list, then the PAC's answer for the URL (its first usable entry).
* *system*: what the OS is configured with, in the order Windows applies it —
  on Windows the WinINET automatic-configuration script (`AutoConfigURL`, Group Policy first,
  read by pypac), then WinINET's manual proxy and bypass list (as `urllib` reads them), then
  WinHTTP's (`netsh winhttp set proxy`); elsewhere the proxy environment variables
  (`https_proxy`, `all_proxy`, `no_proxy`), then a WPAD lookup by DNS: `http://wpad.<domain>/wpad.dat`
  for each parent domain of this machine's fully qualified name inside its organisation
  (pypac's candidates, bounded by the public-suffix list), each name resolved within
  `pac.DNS_SECONDS` and the whole search within `WPAD_SECONDS`; no DHCP. Nothing found: direct.
"""

from __future__ import annotations

import os
import platform
import socket
import urllib.request
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable
from urllib.parse import urlsplit

from wizard.core.bypass import bypass_rule_for
from wizard.core.errors import RegisterServerError
from wizard.core.i18n import L_
from wizard.core.model import ProxyMode, ProxySettings
from wizard.net.deadline import Deadline
from wizard.net.pac import DNS_SECONDS, PacAnswer, pac_answer

if TYPE_CHECKING:
    import httpx

WPAD_SECONDS = 10.0


@dataclass(frozen=True)
class ProxyChoice:
    """The way to one URL: `proxy` None is a direct connection."""

    proxy: "httpx.Proxy | None"
    source: str   # none | custom | bypass | pac | system-env | system-wininet | system-winhttp | system-pac | wpad
    reason: str
    pac: PacAnswer | None = None

    def as_json(self) -> dict[str, object]:
        shown = None
        if self.proxy is not None:
            host = self.proxy.url.host
            shown = f"{f'[{host}]' if ':' in host else host}:{self.proxy.url.port or 8080}"
        out: dict[str, object] = {"proxy": shown, "source": self.source, "reason": self.reason}
        if self.pac is not None:
            out["pac"] = {"url": self.pac.pac_url, "answer": self.pac.answer}
        return out


def _proxy(url: str) -> "httpx.Proxy":
    import httpx

    return httpx.Proxy(url if "://" in url else "http://" + url)


def _shown(url: str) -> str:
    return url.split("://", 1)[-1]


def choose_proxy(settings: ProxySettings, target_url: str, *,
                 custom: Callable[[ProxySettings], "httpx.Proxy"] | None = None) -> ProxyChoice:
    """The proxy for `target_url` and why. `custom` builds the typed proxy (with its sign-in)."""
    host = urlsplit(target_url).hostname or ""
    if settings.mode is ProxyMode.NONE:
        return ProxyChoice(None, "none", L_("direct connection: no proxy is configured"))
    if settings.mode is ProxyMode.SYSTEM:
        return _system(host, target_url)
    rule = bypass_rule_for(settings.bypass, host)
    if rule is not None:
        return ProxyChoice(None, "bypass", L_("direct connection: {host} matches the bypass entry {entry}", host=host, entry=repr(rule.text)))
    if settings.mode is ProxyMode.CUSTOM:
        assert custom is not None
        proxy = custom(settings)
        return ProxyChoice(proxy, "custom", L_("the custom proxy {host}:{port}", host=proxy.url.host, port=proxy.url.port))
    return _from_pac(settings.pac_url, target_url, "pac", "the PAC file")


def _from_pac(pac_url: str, target_url: str, source: str, what: str) -> ProxyChoice:
    answer = pac_answer(pac_url, target_url)
    first = answer.first
    said = f"{what} {pac_url} answered {answer.answer!r} for {target_url}"
    if first == "DIRECT":
        return ProxyChoice(None, source, f"direct connection: {said}", answer)
    return ProxyChoice(_proxy(first), source, f"proxy {_shown(first)}: {said}", answer)


# ---- system -------------------------------------------------------------------------------------

def _system(host: str, target_url: str) -> ProxyChoice:
    windows = platform.system() == "Windows"
    if windows:
        pac_url = _windows_autoconfig_url()
        if pac_url:
            return _from_pac(pac_url, target_url, "system-pac", "the automatic configuration script (AutoConfigURL)")
    if host and urllib.request.proxy_bypass(host):
        return ProxyChoice(None, "system-env" if not windows else "system-wininet",
                           L_("direct connection: {host} is in the system's proxy bypass list", host=host))
    proxies = urllib.request.getproxies()
    chosen = proxies.get("https") or proxies.get("all")
    if chosen:
        where = "WinINET's proxy setting" if windows and not _env_proxy() else "the proxy environment variables"
        return ProxyChoice(_proxy(chosen), "system-wininet" if "WinINET" in where else "system-env",
                           f"proxy {_shown(chosen)}: from {where}")
    if windows:
        winhttp = _winhttp_proxy()
        if winhttp is not None:
            server, bypass = winhttp
            if any(_winhttp_bypassed(entry, host) for entry in bypass):
                return ProxyChoice(None, "system-winhttp", f"direct connection: {host} is in WinHTTP's bypass list")
            return ProxyChoice(_proxy(server), "system-winhttp", f"proxy {_shown(server)}: from WinHTTP's proxy setting")
        return ProxyChoice(None, "none", "direct connection: no system proxy or automatic configuration is set")
    found = wpad_pac_url()
    if found:
        return _from_pac(found, target_url, "wpad", "the PAC file found by WPAD,")
    return ProxyChoice(None, "none", L_("direct connection: no proxy variables are set and no WPAD PAC file was found"))


def _env_proxy() -> bool:
    return any(os.environ.get(name) for name in ("https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"))


def _windows_autoconfig_url() -> str | None:
    try:
        from pypac.os_settings import autoconfig_url_from_registry
        value = autoconfig_url_from_registry()
    except Exception:  # noqa: BLE001 - no registry access: no automatic configuration
        return None
    if not value:
        return None
    return value if "://" in value else "file:///" + value.replace("\\", "/").lstrip("/")


def _winhttp_proxy() -> tuple[str, list[str]] | None:
    """WinHTTP's machine-wide proxy (``netsh winhttp set proxy``), or None when it says direct."""
    try:
        import winreg  # type: ignore[import-not-found]

        with winreg.OpenKey(winreg.HKEY_LOCAL_MACHINE, r"SOFTWARE\Microsoft\Windows\CurrentVersion"
                            r"\Internet Settings\Connections") as key:
            blob = winreg.QueryValueEx(key, "WinHttpSettings")[0]
    except OSError:
        return None
    return parse_winhttp_settings(bytes(blob))


def parse_winhttp_settings(blob: bytes) -> tuple[str, list[str]] | None:
    """The proxy and bypass list in a `WinHttpSettings` value (a serialised WINHTTP_PROXY_INFO:
    version, counter, flags — 1 direct, 3 named proxy — then the proxy and the bypass list, each a
    length-prefixed ASCII string), or None when it is direct or unreadable. A proxy list per
    scheme (``http=a:80;https=b:443``) gives the HTTPS one."""
    def dword(at: int) -> int:
        return int.from_bytes(blob[at:at + 4], "little")

    if len(blob) < 16 or not dword(8) & 2:
        return None
    length = dword(12)
    server = blob[16:16 + length].decode("ascii", "replace").strip()
    at = 16 + length
    bypass_length = dword(at) if len(blob) >= at + 4 else 0
    bypass = blob[at + 4:at + 4 + bypass_length].decode("ascii", "replace")
    if not server:
        return None
    if "=" in server:
        named = dict(part.split("=", 1) for part in server.split(";") if "=" in part)
        server = named.get("https") or named.get("http") or ""
        if not server:
            return None
    return server.split(";")[0].strip(), [entry.strip() for entry in bypass.split(";") if entry.strip()]


def _winhttp_bypassed(entry: str, host: str) -> bool:
    from fnmatch import fnmatch

    if entry.lower() == "<local>":
        return "." not in host
    return fnmatch(host.lower(), entry.lower())


# ---- WPAD ---------------------------------------------------------------------------------------

def wpad_candidates(fqdn: str) -> list[str]:
    """Where WPAD looks for this machine: `http://wpad.<parent>/wpad.dat` for each parent domain
    inside its organisation (pypac stops at the public suffix: never `wpad.com`)."""
    from pypac.wpad import proxy_urls_from_dns

    return list(proxy_urls_from_dns(fqdn))


def wpad_pac_url(fqdn: str | None = None, *, resolve: Callable[[str], bool] | None = None,
                 fetch: Callable[[str, Deadline], object] | None = None) -> str | None:
    """The first WPAD candidate whose name resolves and whose PAC file downloads, or None."""
    from wizard.net.pac import _bounded, fetch_pac

    deadline = Deadline.after(WPAD_SECONDS, "WPAD search")
    resolve = resolve or (lambda name: bool(_bounded(socket.gethostbyname, [name], "")))
    fetch = fetch or (lambda url, until: fetch_pac(url, deadline=until))
    for url in wpad_candidates(fqdn or socket.getfqdn()):
        if deadline.passed:
            break
        if not resolve(urlsplit(url).hostname or ""):
            continue
        try:
            fetch(url, deadline)
        except RegisterServerError:
            continue
        return url
    return None


__all__ = ["DNS_SECONDS", "ProxyChoice", "WPAD_SECONDS", "choose_proxy", "parse_winhttp_settings", "wpad_candidates",
           "wpad_pac_url"]
