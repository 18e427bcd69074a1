"""`test_connection`: walk the way to the vault one layer at a time, without registering.

Proxy choice → DNS → TCP → proxy → TLS → token endpoint, each reported as a `ConnectionCheck` as soon as
it is known, stopping at the first failure, so the wizard's *Test connection* button and
``register --dry-run`` can say exactly which layer is wrong. The first four steps are done
by hand on a socket (a CONNECT request when there is a proxy) because that is the only way
to tell them apart; the last uses the real client, as registration will.
"""

from __future__ import annotations

import base64
import socket
import ssl
from typing import TYPE_CHECKING, Callable
from urllib.parse import urlsplit

from wizard.core.errors import RegisterServerError
from wizard.core.i18n import L_
from wizard.core.registration.events import CancelToken, ConnectionCheck

if TYPE_CHECKING:
    from wizard.core.model import ProxyAuth, RegistrationSettings
    from wizard.net.proxy_auth import ProxySignIn

TIMEOUT = 10.0
# In order; the first says which proxy (or none) and why, with the PAC's answer when there is one.
CONNECTION_STEPS = ("proxy_choice", "dns", "tcp", "proxy", "tls", "token_endpoint")


class _Failed(Exception):
    def __init__(self, error: RegisterServerError) -> None:
        self.error = error


def test_connection(settings: "RegistrationSettings", *, on_step: Callable[[ConnectionCheck], None] | None = None,
                    cancel: CancelToken | None = None) -> list[ConnectionCheck]:
    """The checks done, in order; the last one failed unless all six passed."""
    from wizard.core.credentials import read_credentials
    from wizard.net.pac import forget_cached

    cancel = cancel or CancelToken()
    forget_cached()  # a PAC file fixed since the last test is read again
    if settings.vault.credentials_file is None:
        raise RegisterServerError("vault.credentials_file_required")
    credentials = read_credentials(settings.vault.credentials_file)
    checks: list[ConnectionCheck] = []

    def report(check: ConnectionCheck) -> None:
        checks.append(check)
        if on_step is not None:
            on_step(check)

    try:
        _walk(settings, credentials.token_url, report, cancel)
    except _Failed as failed:
        cancel.raise_if_cancelled()  # a failure the cancel caused (its I/O was stopped) is a cancel
        step = CONNECTION_STEPS[len(checks)]
        report(ConnectionCheck(step, False, failed.error.message, failed.error.code,
                               facts={"reason": failed.error.reason} if failed.error.reason else None))
    return checks


def _walk(settings: "RegistrationSettings", url: str, report: Callable[[ConnectionCheck], None],
          cancel: CancelToken) -> None:
    from wizard.net.abort import shut_down
    from wizard.net.failures import map_transport_error
    from wizard.net.proxy import proxy_address, proxy_choice_for
    from wizard.net.proxy_auth import sign_in_for
    from wizard.net.tls import ssl_context

    parts = urlsplit(url)
    host, port = parts.hostname or "", parts.port or 443
    cancel.raise_if_cancelled()
    try:
        choice = proxy_choice_for(settings.proxy, url)
    except RegisterServerError as error:  # the PAC file could not be had or run
        raise _Failed(error) from None
    report(ConnectionCheck("proxy_choice", True, choice.reason, facts=choice.as_json()))
    proxy = choice.proxy
    target = f"{host}:{port}"
    if proxy is not None:
        connect_host, connect_port = proxy.url.host, proxy.url.port or 8080
    else:
        connect_host, connect_port = host, port
    via_proxy = proxy is not None
    shown_proxy = proxy_address(proxy)
    sign_in = sign_in_for(settings.proxy, connect_host, connect_port) if proxy is not None else None

    def fail(exc: BaseException) -> _Failed:
        return _Failed(map_transport_error(exc, via_proxy=via_proxy, target=target,  # type: ignore[arg-type]
                                           proxy=shown_proxy))

    cancel.raise_if_cancelled()
    try:
        addresses = socket.getaddrinfo(connect_host, connect_port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise fail(exc) from None
    report(ConnectionCheck("dns", True, L_("{host} resolves to {address}", host=connect_host, address=addresses[0][4][0])))

    cancel.raise_if_cancelled()
    try:
        sock = socket.create_connection((connect_host, connect_port), timeout=TIMEOUT)
    except socket.timeout:
        code = "proxy.unreachable" if via_proxy else "network.timeout"
        raise _Failed(RegisterServerError(code, reason="connect_timeout", detail=f"({connect_host}:{connect_port})"))
    except OSError as exc:
        raise fail(exc) from None
    # A cancel (the wizard closing) shuts the socket down, so a silent proxy or vault cannot
    # hold the test, and the window waiting for it, until the timeouts.
    forget_abort = cancel.on_cancel(lambda: shut_down(sock))
    try:
        with sock:
            report(ConnectionCheck("tcp", True, L_("connected to {host}:{port}", host=connect_host, port=connect_port)))
            cancel.raise_if_cancelled()
            if sign_in is not None:
                sock, scheme = _signed_in_tunnel(sock, target, sign_in, fail)
                report(ConnectionCheck("proxy", True, _signed_in_text(target, sign_in, scheme)))
            elif proxy is not None:
                _tunnel(sock, target, proxy, via_proxy)
                report(ConnectionCheck("proxy", True, L_("the proxy opened a tunnel to {target}", target=target)))
            else:
                report(ConnectionCheck("proxy", True, L_("no proxy: direct connection")))
            cancel.raise_if_cancelled()
            try:
                context = ssl_context(settings.vault.ca_bundle)
                with context.wrap_socket(sock, server_hostname=host) as tls:
                    version = tls.version()
            except (ssl.SSLError, OSError) as exc:
                raise fail(exc) from None
            report(ConnectionCheck("tls", True, L_("{version} with a trusted certificate", version=version)))
    finally:
        forget_abort()
    cancel.raise_if_cancelled()
    _token_endpoint(settings, url, via_proxy, shown_proxy, report, cancel)


def _signed_in_tunnel(sock: socket.socket, target: str, sign_in: "ProxySignIn",
                      fail: Callable[[BaseException], "_Failed"]) -> "tuple[socket.socket, ProxyAuth | None]":
    """The proxy's CONNECT with its sign-in legs (wizard.net.proxy_auth), on this socket first; a
    proxy that closes after its first 407 gets a new connection, as registration's client would."""
    from wizard.net.proxy_auth import SignInFailed, tunnel_socket

    sockets = iter([sock])

    def open_socket() -> socket.socket:
        opened = next(sockets, None)
        return opened if opened is not None else socket.create_connection(
            (sign_in.proxy_host, sign_in.proxy_port), timeout=TIMEOUT)

    try:
        return tunnel_socket(open_socket, target, sign_in, TIMEOUT)
    except SignInFailed as failed:
        raise _Failed(failed.error) from None
    except OSError as exc:
        raise fail(exc) from None


def _signed_in_text(target: str, sign_in: "ProxySignIn", scheme: "ProxyAuth | None") -> str:
    """The connection test's proxy line: the tunnel, and the sign-in scheme negotiated."""
    from wizard.net.proxy_auth import SCHEME_NAMES

    if scheme is None:
        return L_("the proxy opened a tunnel to {target}", target=target)
    if sign_in.integrated:
        return L_("the proxy opened a tunnel to {target} after signing in with {scheme} as the signed-in identity",
                  target=target, scheme=SCHEME_NAMES[scheme])
    return L_("the proxy opened a tunnel to {target} after signing in with {scheme} as {user}", target=target,
              scheme=SCHEME_NAMES[scheme], user=sign_in.username)


def _tunnel(sock: socket.socket, target: str, proxy: object, via_proxy: bool) -> None:
    import httpx

    from wizard.net.failures import map_transport_error
    from wizard.net.proxy import proxy_address

    assert isinstance(proxy, httpx.Proxy)
    lines = [f"CONNECT {target} HTTP/1.1", f"Host: {target}"]
    if proxy.auth is not None:
        user, password = proxy.auth
        token = base64.b64encode(f"{user}:{password}".encode("utf-8")).decode("ascii")
        lines.append(f"Proxy-Authorization: Basic {token}")
    try:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("utf-8"))
        head = b""
        while b"\r\n\r\n" not in head and len(head) < 16384:
            chunk = sock.recv(4096)
            if not chunk:
                break
            head += chunk
    except OSError as exc:
        raise _Failed(map_transport_error(exc, via_proxy=True, target=target,  # type: ignore[arg-type]
                                          proxy=proxy_address(proxy))) from None
    status_line = head.split(b"\r\n", 1)[0].decode("latin-1")
    parts = status_line.split(" ", 2)
    status = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0
    if status != 200:
        error = map_transport_error(httpx.ProxyError(" ".join(parts[1:]) or "no answer"), via_proxy=True,
                                    target=target, proxy=proxy_address(proxy))
        raise _Failed(error)


def _token_endpoint(settings: "RegistrationSettings", url: str, via_proxy: bool, shown_proxy: str | None,
                    report: Callable[[ConnectionCheck], None], cancel: CancelToken) -> None:
    from wizard.registration.procedure import default_transport
    from wizard.net.abort import stop_on_cancel
    from wizard.net.client import VaultHttp

    client = default_transport(settings, url)
    forget_abort = stop_on_cancel(client, cancel)
    try:
        with VaultHttp(client, via_proxy=via_proxy, proxy=shown_proxy, retries=0) as http:
            response = http.get(url)
    except RegisterServerError as error:
        raise _Failed(error) from None
    finally:
        forget_abort()
    if response.status_code >= 500:
        raise _Failed(RegisterServerError("vault.error", reason=f"http_{response.status_code}",
                                          detail=L_("(the token endpoint answered {status})",
                                                    status=response.status_code)))
    # Any answer below 500 means the sign-in service is there (a GET without credentials is
    # refused by design); the status code is for support, not for the administrator's line.
    from urllib.parse import urlsplit

    host = urlsplit(url).hostname
    report(ConnectionCheck("token_endpoint", True, L_("the vault's sign-in service at {host} answers", host=host)))
test_connection.__test__ = False  # a library function, not a pytest test
