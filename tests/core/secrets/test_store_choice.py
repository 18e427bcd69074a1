"""Choosing the secret store: `[secrets] store` in answer files, `--secret-store`, and what disagrees."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from wizard.core.answers import InvalidAnswers, dump_answers, parse_answers
from wizard.core.errors import RegisterServerError
from wizard.core.exit_codes import ExitCode


def test_answer_file_names_the_store_and_the_wizard_writes_it_back() -> None:
    answers = parse_answers('[secrets]\nstore = "systemd-creds"\n')
    assert answers.settings.secret_store == "systemd-creds" and "secrets" in answers.sections
    assert parse_answers("").settings.secret_store is None  # not chosen: the record's, else the keyring
    assert parse_answers(dump_answers(answers.settings)).settings.secret_store == "systemd-creds"
    assert "[secrets]" not in dump_answers(parse_answers("").settings)


def test_an_unknown_store_is_refused_with_its_line() -> None:
    with pytest.raises(InvalidAnswers) as bad:
        parse_answers('[machine]\nname = "a"\n[secrets]\nstore = "plaintext"\n')
    assert [(i.field, i.code) for i in bad.value.issues] == [("secrets.store", "answers.wrong_type")]
    assert '"keyring" or "systemd-creds"' in bad.value.message and "(line 4)" in bad.value.message


def test_the_option_and_the_answer_file_must_agree() -> None:
    from wizard.commands.register import with_secret_store
    from wizard.core.model import RegistrationSettings

    plain = RegistrationSettings()
    assert with_secret_store(plain, None).secret_store is None
    assert with_secret_store(plain, "systemd-creds").secret_store == "systemd-creds"
    chosen = RegistrationSettings(secret_store="systemd-creds")
    assert with_secret_store(chosen, "systemd-creds") == chosen
    with pytest.raises(RegisterServerError) as mismatch:
        with_secret_store(chosen, "keyring")
    assert mismatch.value.code == "secrets.store_mismatch"


def test_parser_offers_the_option_on_the_commands_and_for_the_self_test() -> None:
    from wizard.commands.parser import build_parser

    parser = build_parser()
    for argv in (["--self-test", "--secret-store", "systemd-creds"],
                 ["register", "--answers", "a.toml", "--secret-store", "systemd-creds"],
                 ["settings", "--answers", "a.toml", "--secret-store", "systemd-creds"],
                 ["status", "--secret-store", "systemd-creds"], ["unregister", "--secret-store", "systemd-creds"],
                 ["passphrase", "sheet", "--out", "x.pdf", "--secret-store", "systemd-creds"]):
        assert parser.parse_args(argv).secret_store == "systemd-creds", argv
    assert build_parser().parse_args(["status"]).secret_store is None
    with pytest.raises(SystemExit):
        build_parser().parse_args(["status", "--secret-store", "file"])


def test_status_shows_the_recorded_store_and_refuses_another(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from wizard.cli import main

    record = {"registered_at": "2026-12-02T10:00:00+00:00", "secret_store": "systemd-creds",
              "vault": {"name": "v", "resource_id": "1", "registration_url": "https://x/restapi/machines"},
              "machine": {"id": "m1", "name": "creds01"}}
    (tmp_path / "registration.json").write_text(json.dumps(record))
    assert main(["status", "--home", str(tmp_path)]) == 0
    assert "Secret store:    systemd-creds" in capsys.readouterr().out
    assert main(["status", "--json", "--home", str(tmp_path), "--secret-store", "systemd-creds"]) == 0
    assert json.loads(capsys.readouterr().out)["secret_store"] == "systemd-creds"
    assert main(["status", "--home", str(tmp_path), "--secret-store", "keyring"]) == int(ExitCode.SECRETS)
    assert "secrets.store_mismatch" in capsys.readouterr().err
    assert main(["unregister", "--yes", "--home", str(tmp_path), "--secret-store", "keyring"]) == int(ExitCode.SECRETS)
    assert (tmp_path / "registration.json").exists()  # refused before anything was touched
