"""The HTTPS client for talking to a vault: proxy, TLS, timeouts, safe retries, mapped failures.

`open_client` builds an `httpx.Client` from the settings (never reading proxy variables
from the environment unless the user chose *system*). `VaultHttp` wraps one and is what the
registration procedure uses: it retries only failures where the request provably did not
reach the vault (no TCP connection, proxy or TLS set-up failed before a byte of the request
was sent) or, for idempotent GETs, also timeouts and 502/503/504; a POST that may have
arrived is never repeated. Every failure leaves as a `RegisterServerError`.
"""

from __future__ import annotations

import socket
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urlsplit

import httpx

from wizard import __version__
from wizard.core.errors import RegisterServerError
from wizard.core.model import ProxySettings
from wizard.net.abort import abortable_backend
from wizard.net.deadline import Deadline, earliest, request_seconds, watch
from wizard.net.failures import map_refusal, map_transport_error
from wizard.net.proxy import proxy_for
from wizard.net.proxy_auth import install_tunnel, sign_in_for
from wizard.net.tls import ssl_context

USER_AGENT = f"register-server/{__version__}"
_SOCKET_OPTIONS = [(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)]
# Codes that mean "nothing reached the vault": safe to retry for any method.
_NOT_SENT = frozenset({"network.unreachable", "network.dns", "proxy.unreachable"})


@dataclass(frozen=True)
class Timeouts:
    connect: float = 10.0
    read: float = 30.0

    def httpx(self) -> httpx.Timeout:
        return httpx.Timeout(self.read, connect=self.connect, pool=self.connect)


def open_client(proxy: ProxySettings, *, target_url: str, ca_bundle: Path | None = None,
                timeouts: Timeouts = Timeouts()) -> httpx.Client:
    """An httpx client for `target_url`'s vault with the chosen proxy and trust.

    TCP_NODELAY matters: a TLS handshake's last flight, request headers and a request body are
    separate small writes, and with Nagle's algorithm each waits for the peer's delayed ACK
    (~40 ms on Linux), which tripled a registration's round trip on loopback.
    """
    chosen = proxy_for(proxy, target_url)
    sign_in = sign_in_for(proxy, chosen.url.host, chosen.url.port or 8080) if chosen is not None else None
    # A proxy that may ask for a sign-in gets our own CONNECT (wizard.net.proxy_auth): httpx's
    # cannot answer a 407 challenge, nor keep NTLM's legs on one connection.
    transport = httpx.HTTPTransport(verify=ssl_context(ca_bundle), proxy=None if sign_in else chosen,
                                    trust_env=False, socket_options=_SOCKET_OPTIONS)
    client = httpx.Client(transport=transport, trust_env=False, timeout=timeouts.httpx(),
                          headers={"User-Agent": USER_AGENT}, follow_redirects=False)
    if sign_in is not None and install_tunnel(client, sign_in) is None:
        raise AssertionError("httpx's connection pool has no network backend to tunnel through")
    return client


class VaultHttp:
    """JSON requests to a vault with mapped failures and safe retries."""

    def __init__(self, client: httpx.Client, *, via_proxy: bool, proxy: str | None = None, retries: int = 2,
                 backoff: float = 0.25,
                 sleep: Callable[[float], None] = time.sleep, deadline: Deadline | None = None,
                 request_deadline: float | None = None) -> None:
        """`deadline` bounds every request of this client together (a whole procedure);
        `request_deadline` (seconds, default `deadline.request_seconds()`) bounds each request."""
        self.client = client
        self.deadline = deadline
        self.request_deadline = request_deadline if request_deadline is not None else request_seconds()
        self.via_proxy = via_proxy
        self.proxy = proxy  # host:port for messages
        self.retries = retries
        self.backoff = backoff
        self._sleep = sleep

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> "VaultHttp":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def post_form(self, url: str, form: dict[str, str]) -> dict[str, Any]:
        return self._json(self._send("POST", url, data=form))

    def post_json(self, url: str, body: dict[str, Any], *, token: str) -> dict[str, Any]:
        return self._json(self._send("POST", url, json=body, headers={"Authorization": f"Bearer {token}"}))

    def get_json(self, url: str, *, token: str) -> dict[str, Any]:
        return self._json(self.get(url, token=token))

    def call_json(self, method: str, url: str, *, authorization: str,
                  body: dict[str, Any] | None = None, headers: dict[str, str] | None = None) -> dict[str, Any]:
        """A JSON call with a ready-made Authorization header (the machine's own assertion)."""
        return self._json(self._send(method, url, json=body, headers={**(headers or {}),
                                                                        "Authorization": authorization}))

    def get(self, url: str, *, token: str | None = None) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else None
        return self._send("GET", url, headers=headers)

    def _send(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        parts = urlsplit(url)
        target = f"{parts.hostname}:{parts.port or 443}"
        deadline = earliest(Deadline.after(self.request_deadline, "request"), self.deadline)
        backend = abortable_backend(self.client)
        attempt = 0
        while True:
            if deadline.passed:
                raise self._too_late(deadline, target)
            try:
                if backend is None:
                    response = self.client.request(method, url, **kwargs)
                else:
                    with watch(deadline, backend.interrupt) as watched:
                        response = self.client.request(method, url, **kwargs)
            except httpx.HTTPError as exc:
                if backend is not None and watched.fired:
                    raise self._too_late(deadline, target) from None
                error = map_transport_error(exc, via_proxy=self.via_proxy, target=target, proxy=self.proxy)
                if attempt < self.retries and self._retryable(method, exc, error):
                    self._pause(attempt)
                    attempt += 1
                    continue
                raise error from None
            if method == "GET" and response.status_code in (502, 503, 504) and attempt < self.retries:
                self._pause(attempt)
                attempt += 1
                continue
            return response

    def _too_late(self, deadline: Deadline, target: str) -> RegisterServerError:
        where = f"{target} through proxy {self.proxy}" if self.proxy else target
        return RegisterServerError("network.timeout", reason=f"{deadline.what}_deadline",
                                   detail=f"({where}: no complete answer within the {deadline.what}'s "
                                          f"{deadline.seconds:g} s)")

    @staticmethod
    def _retryable(method: str, exc: httpx.HTTPError, error: RegisterServerError) -> bool:
        if isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout)) and error.code in _NOT_SENT:
            return True
        if isinstance(exc, httpx.ProxyError) and error.code == "network.unreachable":
            return True  # the proxy could not open the tunnel: the request never left
        return method == "GET" and error.code in ("network.timeout", "network.unreachable")

    def _pause(self, attempt: int) -> None:
        self._sleep(self.backoff * (2 ** attempt))

    @staticmethod
    def _json(response: httpx.Response) -> dict[str, Any]:
        if response.status_code >= 400:
            raise map_refusal(response)
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise RegisterServerError("vault.error", reason="not_json",
                                      detail=f"(the vault answered {response.status_code} without a JSON object)")
        return body
