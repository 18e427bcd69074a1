"""Turning transport failures and vault refusals into catalogue codes.

What an administrator can act on decides the code: a proxy that is down, a proxy that wants
(other) credentials, a proxy that will not tunnel to the vault, a vault that cannot be
reached, a TLS version or a certificate that is not acceptable. httpx reports proxy
refusals as `httpx.ProxyError` whose text starts with the proxy's status line, and TLS
problems as a `ConnectError` caused by an `ssl.SSLError`; we look at the cause chain, not
at the prose, wherever a type exists.
"""

from __future__ import annotations

import re
import socket
import ssl
from typing import Any

import httpx

from wizard.core.errors import CATALOGUE, RegisterServerError

_STATUS = re.compile(r"^\s*(\d{3})\b")
_TLS_VERSION_REASONS = ("UNSUPPORTED_PROTOCOL", "TLSV1_ALERT_PROTOCOL_VERSION", "WRONG_SSL_VERSION",
                        "NO_PROTOCOLS_AVAILABLE", "VERSION_TOO_LOW")
# What OpenSSL says when the bytes that came back are not TLS at all (a proxy's or a web
# server's plain answer, garbage inside a tunnel): a network or proxy problem, not a TLS version.
_NOT_TLS_REASONS = ("WRONG_VERSION_NUMBER", "RECORD_LAYER_FAILURE", "PACKET_LENGTH_TOO_LONG", "HTTP_REQUEST")
# Vault answers whose code names a situation the user can act on; any other refusal is vault.error.
VAULT_CODES = frozenset(code for code in CATALOGUE if code.split(".")[0] in {
    "credentials", "auth", "vault", "passphrase", "machine", "escrow", "security"})


def _causes(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def _ssl_error(exc: BaseException) -> ssl.SSLError | None:
    for cause in _causes(exc):
        if isinstance(cause, ssl.SSLError):
            return cause
    return None


def map_transport_error(exc: Exception, *, via_proxy: bool, target: str, proxy: str | None = None) -> RegisterServerError:
    """The catalogue error for a failed request to `target` (a host:port, for the detail).

    `proxy` is the proxy's host:port (never its credentials): a failure of the proxy names the
    proxy that failed, not the vault behind it, so the administrator looks at the right machine.
    """
    signed = _sign_in_failure(exc)
    if signed is not None:
        return signed  # it names the proxy and the sign-in step itself
    error = _map(exc, via_proxy=via_proxy or proxy is not None, target=target)
    if proxy is not None:
        if error.code.startswith("proxy."):
            error.detail = f"(proxy {proxy}, on the way to the vault at {target})"
        else:
            error.detail = f"({target} through proxy {proxy})"
    return error


def _sign_in_failure(exc: BaseException) -> RegisterServerError | None:
    """The catalogue error a proxy sign-in leg failed with (wizard.net.proxy_auth), if that is the cause."""
    from wizard.net.proxy_auth import SignInFailed

    for cause in _causes(exc):
        if isinstance(cause, SignInFailed):
            return cause.error
    return None


def _map(exc: Exception, *, via_proxy: bool, target: str) -> RegisterServerError:
    where = f"({target}{' through the proxy' if via_proxy else ''})"
    if isinstance(exc, httpx.ProxyError):
        match = _STATUS.match(str(exc))
        status = int(match.group(1)) if match else 0
        if status in (401, 407):
            return RegisterServerError("proxy.auth_required", reason=str(status), detail=where)
        if status == 403:
            return RegisterServerError("proxy.refused", reason="403", detail=where)
        if status >= 500:
            # The proxy is up but could not open a connection to the vault.
            return RegisterServerError("network.unreachable", reason=f"proxy_{status}", detail=where)
        return RegisterServerError("proxy.refused", reason=str(status or "unknown"), detail=where)
    tls = _ssl_error(exc)
    if tls is not None:
        if isinstance(tls, ssl.SSLCertVerificationError):
            return RegisterServerError("tls.untrusted", reason=str(getattr(tls, "verify_message", None) or "verify_failed"),
                                       detail=where)
        text = f"{tls.reason or ''} {tls}".upper()
        if any(reason in text for reason in _NOT_TLS_REASONS):
            if via_proxy:
                return RegisterServerError("proxy.refused", reason="not_tls", detail=where)
            return RegisterServerError("network.unreachable", reason="not_tls", detail=where)
        if any(reason in text for reason in _TLS_VERSION_REASONS):
            return RegisterServerError("tls.version", reason=tls.reason or "protocol_version", detail=where)
        return RegisterServerError("network.unreachable", reason=f"tls_{tls.reason or 'error'}".lower(),
                                   detail=where)
    if isinstance(exc, httpx.TimeoutException):
        if via_proxy and isinstance(exc, httpx.ConnectTimeout):
            return RegisterServerError("proxy.unreachable", reason="connect_timeout", detail=where)
        return RegisterServerError("network.timeout", reason=type(exc).__name__, detail=where)
    causes = _causes(exc)
    if any(isinstance(c, socket.gaierror) for c in causes):
        if via_proxy:
            return RegisterServerError("proxy.unreachable", reason="dns", detail=where)
        return RegisterServerError("network.dns", detail=where)
    if isinstance(exc, (httpx.ConnectError, httpx.NetworkError, httpx.RemoteProtocolError)) or any(
            isinstance(c, OSError) for c in causes):
        if via_proxy and isinstance(exc, (httpx.ConnectError, ConnectionRefusedError)):
            return RegisterServerError("proxy.unreachable", reason="connect", detail=where)
        return RegisterServerError("network.unreachable", reason=type(exc).__name__, detail=where)
    return RegisterServerError("vault.error", reason=type(exc).__name__, detail=where)


def map_refusal(response: httpx.Response) -> RegisterServerError:
    """The catalogue error for a vault answer that is not a success."""
    code, message = None, None
    try:
        body: Any = response.json()
        error = body.get("error") if isinstance(body, dict) else None
        if isinstance(error, dict):
            code, message = error.get("code"), error.get("message")
    except ValueError:
        pass
    if isinstance(code, str) and code in VAULT_CODES:
        return RegisterServerError(code, reason=f"http_{response.status_code}")
    shown = f"({response.status_code} {code or ''}: {str(message or response.reason_phrase)[:200]})"
    return RegisterServerError("vault.error", reason=str(code or f"http_{response.status_code}"),
                               detail=shown.replace(" :", ":"))
