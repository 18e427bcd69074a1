"""The command line speaks the administrator's language; codes, exit codes and JSON fields do not change.

The real CLI runs as a subprocess (REGISTER_SERVER_LANG is read at start, as in production).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from wizard.commands._output import report_error
from wizard.core import i18n
from wizard.core.answers import InvalidAnswers
from wizard.core.errors import info
from wizard.core.issues import issue

ROOT = Path(__file__).resolve().parents[2]


def _cli(*args: str, language: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {**os.environ, "REGISTER_SERVER_LANG": language, **env}
    return subprocess.run([sys.executable, "-m", "wizard", *args], cwd=ROOT, env=environ,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def garbage(tmp_path: Path) -> Path:
    path = tmp_path / "contoso-vault_Tue Nov 24 2026.VaultCredentials"
    path.write_bytes(bytes(range(256)) * 4)
    return path


def test_german_message_same_code_and_exit_code(garbage: Path) -> None:
    english = _cli("check-credentials", str(garbage), language="en")
    german = _cli("check-credentials", str(garbage), language="de")
    entry = info("credentials.invalid")
    assert english.returncode == german.returncode == int(entry.exit_code) == 4
    assert "error: credentials.invalid (not_xml): " + entry.message_in("en") in english.stderr
    assert "Fehler: credentials.invalid (not_xml): Die Tresoranmeldeinformationsdatei ist ungültig." in german.stderr
    assert "Was zu tun ist: " + entry.fix_in("de") in german.stderr
    assert "It is not UTF-8 text." in english.stderr and "Sie ist kein UTF-8-Text." in german.stderr  # the detail too
    assert entry.message_in("en") not in german.stderr and "Traceback" not in german.stderr


def test_system_locale_is_followed_when_the_variable_is_unset(garbage: Path) -> None:
    german = _cli("check-credentials", str(garbage), language="", LC_ALL="", LC_MESSAGES="", LANG="de_DE.UTF-8")
    assert german.returncode == 4 and "Fehler: credentials.invalid" in german.stderr


def test_json_keeps_fields_and_english_text_and_adds_the_translation(garbage: Path) -> None:
    english = json.loads(_cli("check-credentials", str(garbage), "--json", language="en").stdout)
    german = json.loads(_cli("check-credentials", str(garbage), "--json", language="de").stdout)
    assert english.keys() == german.keys() and english["error"].keys() == german["error"].keys()
    for field in ("code", "reason", "message", "fix"):
        assert german["error"][field] == english["error"][field]
    assert (english["error"]["language"], german["error"]["language"]) == ("en", "de")
    assert german["error"]["message"].endswith(" It is not UTF-8 text.")
    assert german["error"]["localized_message"] == info("credentials.invalid").message_in("de") + \
        " Sie ist kein UTF-8-Text."
    assert german["error"]["localized_fix"] == info("credentials.invalid").fix_in("de")
    assert english["error"]["localized_message"] == english["error"]["message"]


def test_settings_problems_use_the_plural_rule_and_localized_issues(capsys: pytest.CaptureFixture[str]) -> None:
    problems = [issue("proxy.port", "proxy.port_range"), issue("passphrase", "passphrase.too_short")]
    try:
        i18n.set_language("de")
        report_error(InvalidAnswers(problems), as_json=False)
        err = capsys.readouterr().err
        assert err.startswith("Fehler: 2 Probleme in den Einstellungen:\n")
        assert "  proxy.port: proxy.port_range: Der Proxyport muss eine ganze Zahl von 1 bis 65535 sein.\n" in err
        report_error(InvalidAnswers(problems[:1]), as_json=False)
        assert capsys.readouterr().err.startswith("Fehler: 1 Problem in den Einstellungen:\n")
        report_error(InvalidAnswers(problems), as_json=True)
        payload = json.loads(capsys.readouterr().out)
    finally:
        i18n.set_language("en")
    first = payload["issues"][0]
    assert (first["field"], first["code"]) == ("proxy.port", "proxy.port_range")
    assert first["message"] == info("proxy.port_range").message_in("en")
    assert first["localized_message"] == info("proxy.port_range").message_in("de")




def test_a_superseded_file_warns_in_german(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from datetime import timedelta

    from tests.core.credentials.conftest import NOW, VAULT
    from wizard.cli import main
    from wizard.core.credentials import issue_credentials, write_credentials_file

    older = write_credentials_file(issue_credentials(**VAULT, now=NOW), tmp_path)
    newer = write_credentials_file(issue_credentials(**VAULT, now=NOW + timedelta(minutes=2)), tmp_path)
    at = (NOW + timedelta(minutes=48)).isoformat()
    superseded = info("credentials.superseded")
    try:
        i18n.set_language("de")
        assert main(["check-credentials", str(older), "--at", at]) == 0
        err = capsys.readouterr().err
        assert main(["check-credentials", str(older), "--json", "--at", at]) == 0
        warning = json.loads(capsys.readouterr().out)["warnings"][0]
    finally:
        i18n.set_language("en")
    assert f"Warnung: {superseded.message_in('de')}\n  neuere Datei: {newer}\n  Was zu tun ist: " in err
    assert (warning["message"], warning["localized_message"]) == (superseded.message_in("en"),
                                                                  superseded.message_in("de"))


def test_help_and_usage_errors_in_german_with_the_same_exit_code() -> None:
    """argparse's own words and ours: the German help has no English left in its frame, and a
    missing option is the same usage error (exit 2) in both languages."""
    german = _cli("--help", language="de")
    assert german.returncode == 0
    shown = " ".join(german.stdout.split())  # argparse wraps lines at the terminal's width
    for text in ("Aufruf: register-server", "Optionen:", "diese Hilfe anzeigen und beenden", "Exitcodes:",
                 "den Assistenten mit den Werten einer Antwortdatei öffnen", "Vom Benutzer abgebrochen."):
        assert text in shown
    for text in ("usage:", "options:", "show this help message", "exit codes:", "Cancelled by the user."):
        assert text not in shown
    sub = _cli("check-credentials", "--help", language="de")
    assert "die vom Tresor heruntergeladene .VaultCredentials-Datei" in sub.stdout and "--json" in sub.stdout
    english = _cli("register", language="en")
    german = _cli("register", language="de")
    assert english.returncode == german.returncode == 2
    assert "the following arguments are required: --answers" in english.stderr
    assert "Fehler: folgende Argumente sind erforderlich: --answers" in german.stderr


def test_a_valid_file_is_described_in_german_with_local_dates(tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    from datetime import timedelta

    from tests.core.credentials.conftest import NOW, VAULT
    from wizard.cli import main
    from wizard.core.credentials import issue_credentials, write_credentials_file

    path = write_credentials_file(issue_credentials(**VAULT, now=NOW), tmp_path)
    at = (NOW + timedelta(minutes=48)).isoformat()
    try:
        i18n.set_language("de")
        assert main(["check-credentials", str(path), "--at", at]) == 0
        german = capsys.readouterr().out
    finally:
        i18n.set_language("en")
    assert main(["check-credentials", str(path), "--at", at]) == 0
    english = capsys.readouterr().out
    start = NOW - timedelta(minutes=10)
    assert german.startswith("Gültige Tresoranmeldeinformationsdatei (Format 2.0): ")
    assert f"  Gültig:         {start:%d.%m.%Y, %H:%M:%S} UTC bis " in german  # aligned as in English
    assert "  Läuft ab in 47 Std. 12 Min." in german
    assert english.startswith("Valid vault credentials file (format 2.0): ")
    assert f"{start:%b} {start.day}, {start.year}" in english and "  Expires in 47 h 12 min" in english


def test_status_lines_in_german_keep_names_and_format_numbers() -> None:
    from wizard.commands.status import describe
    from wizard.core.registration.record import RegistrationRecord

    record = RegistrationRecord.from_json({
        "format": 1, "agent_version": "0", "registered_at": "2026-12-02T18:20:00+00:00",
        "vault": {"name": "contoso-vault", "resource_group": "rg", "location": "westeurope",
                  "subscription_id": "s", "resource_id": "1", "registration_url": "https://vault/restapi/"},
        "machine": {"id": "m-1", "name": "server01"},
        "settings": {"proxy": {"mode": "none"},
                     "throttling": {"enabled": True, "work_days": ["monday", "friday"], "work_start": "09:00",
                                    "work_end": "18:00", "work_bandwidth_bps": 1536 * 1024,
                                    "non_work_bandwidth_bps": 1536 * 1024 * 1024}}})
    try:
        i18n.set_language("de")
        lines = describe(record)
    finally:
        i18n.set_language("en")
    english = "\n".join(describe(record))
    assert len({line.index(line.split()[1]) for line in lines}) == 1  # one column, as wide as the longest label
    german = "\n".join(" ".join(line.split()) for line in lines)
    assert "Registriert: ja, seit 02.12.2026, 18:20:00" in german
    assert "Tresor: contoso-vault (Ressourcengruppe rg, westeurope)" in german
    assert "Drosselung: 1,5 Mbps von 09:00 bis 18:00 an Mo., Fr.; sonst 1.536 Mbps" in german
    assert "Throttling:      1.5 Mbps during 09:00-18:00 on Mon, Fri; 1,536 Mbps otherwise" in english
    assert "Registered:      yes, since Dec 2, 2026, 6:20:00 PM" in english
