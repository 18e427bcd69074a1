"""Unattended registration end to end: the `register-server` process, a real vault over HTTPS,
a real tinyproxy with basic auth, the real Secret Service, answer files as operators write them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.core.test_answers import SAMPLE
from wizard.core.exit_codes import ExitCode

pytestmark = pytest.mark.e2e

PASSPHRASE = "fleet passphrase for server01!"


def answer_file(tmp_path: Path, creds: Path, ca: Path, proxy, *, name: str = "server01",  # type: ignore[no-untyped-def]
                extra: str = "", passphrase_to: str = "server01.passphrase.txt") -> Path:
    """The README's sample answer file as written, with only its example values swapped for this
    test's paths, port and names: every other line (modes, comments, throttling, create = true,
    the secret sources) is the published text, so the sample itself is what registers here."""
    (tmp_path / "recovery").mkdir(exist_ok=True)
    (tmp_path / "secure").mkdir(exist_ok=True)
    text = SAMPLE
    for example, value in [
        ('name = "server01"', f'name = "{name}"'),
        ("port = 3128", f"port = {proxy.port}"),
        ('username = "alice"', f'username = "{proxy.username}"'),
        ("/path/to/demo_Tue Nov 24 2026.VaultCredentials", str(creds)),
        ("/path/to/ca.pem", str(ca)),
        ("/var/tmp/recovery", str(tmp_path / "recovery" / "new")),
        ("/mnt/secure/server01.passphrase.txt", str(tmp_path / "secure" / passphrase_to)),
    ]:
        assert text.count(example) == 1, f"the README sample no longer holds {example!r}"
        text = text.replace(example, value)
    path = tmp_path / f"{name}.toml"
    path.write_text(text + extra)
    return path


def cli(*args: str, env: dict[str, str] | None = None, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "wizard", *args], capture_output=True, text=True, env=full_env,
                          input=stdin, timeout=120)


def events(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.strip()]


@pytest.fixture
def setup(vault_service, auth_proxy, secret_service, tmp_path):  # type: ignore[no-untyped-def]
    vault = vault_service.create_vault()
    creds = vault_service.issue(vault, tmp_path)
    env = {"PROXY_PASSWORD": auth_proxy.password, "BACKUP_PASSPHRASE": PASSPHRASE}
    return vault, creds, env


def test_sample_answer_file_registers_and_status_reports_it(setup, vault_service, auth_proxy, tmp_path) -> None:  # type: ignore[no-untyped-def]
    vault, creds, env = setup
    answers = answer_file(tmp_path, creds, vault_service.ca_file, auth_proxy)
    home = str(tmp_path / "home")
    done = cli("register", "--answers", str(answers), "--json", "--home", home, env=env)
    assert done.returncode == 0, done.stderr + done.stdout
    lines = events(done.stdout)
    assert [e["step"] for e in lines if e["event"] == "progress"] == [
        "checking_credentials", "preparing_recovery_folder", "saving_passphrase", "connecting", "authenticating",
        "registering", "saving"]
    result = lines[-1]
    assert result["event"] == "result" and result["ok"] and result["vault"] == vault
    assert (tmp_path / "recovery" / "new").is_dir()
    assert PASSPHRASE in (tmp_path / "secure" / "server01.passphrase.txt").read_text()

    status = cli("status", "--json", "--home", home)
    assert status.returncode == 0
    info = json.loads(status.stdout)
    assert info["registered"] and info["vault"]["name"] == vault and info["machine"]["id"] == result["machine_id"]
    assert PASSPHRASE not in status.stdout and auth_proxy.password not in status.stdout
    saved = info["settings"]  # every field of the sample arrived
    assert info["machine"]["name"] == "server01"
    assert saved["proxy"] == {"mode": "custom", "host": "127.0.0.1", "port": auth_proxy.port,
                              "username": auth_proxy.username, "password": "keyring:proxy-password"}
    assert saved["vault_ca_bundle"] == str(vault_service.ca_file)
    assert saved["throttling"] == {"enabled": True, "work_days": ["monday", "tuesday", "wednesday", "thursday",
                                                                  "friday"],
                                   "work_start": "09:00", "work_end": "18:00", "work_bandwidth_bps": 2 * 1024 ** 2,
                                   "non_work_bandwidth_bps": 100 * 1024 ** 2}
    assert saved["recovery"]["path"] == str(tmp_path / "recovery" / "new")
    assert saved["encryption"]["passphrase_file"] == str(tmp_path / "secure" / "server01.passphrase.txt")
    human = cli("status", "--home", home)
    assert f"Vault:           {vault}" in human.stdout and "2 Mbps during 09:00-18:00 on Mon, Tue, Wed, Thu, Fri; 100 Mbps otherwise" in human.stdout


def test_second_register_is_a_re_registration_never_a_duplicate(setup, vault_service, auth_proxy, tmp_path) -> None:  # type: ignore[no-untyped-def]
    vault, creds, env = setup
    home = str(tmp_path / "home")
    first = cli("register", "--answers", str(answer_file(tmp_path, creds, vault_service.ca_file, auth_proxy)),
                "--json", "--home", home, env=env)
    assert first.returncode == 0, first.stderr
    again = cli("register", "--answers", str(answer_file(tmp_path, creds, vault_service.ca_file, auth_proxy)),
                "--home", home, env=env)
    assert again.returncode == 0, again.stderr
    assert "Re-registered server01" in again.stdout
    assert [m.name for m in vault_service.admin.machines(vault)] == ["server01"]

    other = cli("register", "--answers", str(answer_file(tmp_path, creds, vault_service.ca_file, auth_proxy,
                                                         passphrase_to="other.txt")),
                "--json", "--home", home, env={**env, "BACKUP_PASSPHRASE": "not the first passphrase!!"})
    assert other.returncode == ExitCode.VAULT_REFUSED
    assert events(other.stdout)[-1]["error"]["code"] == "passphrase.mismatch"


def test_invalid_fields_are_listed_with_codes_and_exit_3(setup, vault_service, auth_proxy, tmp_path) -> None:  # type: ignore[no-untyped-def]
    _, creds, env = setup
    answers = answer_file(tmp_path, creds, vault_service.ca_file, auth_proxy)
    text = answers.read_text().replace('work_bandwidth = "2 Mbps"', 'work_bandwidth = "511 Kbps"')
    text = text.replace(f"port = {auth_proxy.port}", "port = 70000")
    answers.write_text(text)
    done = cli("register", "--answers", str(answers), "--json", "--home", str(tmp_path / "h"), env=env)
    assert done.returncode == ExitCode.INVALID_SETTINGS
    result = events(done.stdout)[-1]
    assert [(i["field"], i["code"]) for i in result["issues"]] == [
        ("proxy.port", "proxy.port_range"), ("throttling.work_bandwidth", "throttling.bandwidth_range")]
    assert all(i["fix"] for i in result["issues"])
    human = cli("register", "--answers", str(answers), "--home", str(tmp_path / "h"), env=env)
    assert human.returncode == ExitCode.INVALID_SETTINGS
    assert "proxy.port: proxy.port_range" in human.stderr and "Traceback" not in human.stderr


def test_malformed_and_unknown_keys_are_reported_not_tracebacks(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[proxy]\nmode = "custom"\nhots = "x"\n')
    done = cli("register", "--answers", str(bad), "--home", str(tmp_path / "h"))
    assert done.returncode == ExitCode.INVALID_SETTINGS
    assert "answers.unknown_key" in done.stderr and "line 3" in done.stderr and "Traceback" not in done.stderr
    bad.write_text("[proxy\n")
    done = cli("register", "--answers", str(bad), "--json", "--home", str(tmp_path / "h"))
    assert done.returncode == ExitCode.INVALID_SETTINGS
    assert events(done.stdout)[-1]["error"]["code"] == "answers.malformed"
    missing = cli("register", "--answers", str(tmp_path / "nope.toml"), "--home", str(tmp_path / "h"))
    assert missing.returncode == ExitCode.INVALID_SETTINGS and "answers.unreadable" in missing.stderr


def test_missing_secret_is_named_and_never_prompted_without_a_terminal(setup, vault_service, auth_proxy, tmp_path) -> None:  # type: ignore[no-untyped-def]
    _, creds, env = setup
    answers = answer_file(tmp_path, creds, vault_service.ca_file, auth_proxy)
    done = cli("register", "--answers", str(answers), "--home", str(tmp_path / "h"),
               env={"PROXY_PASSWORD": env["PROXY_PASSWORD"], "BACKUP_PASSPHRASE": ""}, stdin="")
    assert done.returncode == ExitCode.SECRETS
    assert "secrets.missing" in done.stderr and "BACKUP_PASSPHRASE" in done.stderr


def test_dry_run_checks_the_way_and_registers_nothing(setup, vault_service, auth_proxy, tmp_path) -> None:  # type: ignore[no-untyped-def]
    vault, creds, env = setup
    answers = answer_file(tmp_path, creds, vault_service.ca_file, auth_proxy)
    done = cli("register", "--answers", str(answers), "--dry-run", "--json", "--home", str(tmp_path / "h"), env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    checks = [e["step"] for e in events(done.stdout) if e["event"] == "check"]
    assert checks == ["proxy_choice", "dns", "tcp", "proxy", "tls", "token_endpoint"]
    assert vault_service.admin.machines(vault) == []
    wrong = cli("register", "--answers", str(answers), "--dry-run", "--json", "--home", str(tmp_path / "h"),
                env={**env, "PROXY_PASSWORD": "wrong-password"})
    assert wrong.returncode == ExitCode.NETWORK
    assert events(wrong.stdout)[-1]["error"]["code"] == "proxy.auth_required"


def test_status_when_not_registered(tmp_path: Path) -> None:
    done = cli("status", "--json", "--home", str(tmp_path / "empty"))
    assert done.returncode == ExitCode.LOCAL_STATE
    assert json.loads(done.stdout)["registered"] is False


def test_every_problem_is_reported_in_one_pass_rules_and_disk_alike(tmp_path: Path) -> None:
    """A short passphrase must not hide a missing CA file, recovery folder or passphrase folder: the
    operator fixes the file once (README: every problem at once)."""
    answers = tmp_path / "fleet.toml"
    answers.write_text(f'''\
[vault]
credentials_file = "{tmp_path / 'x.VaultCredentials'}"
ca_bundle = "{tmp_path / 'no-ca.pem'}"
[recovery]
folder = "{tmp_path / 'no-recovery'}"
create = false
[encryption]
passphrase_env = "BACKUP_PASSPHRASE"
save_passphrase_to = "{tmp_path / 'no-dir' / 'p.txt'}"
''')
    done = cli("register", "--answers", str(answers), "--json", "--home", str(tmp_path / "h"),
               env={"BACKUP_PASSPHRASE": "too short"})
    assert done.returncode == ExitCode.INVALID_SETTINGS
    assert [(i["field"], i["code"]) for i in events(done.stdout)[-1]["issues"]] == [
        ("encryption.passphrase", "passphrase.too_short"), ("vault.ca_bundle", "vault.ca_bundle_unreadable"),
        ("recovery.folder", "recovery.folder_missing"), ("encryption.save_passphrase_to", "encryption.save_dir_missing")]


def test_five_independent_problems_are_reported_at_once_each_with_its_line(
        setup, vault_service, auth_proxy, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """One problem of each kind — the file's shape, a secret, a rule, the disk — in one run."""
    _, creds, env = setup
    answers = answer_file(tmp_path, creds, vault_service.ca_file, auth_proxy)
    blocker = tmp_path / "recovery-is-a-file"
    blocker.write_text("x")
    text = answers.read_text()
    for old, new in [(f"port = {auth_proxy.port}", "port = 70000"),                       # a rule
                     ('work_bandwidth = "2 Mbps"', 'work_bandwidth = "fast"'),            # a value's shape
                     (str(tmp_path / "recovery" / "new"), str(blocker)),                  # the disk
                     ("[machine]", "[machine]\ncolour = \"blue\"")]:                      # an unknown key
        assert old in text
        text = text.replace(old, new)
    answers.write_text(text)
    lines = text.splitlines()

    def line_of(snippet: str) -> int:
        return next(n for n, line in enumerate(lines, start=1) if snippet in line)

    done = cli("register", "--answers", str(answers), "--json", "--home", str(tmp_path / "h"),
               env={**env, "BACKUP_PASSPHRASE": ""}, stdin="")                            # a secret
    assert done.returncode != 0
    result = events(done.stdout)[-1]
    found = {i["field"]: i for i in result["issues"]}
    assert sorted(found) == ["encryption.passphrase", "machine.colour", "proxy.port", "recovery.folder",
                             "throttling.work_bandwidth"], result
    assert found["machine.colour"]["code"] == "answers.unknown_key"
    assert found["proxy.port"]["code"] == "proxy.port_range"
    assert found["throttling.work_bandwidth"]["code"] == "throttling.bandwidth_format"
    assert found["recovery.folder"]["code"] == "recovery.folder_is_file"
    assert found["encryption.passphrase"]["code"] == "secrets.missing"
    for field, snippet in [("machine.colour", "colour ="), ("proxy.port", "port = 70000"),
                           ("throttling.work_bandwidth", 'work_bandwidth = "fast"'),
                           ("recovery.folder", str(blocker)), ("encryption.passphrase", "passphrase_env")]:
        assert f"(line {line_of(snippet)})" in found[field]["message"], (field, found[field]["message"])
    assert not (tmp_path / "secure" / "server01.passphrase.txt").exists()


def test_settings_and_register_print_one_error_shape(setup, vault_service, auth_proxy, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A fleet script parses one shape whatever it ran: ok, error{code,reason,message,fix}, issues."""
    _, creds, env = setup
    answers = answer_file(tmp_path, creds, vault_service.ca_file, auth_proxy)
    answers.write_text(answers.read_text().replace(f"port = {auth_proxy.port}", "port = 70000"))
    registered = events(cli("register", "--answers", str(answers), "--json", "--home", str(tmp_path / "h"),
                            env=env).stdout)[-1]
    changed = events(cli("settings", "--answers", str(answers), "--json", "--home", str(tmp_path / "h"),
                         env=env).stdout)[-1]
    for payload in (registered, changed):
        assert payload["ok"] is False
        assert set(payload["error"]) == {"code", "reason", "message", "fix",
                                         "language", "localized_message", "localized_fix"}
        assert all(set(i) == {"field", "code", "message", "fix", "localized_message", "localized_fix"}
                   for i in payload["issues"])
    assert set(registered) - {"event"} == set(changed)
