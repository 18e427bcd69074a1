"""The vault accepts calls after registration only when signed by that machine's own key, once."""

from __future__ import annotations

import json
import ssl
from datetime import datetime, timezone
from pathlib import Path

import httpx
import pytest

from tests.e2e.helpers import make_settings
from wizard.core.registration import wire
from wizard.registration import run_registration
from wizard.core.registration.machine_identity import machine_assertion
from wizard.core.registration.protocol import new_machine_key

pytestmark = pytest.mark.e2e


@pytest.fixture
def machine(vault_service, secret_service, tmp_path: Path):  # type: ignore[no-untyped-def]
    from wizard.core.secrets.machine_key import load_private_key
    from wizard.core.secrets.store import SecretStore
    from wizard.core.storage import StateStore

    vault = vault_service.create_vault()
    creds = vault_service.issue(vault, tmp_path)
    result = run_registration(make_settings(creds, ca_bundle=vault_service.ca_file, passphrase_dir=tmp_path),
                              home=tmp_path / "home")
    store = StateStore(tmp_path / "home")
    key = load_private_key(store, SecretStore.for_state_dir(store.root))
    return vault, result.machine_id, key


def _delete(vault_service, machine_id: str, authorization: str) -> httpx.Response:  # type: ignore[no-untyped-def]
    url = vault_service.url + wire.MACHINE_PATH.format(machine_id=machine_id)
    with httpx.Client(verify=ssl.create_default_context(cafile=str(vault_service.ca_file))) as client:
        return client.delete(url, headers={"Authorization": authorization})


def test_forged_key_missing_proof_and_replay_are_refused(vault_service, machine) -> None:  # type: ignore[no-untyped-def]
    vault, machine_id, key = machine
    url = vault_service.url + wire.MACHINE_PATH.format(machine_id=machine_id)
    now = datetime.now(timezone.utc)
    forged = machine_assertion(machine_id, new_machine_key("impostor").private_pem, audience=url, now=now)
    assert _delete(vault_service, machine_id, forged).status_code == 401
    assert _delete(vault_service, machine_id, "Bearer nothing").status_code == 401
    elsewhere = machine_assertion(machine_id, key, audience=vault_service.url + "/restapi/machines/other", now=now)
    assert _delete(vault_service, machine_id, elsewhere).status_code == 401
    assert len(vault_service.admin.machines(vault)) == 1

    verifier_url = vault_service.url + wire.VERIFIER_PATH.format(machine_id=machine_id)
    once = machine_assertion(machine_id, key, audience=verifier_url, now=now)
    with httpx.Client(verify=ssl.create_default_context(cafile=str(vault_service.ca_file))) as client:
        body = {"verifier": "A" * 43}
        assert client.put(verifier_url, json=body, headers={"Authorization": once}).status_code == 200
        replay = client.put(verifier_url, json=body, headers={"Authorization": once})
    assert replay.status_code == 401 and json.loads(replay.text)["error"]["code"] == "auth.replayed"

    genuine = machine_assertion(machine_id, key, audience=url, now=now)
    assert _delete(vault_service, machine_id, genuine).status_code == 200
    assert vault_service.admin.machines(vault) == []
