"""`register-server diagnostics`: what goes in, what never does, and the redaction rules."""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path
from typing import Any

import pytest

from tests.support.leak_scan import find_leaks
from wizard.cli import main
from wizard.core.secret import Secret
from wizard.core.secrets import SecretStore
from wizard.core.secrets.redact import REDACTED, is_secret_key, redact_document, redact_text
from wizard.core.storage import StateStore

PASSPHRASE = "diagnostics passphrase 0123456789"


@pytest.fixture(autouse=True)
def _stop_logging_after() -> Any:
    """`main()` sets up file logging in the test's state directory; take it down again."""
    from wizard.core.logs import stop_logging

    yield
    stop_logging()

PROXY_PASSWORD = "Diag-proxy-Pa55"


def _populate(home: Path) -> StateStore:
    store = StateStore(home)
    store.save_registration({
        "vault": {"name": "contoso", "resource_id": "r-1"},
        "machine": {"id": "m-1", "name": "SRV01"},
        "settings": {"proxy": {"host": "proxy.contoso.com", "port": 3128, "username": "bob",
                               "password": "keyring:proxy-password", "password_ref": "keyring:proxy-password"},
                     "encryption": {"passphrase_file": "/media/usb/srv01.txt"}},
        "access_token": "eyJhbGciOi.secret-token.value",
    })
    store.save_json("machine-key.json", {"format": "x", "key_id": "abc", "pem": "-----BEGIN ENCRYPTED..."})
    (home / "machine-cert.pem").write_text("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")
    (home / "stray.key").write_text("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
    logs = home / "logs"
    logs.mkdir()
    (logs / "register-server.log").write_text(
        "INFO connecting via http://bob:" + PROXY_PASSWORD + "@proxy:3128\n"
        "DEBUG a library dumped base64 " + __import__("base64").b64encode(PASSPHRASE.encode()).decode() + "\n"
        "DEBUG Proxy-Authorization: Basic Ym9iOnBhc3M=\n")
    (logs / "register-server.log.1").write_text("older line with passphrase=" + PASSPHRASE + "\n")
    return store


def _bundle(tmp_path: Path, home: Path, *extra: str) -> tuple[int, Path]:
    out = tmp_path / "out" / "diag.zip"
    out.parent.mkdir(exist_ok=True)
    code = main(["diagnostics", "--out", str(out), "--home", str(home), *extra])
    return code, out


def test_bundle_contents_and_no_secrets(secret_service, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    home = tmp_path / "home"
    _populate(home)
    keyring = SecretStore.for_state_dir(home)
    keyring.set("backup-passphrase", Secret(PASSPHRASE))
    keyring.set("proxy-password", Secret(PROXY_PASSWORD))
    code, out = _bundle(tmp_path, home, "--json")
    assert code == 0
    result = json.loads(capsys.readouterr().out)
    assert result["ok"] and sorted(result["left_out"]) == ["machine-key.json", "stray.key"]
    with zipfile.ZipFile(out) as archive:
        names = sorted(archive.namelist())
        assert names == ["facts.json", "state/logs/register-server.log", "state/logs/register-server.log.1",
                         "state/machine-cert.pem", "state/registration.json"]
        facts = json.loads(archive.read("facts.json"))
        registration = json.loads(archive.read("state/registration.json"))
        log_text = archive.read("state/logs/register-server.log").decode()
    assert facts["keyring"]["usable"] is True and "SecretService" in facts["keyring"]["backend"]
    assert facts["python"]["version"] and facts["os"]["system"] and facts["packages"]["keyring"]
    assert {f["name"] for f in facts["state_files"]} >= {"machine-key.json", "stray.key", "registration.json"}
    assert registration["access_token"] == REDACTED
    assert registration["settings"]["proxy"]["password_ref"] == "keyring:proxy-password"  # a reference, kept
    assert registration["settings"]["encryption"]["passphrase_file"] == "/media/usb/srv01.txt"
    assert "proxy.contoso.com" in json.dumps(registration)
    assert "connecting via http://bob:<redacted>@proxy:3128" in log_text
    assert find_leaks([PASSPHRASE, PROXY_PASSWORD, "secret-token.value", "Ym9iOnBhc3M="], [out]) == []
    if os.name == "posix":  # the bundle is owner-only, like everything else we write
        assert out.stat().st_mode & 0o777 == 0o600


def test_without_keyring_still_works_and_pattern_redaction_applies(no_keyring, tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    home = tmp_path / "home"
    _populate(home)
    code, out = _bundle(tmp_path, home)
    assert code == 0 and "secrets removed" in capsys.readouterr().out
    with zipfile.ZipFile(out) as archive:
        facts = json.loads(archive.read("facts.json"))
        older = archive.read("state/logs/register-server.log.1").decode()
    assert facts["keyring"]["usable"] is False
    assert older == f"older line with passphrase={REDACTED}\n"
    # Without the keyring the known values cannot be looked up, but URL passwords still go.
    assert find_leaks([PROXY_PASSWORD], [out]) == []


def test_new_home_gives_facts_and_this_run_s_log(no_keyring, tmp_path: Path) -> None:
    code, out = _bundle(tmp_path, tmp_path / "never-used")
    assert code == 0
    with zipfile.ZipFile(out) as archive:
        assert sorted(archive.namelist()) == ["facts.json", "state/logs/register-server.log"]
        assert "started: diagnostics" in archive.read("state/logs/register-server.log").decode()


def test_global_home_option_is_honoured(no_keyring, tmp_path: Path) -> None:
    home = tmp_path / "home"
    _populate(home)
    out = tmp_path / "g.zip"
    assert main(["--home", str(home), "diagnostics", "--out", str(out)]) == 0
    with zipfile.ZipFile(out) as archive:
        assert "state/registration.json" in archive.namelist()


@pytest.mark.parametrize("text,expected", [
    ("https://user:p%40ss@host/", f"https://user:{REDACTED}@host/"),
    ("Authorization: Bearer abc.def", f"Authorization: {REDACTED}"),
    ("PASSPHRASE: my words here", f"PASSPHRASE: {REDACTED}"),
    ('token = "abc def"', f"token = {REDACTED}"),
    ("password=two words, and more\nnext line", f"password={REDACTED}\nnext line"),
    ("-----BEGIN EC PRIVATE KEY-----\nMHc\n-----END EC PRIVATE KEY-----", f"-----PRIVATE KEY {REDACTED}-----"),
    ("nothing secret at all", "nothing secret at all"),
])
def test_pattern_redaction(text: str, expected: str) -> None:
    assert redact_text(text) == expected


def test_known_values_go_in_every_form() -> None:
    import base64

    value = "known-secret-value-42"
    text = f"{value} {value.encode().hex()} {base64.b64encode(b'xx' + value.encode()).decode()}"
    assert find_leaks([value], [], [redact_text(text, [value])]) == []


def test_key_names() -> None:
    assert all(is_secret_key(k) for k in ("password", "proxyPassword", "passphrase", "client_secret", "token",
                                          "private_key", "Authorization"))
    assert not any(is_secret_key(k) for k in ("passphrase_file", "password_ref", "username", "host", "vault"))
    assert redact_document({"a": [{"secret": "x"}], "password": None}) == {"a": [{"secret": REDACTED}],
                                                                           "password": None}


def test_unwritable_out_is_a_clear_error(no_keyring, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from wizard.core.errors import info

    code = main(["diagnostics", "--out", str(tmp_path / "missing" / "d.zip"), "--home", str(tmp_path / "h"),
                 "--json"])
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert result["error"]["code"] == "diagnostics.write_failed" and result["error"]["reason"] == "folder_missing"
    assert code == int(info("diagnostics.write_failed").exit_code)
    assert not (tmp_path / "missing").exists()
