"""A failed run leaves nothing half-done, so a fleet script can simply run the same answer file again.

The network goes away after the passphrase file is written (the proxy is down: the run fails at
*connecting*); the same `generate = true` answer file then registers once the proxy is back, and
exactly one passphrase file exists, holding the passphrase the vault and the keyring hold.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.commands.test_unattended import answer_file, cli, events
from wizard.core.exit_codes import ExitCode

pytestmark = pytest.mark.e2e


def test_a_generate_run_that_lost_the_network_is_retried_with_the_same_answer_file(
        vault_service, auth_proxy, secret_service, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from wizard.core.passphrase_file import read_passphrase_file
    from wizard.core.secrets.store import BACKUP_PASSPHRASE, SecretStore

    vault = vault_service.create_vault()
    creds = vault_service.issue(vault, tmp_path)
    answers = answer_file(tmp_path, creds, vault_service.ca_file, auth_proxy)
    text = answers.read_text()
    assert text.count('passphrase_env = "BACKUP_PASSPHRASE"') == 1
    answers.write_text(text.replace('passphrase_env = "BACKUP_PASSPHRASE"', "generate = true"))
    env = {"PROXY_PASSWORD": auth_proxy.password}
    home = tmp_path / "home"
    secure = tmp_path / "secure"

    auth_proxy.stop()
    failed = cli("register", "--answers", str(answers), "--json", "--home", str(home), env=env)
    assert failed.returncode == ExitCode.NETWORK, failed.stderr + failed.stdout
    steps = [e["step"] for e in events(failed.stdout) if e["event"] == "progress"]
    assert steps[-2:] == ["saving_passphrase", "connecting"]  # the file was written, then the network failed
    error = events(failed.stdout)[-1]["error"]
    assert error["code"] == "proxy.unreachable"
    # The proxy that failed is named (not the vault behind it), and the step it failed at.
    assert f"proxy 127.0.0.1:{auth_proxy.port}, on the way to the vault at 127.0.0.1:{vault_service.port}" \
        in error["message"] and error["message"].endswith("At: Connecting to the vault.")
    assert list(secure.iterdir()) == []                       # ... and taken back
    assert not (tmp_path / "recovery" / "new").exists()       # so was the recovery folder it made
    assert SecretStore.for_state_dir(home).get(BACKUP_PASSPHRASE) is None

    auth_proxy.start_again()
    done = cli("register", "--answers", str(answers), "--json", "--home", str(home), env=env)
    assert done.returncode == 0, done.stderr + done.stdout
    assert events(done.stdout)[-1]["ok"] is True
    files = list(secure.iterdir())
    assert [f.name for f in files] == ["server01.passphrase.txt"]
    in_file = read_passphrase_file(files[0])
    assert SecretStore.for_state_dir(home).get(BACKUP_PASSPHRASE) == in_file

    # The vault holds that passphrase's verifier: registering again with it is accepted.
    again = answers.read_text().replace("generate = true", 'passphrase_env = "FROM_FILE"')
    answers.write_text(again)
    proof = cli("register", "--answers", str(answers), "--json", "--home", str(home),
                env={**env, "FROM_FILE": in_file.reveal()})
    assert proof.returncode == 0, proof.stderr + proof.stdout
    assert json.loads(proof.stdout.splitlines()[-1])["re_registration"] is True
