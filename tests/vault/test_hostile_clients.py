"""`vault serve` stays up for legitimate machines while hostile clients hold connections open.

The service runs with a low descriptor limit (128) so "hundreds" is more than it could ever
hold: TCP connections that never start TLS, TLS connections that then say nothing, requests
whose head or body trickles in. A real registration must still succeed while they are all
open, and the service's log must stay small.
"""

from __future__ import annotations

import os
import socket
import ssl
from datetime import datetime, timezone
from pathlib import Path

import pytest

from wizard.core.credentials import read_credentials
from wizard.core.model import ProxySettings
from wizard.core.registration import wire
from wizard.core.registration.protocol import RegistrationClient, new_machine_key, passphrase_verifier
from wizard.core.secret import Secret
from wizard.net.client import VaultHttp, open_client
from wizard.vault.guard import ENV_BODY, ENV_HEAD, RESERVED_DESCRIPTORS

pytestmark = pytest.mark.e2e

DESCRIPTOR_LIMIT = 128


def _register(service, tmp_path: Path, machine_name: str) -> str:  # type: ignore[no-untyped-def]
    credentials = read_credentials(service.issue(service.create_vault(), tmp_path))
    client = open_client(ProxySettings(), target_url=service.url, ca_bundle=service.ca_file)
    with VaultHttp(client, via_proxy=False) as http:
        registration = RegistrationClient(http)
        token = registration.token(credentials, now=datetime.now(timezone.utc))
        verifier = passphrase_verifier(Secret("a passphrase of sixteen+"), resource_id=credentials.resource_id,
                                       machine_name=machine_name)
        machine = registration.register(credentials, token, machine_name=machine_name,
                                        csr_pem=new_machine_key(machine_name).csr_pem, verifier=verifier)
    return machine.machine_id


def _open(service, kind: str) -> socket.socket | None:  # type: ignore[no-untyped-def]
    """One hostile connection of `kind`; None when the vault already closed it (it may evict)."""
    raw = socket.create_connection(("127.0.0.1", service.port), timeout=5)
    if kind == "tcp":
        return raw
    context = ssl.create_default_context(cafile=str(service.ca_file))
    try:
        tls = context.wrap_socket(raw, server_hostname="127.0.0.1")
        if kind == "head":
            tls.sendall(b"POST " + wire.MACHINES_PATH.encode() + b" HTTP/1.1\r\nHost: vault\r\nX-Drip: ")
        elif kind == "body":
            tls.sendall(b"POST " + wire.MACHINES_PATH.encode() + b" HTTP/1.1\r\nHost: vault\r\n"
                        b"Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"machine")
        return tls
    except (OSError, ssl.SSLError):
        raw.close()
        return None


def _open_descriptors(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def test_hundreds_of_silent_and_trickling_connections_do_not_lock_machines_out(
        vault_service_factory, tmp_path) -> None:  # type: ignore[no-untyped-def]
    log = tmp_path / "vault.log"
    service = vault_service_factory(descriptor_limit=DESCRIPTOR_LIMIT, stderr_file=log)
    hostile: list[socket.socket] = []
    try:
        for kind in ("tcp", "tls", "head", "body") * 50:  # 200 connections, far over the limit
            sock = _open(service, kind)
            if sock is not None:
                hostile.append(sock)
        held = _open_descriptors(service.process.pid)
        assert _register(service, tmp_path, "steady-01")
        # Still holding them all (those the vault did not evict), a second machine registers.
        for kind in ("tls", "head") * 20:
            sock = _open(service, kind)
            if sock is not None:
                hostile.append(sock)
        assert _register(service, tmp_path, "steady-02")
    finally:
        for sock in hostile:
            sock.close()
    assert held <= DESCRIPTOR_LIMIT
    assert held >= DESCRIPTOR_LIMIT - RESERVED_DESCRIPTORS - 16, "the vault should hold up to its cap"
    assert service.running
    service.stop()
    assert log.stat().st_size < 20_000, log.read_text(errors="replace")[-3000:]


def test_a_silent_connection_is_closed_at_its_head_deadline(vault_service_factory) -> None:  # type: ignore[no-untyped-def]
    service = vault_service_factory(env={ENV_HEAD: "1", ENV_BODY: "1"})
    opened = {kind: _open(service, kind) for kind in ("tcp", "tls", "head", "body")}
    for kind, sock in opened.items():
        assert sock is not None
        with sock:
            sock.settimeout(30)
            try:
                assert sock.recv(100) == b"", kind  # closed by the vault, without an answer
            except (ConnectionResetError, ssl.SSLError):
                pass
