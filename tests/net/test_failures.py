"""Failure mapping and retries of the HTTPS client, with fake transports (the failure paths only;
the real ones are exercised end to end in tests/e2e)."""

from __future__ import annotations

import socket
import ssl
from pathlib import Path

import httpx
import pytest

from wizard.core.errors import RegisterServerError
from wizard.core.model import ProxyMode, ProxySettings
from wizard.core.secret import Secret
from wizard.net import VaultHttp, map_refusal, map_transport_error, proxy_for, ssl_context


def _caused(exc: Exception, cause: BaseException) -> Exception:
    exc.__cause__ = cause
    return exc


@pytest.mark.parametrize("exc, via_proxy, code", [
    (httpx.ProxyError("407 Proxy Authentication Required"), True, "proxy.auth_required"),
    (httpx.ProxyError("401 Unauthorized"), True, "proxy.auth_required"),  # tinyproxy's quirk
    (httpx.ProxyError("403 Access violation"), True, "proxy.refused"),
    (httpx.ProxyError("500 Unable to connect"), True, "network.unreachable"),
    (httpx.ProxyError("503 Service Unavailable"), True, "network.unreachable"),
    (_caused(httpx.ConnectError("x"), socket.gaierror(-2, "Name or service not known")), False, "network.dns"),
    (_caused(httpx.ConnectError("x"), socket.gaierror(-2, "Name or service not known")), True, "proxy.unreachable"),
    (_caused(httpx.ConnectError("x"), ConnectionRefusedError(111, "refused")), False, "network.unreachable"),
    (_caused(httpx.ConnectError("x"), ConnectionRefusedError(111, "refused")), True, "proxy.unreachable"),
    (httpx.ReadTimeout("slow"), False, "network.timeout"),
    (httpx.ReadTimeout("slow"), True, "network.timeout"),
    (httpx.ConnectTimeout("slow"), False, "network.timeout"),
    (httpx.ConnectTimeout("slow"), True, "proxy.unreachable"),
    (_caused(httpx.ConnectError("x"), ssl.SSLCertVerificationError(1, "certificate verify failed")), False,
     "tls.untrusted"),
])
def test_transport_failures_map_to_stable_codes(exc: Exception, via_proxy: bool, code: str) -> None:
    assert map_transport_error(exc, via_proxy=via_proxy, target="vault:443").code == code


def test_protocol_version_alert_is_tls_version() -> None:
    error = ssl.SSLError(1, "[SSL: TLSV1_ALERT_PROTOCOL_VERSION] tlsv1 alert protocol version")
    error.reason = "TLSV1_ALERT_PROTOCOL_VERSION"
    assert map_transport_error(_caused(httpx.ConnectError("x"), error), via_proxy=False, target="v:1").code \
        == "tls.version"


def test_refusals_keep_known_codes_and_hide_unknown_ones() -> None:
    known = httpx.Response(409, json={"error": {"code": "vault.full", "message": "full"}})
    assert map_refusal(known).code == "vault.full"
    unknown = httpx.Response(400, json={"error": {"code": "request.invalid", "message": "bad"}})
    error = map_refusal(unknown)
    assert (error.code, error.reason) == ("vault.error", "request.invalid")
    assert map_refusal(httpx.Response(502, text="<html>bad gateway</html>")).code == "vault.error"


class _Script:
    """A fake transport answering from a list: an exception to raise or a response to return."""

    def __init__(self, *steps: object) -> None:
        self.steps = list(steps)
        self.calls = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.calls += 1
        step = self.steps.pop(0)
        if isinstance(step, Exception):
            raise step
        assert isinstance(step, httpx.Response)
        return step


def _http(script: _Script, *, via_proxy: bool = False) -> VaultHttp:
    return VaultHttp(httpx.Client(transport=httpx.MockTransport(script)), via_proxy=via_proxy, sleep=lambda s: None)


def _refused() -> Exception:
    return _caused(httpx.ConnectError("refused"), ConnectionRefusedError(111, "refused"))


def test_post_is_retried_only_when_nothing_was_sent() -> None:
    script = _Script(_refused(), _refused(), httpx.Response(200, json={"access_token": "t"}))
    assert _http(script).post_form("https://v/token", {"a": "b"}) == {"access_token": "t"}
    assert script.calls == 3

    script = _Script(httpx.ReadTimeout("sent, no answer"), httpx.Response(200, json={}))
    with pytest.raises(RegisterServerError) as excinfo:
        _http(script).post_form("https://v/token", {"a": "b"})
    assert excinfo.value.code == "network.timeout" and script.calls == 1


def test_retries_give_up_with_the_mapped_code() -> None:
    script = _Script(_refused(), _refused(), _refused())
    with pytest.raises(RegisterServerError) as excinfo:
        _http(script, via_proxy=True).post_json("https://v/m", {}, token="t")
    assert excinfo.value.code == "proxy.unreachable" and script.calls == 3


def test_proxy_auth_failure_is_not_retried() -> None:
    script = _Script(httpx.ProxyError("407 Proxy Authentication Required"))
    with pytest.raises(RegisterServerError) as excinfo:
        _http(script, via_proxy=True).get("https://v/")
    assert excinfo.value.code == "proxy.auth_required" and script.calls == 1


def test_get_retries_a_busy_gateway() -> None:
    script = _Script(httpx.Response(503), httpx.Response(200, json={"ok": True}))
    assert _http(script).get("https://v/health").status_code == 200 and script.calls == 2


def test_a_success_without_json_is_vault_error() -> None:
    with pytest.raises(RegisterServerError) as excinfo:
        _http(_Script(httpx.Response(200, text="hello"))).post_form("https://v/t", {})
    assert excinfo.value.code == "vault.error"


def test_proxy_choice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://envproxy:3128")
    monkeypatch.setenv("NO_PROXY", "internal.example")
    assert proxy_for(ProxySettings(mode=ProxyMode.NONE), "https://vault.example") is None
    system = proxy_for(ProxySettings(mode=ProxyMode.SYSTEM), "https://vault.example")
    assert system is not None and (system.url.host, system.url.port) == ("envproxy", 3128)
    assert proxy_for(ProxySettings(mode=ProxyMode.SYSTEM), "https://internal.example") is None
    custom = proxy_for(ProxySettings(mode=ProxyMode.CUSTOM, host="http://10.0.0.5", port=8080, username="DOM\\u",
                                     password=Secret("p@ss:word")), "https://vault.example")
    assert custom is not None and (custom.url.host, custom.url.port) == ("10.0.0.5", 8080)
    assert custom.auth == ("DOM\\u", "p@ss:word")
    ipv6 = proxy_for(ProxySettings(mode=ProxyMode.CUSTOM, host="2001:db8::1", port=3128), "https://v")
    assert ipv6 is not None and ipv6.url.host == "2001:db8::1"


def test_tls_context_minimum_and_bad_bundles(tmp_path: Path) -> None:
    assert ssl_context(None).minimum_version == ssl.TLSVersion.TLSv1_2
    assert ssl_context(None).verify_mode == ssl.CERT_REQUIRED
    with pytest.raises(RegisterServerError) as excinfo:
        ssl_context(tmp_path / "missing.pem")
    assert excinfo.value.code == "vault.ca_bundle_unreadable"
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("not a certificate")
    with pytest.raises(RegisterServerError) as excinfo:
        ssl_context(garbage)
    assert excinfo.value.code == "vault.ca_bundle_unreadable"


def test_incomplete_custom_proxy_is_a_settings_error() -> None:
    with pytest.raises(RegisterServerError) as excinfo:
        proxy_for(ProxySettings(mode=ProxyMode.CUSTOM, host="proxy", port=None), "https://v")
    assert excinfo.value.code == "proxy.port_required"
    with pytest.raises(RegisterServerError) as excinfo:
        proxy_for(ProxySettings(mode=ProxyMode.CUSTOM, host=" ", port=3128), "https://v")
    assert excinfo.value.code == "proxy.host_required"


def test_a_proxy_failure_names_the_proxy_and_never_its_credentials() -> None:
    from wizard.net.proxy import proxy_address

    proxy = httpx.Proxy("http://10.0.0.5:3128", auth=("alice", "s3cret-pw"))
    shown = proxy_address(proxy)
    assert shown == "10.0.0.5:3128"
    refused = map_transport_error(httpx.ProxyError("407 Proxy Authentication Required"), via_proxy=True,
                                  target="vault.example:443", proxy=shown)
    assert refused.code == "proxy.auth_required"
    assert refused.detail == "(proxy 10.0.0.5:3128, on the way to the vault at vault.example:443)"
    beyond = map_transport_error(httpx.ReadTimeout("slow"), via_proxy=True, target="vault.example:443", proxy=shown)
    assert beyond.code == "network.timeout" and beyond.detail == "(vault.example:443 through proxy 10.0.0.5:3128)"
    assert "alice" not in refused.message + beyond.message and "s3cret" not in refused.message + beyond.message


def test_windows_with_a_ca_bundle_trusts_the_bundle_and_the_system_store(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """On Windows a private CA from the Backup Vault page is trusted without being in the
    system store (truststore's exclusive-root chain engine is not honoured by Wine 8), and the
    system store stays trusted; a real handshake over loopback, IP-address SAN included."""
    import socket
    import threading

    from wizard.net import tls
    from wizard.vault.pki import VaultPki

    pki = VaultPki.load_or_create(tmp_path)
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.load_cert_chain(pki.server_cert_file, pki.server_key_file)
    loaded: list[object] = []

    def load_windows_stores(context: ssl.SSLContext) -> None:
        loaded.append("windows stores")  # reads the Windows ROOT and CA stores there
        context.load_default_certs()  # this system's store stands in for them

    monkeypatch.setattr(tls.platform, "system", lambda: "Windows")
    monkeypatch.setattr(tls, "load_windows_stores", load_windows_stores)
    tls._cached.cache_clear()
    try:
        context = ssl_context(pki.ca_file)
    finally:
        tls._cached.cache_clear()
    assert type(context) is ssl.SSLContext and loaded == ["windows stores"]
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    assert context.minimum_version == ssl.TLSVersion.TLSv1_2

    with socket.create_server(("127.0.0.1", 0)) as listener:
        def serve() -> None:
            connection, _ = listener.accept()
            with server_context.wrap_socket(connection, server_side=True):
                pass

        thread = threading.Thread(target=serve, daemon=True)
        thread.start()
        with socket.create_connection(listener.getsockname(), timeout=5) as raw:
            with context.wrap_socket(raw, server_hostname="127.0.0.1") as tls_socket:
                assert tls_socket.version() in ("TLSv1.2", "TLSv1.3")
        thread.join(5)
