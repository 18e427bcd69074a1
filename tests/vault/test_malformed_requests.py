"""`vault serve` answers malformed requests with 4xx and keeps serving (the real service, over HTTPS)."""

from __future__ import annotations

import socket
import ssl
from datetime import datetime, timezone

import httpx
import pytest

from wizard.core.credentials import read_credentials
from wizard.core.registration import wire
from wizard.core.registration.protocol import RegistrationClient
from wizard.net.client import VaultHttp, open_client
from wizard.core.model import ProxySettings

pytestmark = pytest.mark.e2e


@pytest.fixture
def client(vault_service) -> httpx.Client:  # type: ignore[no-untyped-def]
    with httpx.Client(base_url=vault_service.url, verify=ssl.create_default_context(cafile=vault_service.ca_file),
                      trust_env=False, timeout=10) as c:
        yield c


@pytest.fixture
def token(vault_service, tmp_path) -> str:  # type: ignore[no-untyped-def]
    credentials = read_credentials(vault_service.issue(vault_service.create_vault(), tmp_path))
    http = VaultHttp(open_client(ProxySettings(), target_url=vault_service.url, ca_bundle=vault_service.ca_file),
                     via_proxy=False)
    with http:
        return RegistrationClient(http).token(credentials, now=datetime.now(timezone.utc))


def _raw(vault_service, head: bytes, body_parts: list[bytes]) -> bytes:  # type: ignore[no-untyped-def]
    """Send a request on a raw TLS socket and return the first bytes of the answer."""
    context = ssl.create_default_context(cafile=str(vault_service.ca_file))
    with socket.create_connection(("127.0.0.1", vault_service.port), timeout=10) as sock:
        with context.wrap_socket(sock, server_hostname="127.0.0.1") as tls:
            tls.sendall(head)
            for part in body_parts:
                tls.sendall(part)
            answer = b""
            while len(answer) < 8192:
                try:
                    chunk = tls.recv(4096)
                except (ssl.SSLError, ConnectionResetError):
                    break
                if not chunk:
                    break
                answer += chunk
            return answer


def _code(response: httpx.Response) -> str:
    return str(response.json()["error"]["code"])


def _still_serving(client: httpx.Client) -> None:
    assert client.get(wire.HEALTH_PATH).json() == {"ok": True}


def test_garbage_json_is_400(client, token) -> None:  # type: ignore[no-untyped-def]
    for body in (b"{not json", b"\xff\xfe\x00garbage", b"[1, 2, 3]", b"null"):
        response = client.post(wire.MACHINES_PATH, content=body, headers={
            "Content-Type": "application/json", "Authorization": f"Bearer {token}"})
        assert (response.status_code, _code(response)) == (400, "request.invalid"), body
    response = client.post(wire.MACHINES_PATH, json={"machine_name": 5}, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 400
    _still_serving(client)


@pytest.mark.parametrize("opening, closing", [(b"[", b"]"), (b'{"a":', b"}")])
def test_deeply_nested_json_is_400_not_a_crash(client, token, opening: bytes, closing: bytes) -> None:  # type: ignore[no-untyped-def]
    depth = (wire.MAX_BODY_BYTES - 16) // (len(opening) + len(closing))
    body = opening * depth + b"1" + closing * depth
    response = client.post(wire.MACHINES_PATH, content=body, headers={
        "Content-Type": "application/json", "Authorization": f"Bearer {token}"})
    assert (response.status_code, _code(response)) == (400, "request.invalid")
    _still_serving(client)


def test_wrong_content_types_are_415(client, token) -> None:  # type: ignore[no-untyped-def]
    response = client.post(wire.MACHINES_PATH, content=b"machine_name=x",
                           headers={"Content-Type": "text/plain", "Authorization": f"Bearer {token}"})
    assert (response.status_code, _code(response)) == (415, "request.unsupported_media_type")
    response = client.post(wire.TOKEN_PATH.format(tenant="x"), json={"grant_type": "client_credentials"})
    assert (response.status_code, _code(response)) == (415, "request.unsupported_media_type")
    _still_serving(client)


def test_unknown_paths_and_methods(client) -> None:  # type: ignore[no-untyped-def]
    assert (client.get("/nothing/here").status_code, _code(client.get("/nothing/here"))) == (404, "request.not_found")
    response = client.delete(wire.HEALTH_PATH)
    assert (response.status_code, _code(response)) == (405, "request.method_not_allowed")
    _still_serving(client)


def test_bad_tokens_and_assertions(client) -> None:  # type: ignore[no-untyped-def]
    response = client.post(wire.MACHINES_PATH, json={}, headers={"Authorization": "Bearer not-a-token"})
    assert (response.status_code, _code(response)) == (401, "auth.invalid_token")
    token_url = wire.TOKEN_PATH.format(tenant="x")
    response = client.post(token_url, data={"grant_type": "password"})
    assert response.status_code == 400
    response = client.post(token_url, data={"grant_type": wire.GRANT_TYPE, "client_assertion_type":
                                            wire.ASSERTION_TYPE, "client_assertion": "a.b.c"})
    assert (response.status_code, _code(response)) == (401, "credentials.invalid")
    _still_serving(client)


def test_100_mb_body_declared_is_refused_before_reading(vault_service, client) -> None:  # type: ignore[no-untyped-def]
    head = (f"POST {wire.MACHINES_PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"Content-Length: {100 * 1024 * 1024}\r\n\r\n").encode()
    answer = _raw(vault_service, head, [])
    assert answer.startswith(b"HTTP/1.1 413"), answer[:80]
    assert b"request.too_large" in answer
    _still_serving(client)


def test_streamed_body_over_the_cap_is_refused_while_reading(vault_service, client) -> None:  # type: ignore[no-untyped-def]
    head = (f"POST {wire.MACHINES_PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            "Transfer-Encoding: chunked\r\n\r\n").encode()
    chunk = b"x" * 16384
    parts = [b"%x\r\n%s\r\n" % (len(chunk), chunk)] * (wire.MAX_BODY_BYTES // len(chunk)) + [b"1\r\nx\r\n"]
    answer = _raw(vault_service, head, parts)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:80]
    _still_serving(client)


def test_httpx_upload_of_100_mb_does_not_take_the_service_down(client) -> None:  # type: ignore[no-untyped-def]
    def body():  # type: ignore[no-untyped-def]
        block = b"0" * (1024 * 1024)
        for _ in range(100):
            yield block

    try:
        response = client.post(wire.MACHINES_PATH, content=body(), headers={"Content-Type": "application/json"})
        assert response.status_code == 413
    except httpx.TransportError:
        pass  # the service closed the connection after its 413, while the client was still sending
    _still_serving(client)


@pytest.mark.parametrize("name", ["server01\n", "server01 ", "server\u202e10", "server\u200b01"])
def test_machine_names_that_are_not_plain_text_are_refused(client, token, name: str) -> None:  # type: ignore[no-untyped-def]
    from wizard.core.registration.protocol import new_machine_key

    response = client.post(wire.MACHINES_PATH, json={
        "machine_name": name, "csr": new_machine_key("server01").csr_pem, "verifier": "x" * 43,
        "agent_version": "1"}, headers={"Authorization": f"Bearer {token}"})
    assert (response.status_code, _code(response)) == (400, "machine.name_invalid"), name


def _csr(key: object) -> str:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.x509.oid import NameOID

    csr = (x509.CertificateSigningRequestBuilder()
           .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "server01")]))
           .sign(key, hashes.SHA256()))  # type: ignore[arg-type]
    return csr.public_bytes(serialization.Encoding.PEM).decode()


def test_the_vault_signs_only_machine_keys_it_can_verify_assertions_with(client, token) -> None:  # type: ignore[no-untyped-def]
    """Machine assertions are ES256: an RSA or P-384 key would register a machine no later call could prove."""
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    for key in (rsa.generate_private_key(public_exponent=65537, key_size=2048), ec.generate_private_key(ec.SECP384R1())):
        response = client.post(wire.MACHINES_PATH, json={
            "machine_name": "server01", "csr": _csr(key), "verifier": "x" * 43, "agent_version": "1"},
            headers={"Authorization": f"Bearer {token}"})
        assert (response.status_code, _code(response)) == (400, "request.invalid"), type(key).__name__
        assert "P-256" in response.json()["error"]["message"]
    response = client.post(wire.MACHINES_PATH, json={
        "machine_name": "server01", "csr": _csr(ec.generate_private_key(ec.SECP256R1())), "verifier": "x" * 43,
        "agent_version": "1"}, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 201, response.text
