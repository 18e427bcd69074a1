"""Signing in to a proxy inside its CONNECT tunnel: Basic, Digest, NTLM and Negotiate (Kerberos).

Why our own tunnel: httpx (httpcore) sends one CONNECT with fixed headers and gives up on a
407, so it cannot answer a challenge, and NTLM's three legs must all happen on the same TCP
connection (the proxy ties the handshake to it). `open_tunnel` runs the whole 407
challenge/response loop on one connection: CONNECT without credentials, read the schemes the
407 offers, answer with the chosen one until the proxy says 200, then hand the socket back for
TLS to the vault. Negotiate's last token in the 200 (mutual authentication) is checked when the
proxy sends one.

Libraries, not protocols: h11 reads and writes the HTTP/1.1 messages (it already carries
httpx); pyspnego makes the NTLM and Negotiate tokens (SSPI on Windows, GSSAPI/MIT Kerberos and
its own NTLM elsewhere: the signed-in identity with no password, or a user name and password);
httpx's `DigestAuth` computes the RFC 7616 answer. The password is revealed only into the
leg that needs it and never appears in an exception.

`TunnelBackend` puts this under an httpx client (as its network backend, so the abort and
deadline machinery of `wizard.net.abort` still sees every socket); the connection test calls
`open_tunnel` on its own socket, so both walk the same code.
"""

from __future__ import annotations

import base64
import logging
import socket
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Protocol

import h11
import httpcore
import httpx

from wizard.core.errors import RegisterServerError
from wizard.core.model import ProxyAuth, ProxyMode, ProxySettings
from wizard.core.secret import Secret
from wizard.net.abort import AbortableBackend

log = logging.getLogger(__name__)

# Strongest first: what `auto` picks among the schemes a 407 offers.
PREFERENCE = (ProxyAuth.NEGOTIATE, ProxyAuth.NTLM, ProxyAuth.DIGEST, ProxyAuth.BASIC)
SCHEME_NAMES = {ProxyAuth.NEGOTIATE: "Negotiate", ProxyAuth.NTLM: "NTLM", ProxyAuth.DIGEST: "Digest",
                ProxyAuth.BASIC: "Basic"}
_MAX_LEGS = 6  # NTLM needs three, Negotiate two or three: more is a proxy going round in circles
_NO_TICKET_ADVICE = ("Sign in to the Kerberos realm first (on Linux `kinit user@REALM`, so the ticket cache "
                     "holds a ticket; on Windows log on with a domain account), or turn integrated sign-in off "
                     "and give a user name and password; then try again.")


class Stream(Protocol):
    def read(self, max_bytes: int, timeout: float | None = None) -> bytes: ...

    def write(self, buffer: bytes, timeout: float | None = None) -> None: ...

    def close(self) -> None: ...


class SignInFailed(httpcore.ProxyError):
    """A sign-in leg failed; carries the catalogue error (httpx keeps it as the cause of its ProxyError)."""

    def __init__(self, error: RegisterServerError) -> None:
        super().__init__(error.message)
        self.error = error


@dataclass(frozen=True)
class ProxySignIn:
    """Who signs in to the proxy and how: the settings' part the tunnel needs."""

    proxy_host: str  # for the Kerberos service name HTTP/<host>
    proxy_port: int
    auth: ProxyAuth = ProxyAuth.AUTO
    integrated: bool = False
    username: str = ""
    password: Secret | None = None

    @property
    def has_password(self) -> bool:
        return bool(self.username) and self.password is not None

    @property
    def address(self) -> str:
        host = f"[{self.proxy_host}]" if ":" in self.proxy_host else self.proxy_host
        return f"{host}:{self.proxy_port}"

    def can_do(self, scheme: ProxyAuth) -> bool:
        if scheme in (ProxyAuth.NEGOTIATE, ProxyAuth.NTLM):
            return self.integrated or self.has_password
        return self.has_password and not self.integrated


def sign_in_for(settings: ProxySettings, proxy_host: str, proxy_port: int) -> ProxySignIn | None:
    """The sign-in for the proxy chosen (custom, or by a PAC file) when it needs our tunnel, or None
    when httpx's own CONNECT does (no user name, not integrated, scheme left to auto: nothing to
    answer a 407 with)."""
    if settings.mode is ProxyMode.NONE:
        return None
    if not (settings.username or settings.integrated or settings.auth is not ProxyAuth.AUTO):
        return None
    return ProxySignIn(proxy_host, proxy_port, settings.auth, settings.integrated, settings.username,
                       settings.password)


@dataclass
class _Answer:
    status: int
    headers: list[tuple[bytes, bytes]]
    reusable: bool

    def challenges(self) -> dict[str, str]:
        """{scheme in lower case: the rest of its Proxy-Authenticate (WWW-Authenticate from tinyproxy's 401)}."""
        found: dict[str, str] = {}
        for name, value in self.headers:
            if name.lower() in (b"proxy-authenticate", b"www-authenticate"):
                text = value.decode("latin-1").strip()
                scheme, _, rest = text.partition(" ")
                found.setdefault(scheme.lower(), rest.strip())
        return found


class _Connection:
    """One TCP connection to the proxy with its HTTP/1.1 state; reopened when the proxy closes it."""

    def __init__(self, connect: Callable[[], Stream], target: str, timeout: float | None) -> None:
        self._connect = connect
        self.target = target
        self.timeout = timeout
        self.stream = connect()
        self.h11 = h11.Connection(h11.CLIENT)
        self.legs_on_this_connection = 0

    def reopen(self) -> None:
        self.stream.close()
        self.stream = self._connect()
        self.h11 = h11.Connection(h11.CLIENT)
        self.legs_on_this_connection = 0

    def ask(self, authorization: str | None) -> _Answer:
        headers = [("Host", self.target), ("Proxy-Connection", "keep-alive")]
        if authorization is not None:
            headers.append(("Proxy-Authorization", authorization))
        self.legs_on_this_connection += 1
        self.stream.write(self.h11.send(h11.Request(method="CONNECT", target=self.target, headers=headers)) +
                          (self.h11.send(h11.EndOfMessage()) or b""), self.timeout)
        response: h11.Response | None = None
        while True:
            event = self.h11.next_event()
            if event is h11.NEED_DATA:
                self.h11.receive_data(self.stream.read(65536, self.timeout))
                continue
            if isinstance(event, h11.Response):
                response = event
                if 200 <= event.status_code < 300:
                    return _Answer(event.status_code, list(event.headers), False)
            elif isinstance(event, (h11.EndOfMessage, h11.ConnectionClosed)) or event is h11.PAUSED:
                break
        if response is None:
            raise h11.RemoteProtocolError("the proxy closed the connection without an answer")
        reusable = self.h11.our_state is h11.DONE and self.h11.their_state is h11.DONE
        if reusable:
            self.h11.start_next_cycle()
        return _Answer(response.status_code, list(response.headers), reusable)


def open_tunnel(connect: Callable[[], Stream], target: str, sign_in: ProxySignIn,
                timeout: float | None = None) -> tuple[Stream, ProxyAuth | None]:
    """A stream tunnelled to `target` (host:port) through the proxy, signed in; and the scheme used
    (None when the proxy asked for none). Failures are `SignInFailed` (catalogue errors that name
    the step) or the stream's own I/O errors."""
    connection = _Connection(connect, target, timeout)
    try:
        answer = connection.ask(_basic(sign_in) if sign_in.auth is ProxyAuth.BASIC and sign_in.has_password
                                else None)
        if 200 <= answer.status < 300:
            return connection.stream, (ProxyAuth.BASIC if sign_in.auth is ProxyAuth.BASIC else None)
        scheme = _choose(sign_in, answer)
        _sign_in(connection, sign_in, scheme, answer)
        return connection.stream, scheme
    except h11.ProtocolError as exc:
        connection.stream.close()
        raise SignInFailed(RegisterServerError("proxy.refused", reason="not_http",
                                               detail=f"(proxy {sign_in.address} answered the CONNECT with "
                                                      f"something that is not HTTP: {exc})")) from None
    except BaseException:
        connection.stream.close()
        raise


def _refused(answer: _Answer, sign_in: ProxySignIn, what: str) -> SignInFailed:
    if answer.status in (401, 407):
        return SignInFailed(RegisterServerError("proxy.auth_required", reason=str(answer.status),
                                                detail=f"(proxy {sign_in.address}: {what})"))
    if answer.status == 403:
        return SignInFailed(RegisterServerError("proxy.refused", reason="403", detail=f"(proxy {sign_in.address})"))
    if answer.status >= 500:
        return SignInFailed(RegisterServerError("network.unreachable", reason=f"proxy_{answer.status}",
                                                detail=f"(proxy {sign_in.address} could not reach the vault)"))
    return SignInFailed(RegisterServerError("proxy.refused", reason=str(answer.status),
                                            detail=f"(proxy {sign_in.address})"))


def _choose(sign_in: ProxySignIn, answer: _Answer) -> ProxyAuth:
    if answer.status not in (401, 407):
        raise _refused(answer, sign_in, "")
    offered = answer.challenges()
    names = ", ".join(SCHEME_NAMES.get(ProxyAuth(s), s) if s in ProxyAuth._value2member_map_ else s
                      for s in offered) or "none named"
    if sign_in.auth is not ProxyAuth.AUTO:
        if sign_in.auth.value not in offered:
            raise SignInFailed(RegisterServerError(
                "proxy.auth_unsupported", reason=f"{sign_in.auth.value}_not_offered",
                detail=f"(proxy {sign_in.address} offers {names}; the settings ask for "
                       f"{SCHEME_NAMES[sign_in.auth]})"))
        return sign_in.auth
    for scheme in PREFERENCE:
        if scheme.value in offered and sign_in.can_do(scheme):
            return scheme
    if not (sign_in.integrated or sign_in.has_password):
        raise SignInFailed(RegisterServerError("proxy.auth_required", reason=str(answer.status),
                                               detail=f"(proxy {sign_in.address} asks for {names}; no sign-in "
                                                      "was given)"))
    raise SignInFailed(RegisterServerError("proxy.auth_unsupported", reason="no_common_scheme",
                                           detail=f"(proxy {sign_in.address} offers {names})"))


def _sign_in(connection: _Connection, sign_in: ProxySignIn, scheme: ProxyAuth, first: _Answer) -> None:
    name = SCHEME_NAMES[scheme]
    if not first.reusable:
        connection.reopen()
    if scheme is ProxyAuth.BASIC:
        answer = connection.ask(_basic(sign_in))
        if not 200 <= answer.status < 300:
            raise _refused(answer, sign_in, "Basic sign-in refused: check the user name and password")
        return
    if scheme is ProxyAuth.DIGEST:
        answer = connection.ask(_digest(sign_in, connection.target, first))
        if not 200 <= answer.status < 300:
            raise _refused(answer, sign_in, "Digest sign-in refused: check the user name and password")
        return
    _multi_leg(connection, sign_in, scheme, name)


def _multi_leg(connection: _Connection, sign_in: ProxySignIn, scheme: ProxyAuth, name: str) -> None:
    """NTLM or Negotiate: tokens back and forth on this one connection until the proxy says 200."""
    context = _security_context(sign_in, scheme)
    token = _step(context, None, sign_in, name, 1)
    for leg in range(1, _MAX_LEGS + 1):
        answer = connection.ask(f"{name} {base64.b64encode(token).decode('ascii')}")
        server_token = _token_of(answer, name)
        if 200 <= answer.status < 300:
            mutual = server_token is not None and not context.complete
            if mutual:
                _step(context, server_token, sign_in, name, leg + 1, mutual=True)
            # squid 5 sends no token with its 200 to a CONNECT: the proxy then offers no mutual
            # authentication, and the tunnel's TLS to the vault is what proves the far end.
            log.info("proxy %s: signed in with %s in %d steps on one connection, %s", sign_in.address, name, leg + 1,
                     "the proxy's identity verified (mutual authentication)" if mutual
                     else "the proxy sent no final token (no mutual authentication offered)")
            return
        if answer.status not in (401, 407) or server_token is None:
            raise _refused(answer, sign_in, f"{name} sign-in refused at step {leg + 1} (the proxy did not accept "
                                            f"the {'credentials' if leg > 1 else 'first token'}): "
                                            + _who(sign_in))
        if not answer.reusable:
            raise SignInFailed(RegisterServerError(
                "proxy.auth_required", reason=f"{scheme.value}_connection_closed",
                detail=f"(proxy {sign_in.address} closed the connection in the middle of the {name} handshake, "
                       f"step {leg + 1}; the handshake must stay on one connection)"))
        token = _step(context, server_token, sign_in, name, leg + 2)
    raise SignInFailed(RegisterServerError("proxy.auth_required", reason=f"{scheme.value}_too_many_legs",
                                           detail=f"(proxy {sign_in.address}: no end to the {name} handshake)"))


def _who(sign_in: ProxySignIn) -> str:
    if sign_in.integrated:
        return "the signed-in identity is not accepted"
    return "check the user name and password"


def _token_of(answer: _Answer, name: str) -> bytes | None:
    rest = answer.challenges().get(name.lower())
    if not rest:
        return None
    try:
        return base64.b64decode(rest.split()[0], validate=True)
    except ValueError:
        return None


def _security_context(sign_in: ProxySignIn, scheme: ProxyAuth) -> Any:
    import spnego

    protocol = "ntlm" if scheme is ProxyAuth.NTLM else "negotiate"
    username = None if sign_in.integrated else sign_in.username
    password = None if sign_in.integrated or sign_in.password is None else sign_in.password.reveal()
    try:
        return spnego.client(username, password, hostname=sign_in.proxy_host, service="HTTP", protocol=protocol)
    except Exception as exc:  # pyspnego raises many types, some carrying library text: never the password
        raise _no_credentials(sign_in, SCHEME_NAMES[scheme], 1, type(exc).__name__) from None


def _step(context: Any, token: bytes | None, sign_in: ProxySignIn, name: str, step: int,
          mutual: bool = False) -> bytes:
    try:
        out = context.step(token)
    except Exception as exc:
        if mutual:
            raise SignInFailed(RegisterServerError(
                "proxy.auth_required", reason="mutual_auth_failed",
                detail=f"(proxy {sign_in.address}: its {name} answer did not prove it is the proxy the Kerberos "
                       "ticket was issued for)")) from None
        raise _no_credentials(sign_in, name, step, type(exc).__name__) from None
    return out or b""


def _no_credentials(sign_in: ProxySignIn, name: str, step: int, why: str) -> SignInFailed:
    if sign_in.integrated:
        return SignInFailed(RegisterServerError(
            "proxy.auth_required", reason="no_ticket",
            detail=f"(proxy {sign_in.address} asks for {name}: no Kerberos ticket or signed-in identity for "
                   f"HTTP/{sign_in.proxy_host} could be used, step {step}: {why})",
            advice=_NO_TICKET_ADVICE))
    return SignInFailed(RegisterServerError(
        "proxy.auth_required", reason=f"{name.lower()}_token",
        detail=f"(proxy {sign_in.address}: the {name} sign-in could not be made, step {step}: {why})"))


def _basic(sign_in: ProxySignIn) -> str:
    password = sign_in.password.reveal() if sign_in.password is not None else ""
    return "Basic " + base64.b64encode(f"{sign_in.username}:{password}".encode("utf-8")).decode("ascii")


def _digest(sign_in: ProxySignIn, target: str, challenge: _Answer) -> str:
    """httpx's RFC 7616 answer to the proxy's challenge (its auth flow, fed the 407 as a 401)."""
    password = sign_in.password.reveal() if sign_in.password is not None else ""
    auth = httpx.DigestAuth(sign_in.username, password)
    # The digest's uri is the request target (RFC 7616 3.4): for CONNECT that is host:port, not a
    # path, and httpx takes it from the URL's raw_path.
    request = httpx.Request("CONNECT", f"http://{target}/")
    request.url = _AuthorityTarget(request.url, target)
    flow = auth.sync_auth_flow(request)
    next(flow)
    headers = [(b"www-authenticate", value) for name, value in challenge.headers
               if name.lower() in (b"proxy-authenticate", b"www-authenticate") and value.lower().startswith(b"digest")]
    try:
        answered = flow.send(httpx.Response(401, headers=headers, request=request))
    except (StopIteration, httpx.ProtocolError):
        raise SignInFailed(RegisterServerError("proxy.auth_unsupported", reason="digest_challenge",
                                               detail=f"(proxy {sign_in.address}: its Digest challenge cannot "
                                                      "be answered)")) from None
    return answered.headers["Authorization"]


class _AuthorityTarget(httpx.URL):
    """A URL whose raw_path is a CONNECT's authority-form target (``host:port``)."""

    def __init__(self, url: httpx.URL, target: str) -> None:
        super().__init__(url)
        self._target = target.encode("ascii")

    @property
    def raw_path(self) -> bytes:
        return self._target


class _SocketStream:
    """A plain socket as a `Stream` (the connection test walks the layers on its own socket)."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self.sock.recv(max_bytes)

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self.sock.sendall(buffer)

    def close(self) -> None:
        self.sock.close()


def tunnel_socket(open_socket: Callable[[], socket.socket], target: str, sign_in: ProxySignIn,
                  timeout: float | None = None) -> tuple[socket.socket, ProxyAuth | None]:
    """`open_tunnel` on plain sockets: the signed-in socket and the scheme used."""
    stream, scheme = open_tunnel(lambda: _SocketStream(open_socket()), target, sign_in, timeout)
    assert isinstance(stream, _SocketStream)
    return stream.sock, scheme


class TunnelBackend(AbortableBackend):
    """httpcore's network backend for a client that talks to the vault as if directly: every
    connection goes to the proxy, signs in inside the CONNECT tunnel, then carries TLS to the vault.
    Remembers the scheme the last tunnel used (for the connection test's line)."""

    def __init__(self, sign_in: ProxySignIn) -> None:
        super().__init__()
        self.sign_in = sign_in
        self.scheme: ProxyAuth | None = None

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options: Iterable[Any] | None = None) -> httpcore.NetworkStream:
        def connect() -> Stream:
            try:
                return super(TunnelBackend, self).connect_tcp(self.sign_in.proxy_host, self.sign_in.proxy_port,
                                                              timeout=timeout, local_address=local_address,
                                                              socket_options=socket_options)
            except httpcore.ConnectError as exc:
                raise httpcore.ConnectError(f"proxy {self.sign_in.address}: {exc}") from exc

        target = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        stream, self.scheme = open_tunnel(connect, target, self.sign_in, timeout)
        assert isinstance(stream, httpcore.NetworkStream)
        return stream


def install_tunnel(client: httpx.Client, sign_in: ProxySignIn) -> TunnelBackend | None:
    """Route `client`'s connections through a signed-in tunnel (its pool must be a direct one)."""
    pool = getattr(getattr(client, "_transport", None), "_pool", None)
    if not isinstance(pool, httpcore.ConnectionPool) or isinstance(pool, httpcore.HTTPProxy):
        return None
    backend = TunnelBackend(sign_in)
    pool._network_backend = backend
    return backend
