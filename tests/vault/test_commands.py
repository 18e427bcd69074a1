"""The `register-server vault ...` commands against a running service, as a script would drive them."""

from __future__ import annotations

import json
import os
import signal
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from wizard.cli import main
from wizard.core.credentials import read_credentials
from wizard.core.model import ProxySettings
from wizard.core.registration.protocol import RegistrationClient, new_machine_key, passphrase_verifier
from wizard.core.secret import Secret
from wizard.net.client import VaultHttp, open_client

pytestmark = pytest.mark.e2e


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict[str, Any]]:
    code = main(["vault", *argv, "--json"])
    return code, json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def _register(credentials_file: Path, machine: str, vault_service) -> None:  # type: ignore[no-untyped-def]
    credentials = read_credentials(credentials_file)
    http = VaultHttp(open_client(ProxySettings(), target_url=vault_service.url, ca_bundle=vault_service.ca_file),
                     via_proxy=False)
    with http:
        client = RegistrationClient(http)
        token = client.token(credentials, now=datetime.now(timezone.utc))
        client.register(credentials, token, machine_name=machine, csr_pem=new_machine_key(machine).csr_pem,
                        verifier=passphrase_verifier(Secret("x" * 20), resource_id=credentials.resource_id,
                                                     machine_name=machine))


def test_vault_lifecycle_through_the_commands(vault_service, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    data = str(vault_service.data_dir)
    code, created = _run(capsys, "create", "contoso-vault", "--data", data, "--max-machines", "3",
                         "--redundancy", "LRS")
    assert code == 0 and created["redundancy"] == "LRS" and created["max_machines"] == 3
    code, again = _run(capsys, "create", "contoso-vault", "--data", data)
    assert code != 0 and again["error"]["code"] == "vault.exists"

    code, first = _run(capsys, "credentials", "contoso-vault", "--out", str(tmp_path / "a"), "--data", data)
    assert code == 0
    credentials = read_credentials(first["path"])
    assert credentials.vault_name == "contoso-vault"
    assert credentials.token_url.startswith(vault_service.url + "/aad/")
    assert credentials.registration_url == vault_service.url + "/restapi/machines"

    code, changed = _run(capsys, "set-redundancy", "contoso-vault", "ZRS", "--data", data)
    assert code == 0 and changed["redundancy"] == "ZRS"
    _register(Path(first["path"]), "web01", vault_service)
    code, refused = _run(capsys, "set-redundancy", "contoso-vault", "GRS", "--data", data)
    assert code != 0 and refused["error"]["code"] == "vault.redundancy_locked"

    code, listed = _run(capsys, "machines", "contoso-vault", "--data", data)
    assert [m["name"] for m in listed["machines"]] == ["web01"]
    code, removed = _run(capsys, "remove-machine", "contoso-vault", "web01", "--data", data)
    assert code == 0 and removed["removed"] == "web01"
    code, missing = _run(capsys, "remove-machine", "contoso-vault", "web01", "--data", data)
    assert code != 0 and missing["error"]["code"] == "machine.not_found"
    assert _run(capsys, "machines", "contoso-vault", "--data", data)[1]["machines"] == []


def test_unknown_vault_and_invalid_name(vault_service, capsys) -> None:  # type: ignore[no-untyped-def]
    code, answer = _run(capsys, "machines", "no-such-vault", "--data", str(vault_service.data_dir))
    assert code == 6 and answer["error"]["code"] == "vault.not_found"
    code, answer = _run(capsys, "create", "9 bad name", "--data", str(vault_service.data_dir))
    assert code == 2 and answer["error"]["code"] == "request.invalid"


def test_credentials_need_a_running_service_or_url(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    data = str(tmp_path / "data")
    assert _run(capsys, "create", "lonely", "--data", data)[0] == 0
    code, answer = _run(capsys, "credentials", "lonely", "--out", str(tmp_path), "--data", data)
    assert code != 0 and answer["error"]["code"] == "service.not_running"
    code, answer = _run(capsys, "credentials", "lonely", "--out", str(tmp_path), "--data", data,
                        "--url", "https://vault.example.com:8443")
    assert code == 0
    assert read_credentials(answer["path"]).id_mgmt_rest_endpoint == "https://vault.example.com:8443/restapi/"


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_serve_stops_cleanly_on_sigterm_and_ctrl_c(sig, vault_service_factory) -> None:  # type: ignore[no-untyped-def]
    service = vault_service_factory()
    assert (service.data_dir / "service.json").exists()
    assert service.ca_file.read_text().startswith("-----BEGIN CERTIFICATE-----")
    os.kill(service.process.pid, sig)
    assert service.process.wait(timeout=15) == 0
    assert not (service.data_dir / "service.json").exists()
