"""The registration finishes against a proxy that drips: a timeout naming the step, nothing half-done."""

from __future__ import annotations

import pytest

from tests.e2e.helpers import make_settings
from wizard.core.errors import RegisterServerError
from wizard.core.model import ProxyMode, ProxySettings
from wizard.net.deadline import ENV_PROCEDURE, ENV_REQUEST
from wizard.registration import run_registration

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("variable, reason", [(ENV_PROCEDURE, "registration_deadline"),
                                              (ENV_REQUEST, "request_deadline")])
def test_a_dripping_proxy_ends_the_registration_with_a_timeout_naming_the_step(
        vault_service, dripping_proxy, secret_service, tmp_path, monkeypatch,  # type: ignore[no-untyped-def]
        variable: str, reason: str) -> None:
    monkeypatch.setenv(variable, "2")
    vault = vault_service.create_vault()
    creds = vault_service.issue(vault, tmp_path)
    settings = make_settings(creds, ca_bundle=vault_service.ca_file, passphrase_dir=tmp_path,
                             proxy=ProxySettings(mode=ProxyMode.CUSTOM, host="127.0.0.1", port=dripping_proxy))
    with pytest.raises(RegisterServerError) as excinfo:
        run_registration(settings, home=tmp_path / "home")
    assert (excinfo.value.code, excinfo.value.reason) == ("network.timeout", reason)
    assert "At: Connecting to the vault." in str(excinfo.value.detail)
    assert vault_service.admin.machines(vault) == []
    assert not (tmp_path / "home" / "registration.json").exists()
    assert not (tmp_path / "server.passphrase.txt").exists(), "the run's passphrase file is taken back"
