"""Hostile files named by an operator are refused at once, with a bounded report.

Secret files must be regular files of at most 64 KiB (a device, a FIFO nobody writes to, a
folder or a huge file used to hang or exhaust memory); an answer file's problems are capped at
`MAX_PROBLEMS` and found in one pass; nesting too deep for the TOML reader is `answers.malformed`.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from wizard.core.answers import MAX_PROBLEMS, InvalidAnswers, SecretSource, SourceKind, load_answers, resolve_secret
from wizard.core.errors import RegisterServerError
from wizard.core.small_file import SECRET_FILE_LIMIT


def _secret_from(path: Path) -> RegisterServerError:
    with pytest.raises(RegisterServerError) as excinfo:
        resolve_secret(SecretSource(SourceKind.FILE, str(path)), what="encryption passphrase", environ={})
    return excinfo.value


def test_a_device_a_fifo_and_a_folder_are_not_secret_files(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)  # nobody ever writes: opening it for reading used to wait for ever
    for path in (Path("/dev/zero"), fifo, tmp_path):
        error = _secret_from(path)
        assert (error.code, error.reason) == ("secrets.missing", "secret_file_not_regular_file"), path


def test_a_huge_secret_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    huge = tmp_path / "huge.txt"
    with huge.open("wb") as out:
        out.truncate(SECRET_FILE_LIMIT + 1)
    error = _secret_from(huge)
    assert (error.code, error.reason) == ("secrets.missing", "secret_file_too_large")


def test_a_plain_secret_file_still_works(tmp_path: Path) -> None:
    plain = tmp_path / "secret.txt"
    plain.write_text("a passphrase of sixteen+\n", encoding="utf-8")
    secret = resolve_secret(SecretSource(SourceKind.FILE, str(plain)), what="passphrase", environ={})
    assert secret.reveal() == "a passphrase of sixteen+"


def test_tens_of_thousands_of_unknown_keys_give_a_capped_report(tmp_path: Path) -> None:
    answers = tmp_path / "answers.toml"
    answers.write_text("[machine]\n" + "".join(f'unknown_{i} = "x"\n' for i in range(20_000)), encoding="utf-8")
    with pytest.raises(InvalidAnswers) as excinfo:
        load_answers(answers)
    issues = excinfo.value.issues
    assert len(issues) == MAX_PROBLEMS + 1
    assert "(line 2)" in issues[0].message and f"(line {MAX_PROBLEMS + 1})" in issues[MAX_PROBLEMS - 1].message
    assert f"{20_000 - MAX_PROBLEMS} more problems" in issues[-1].message


def test_nesting_too_deep_is_malformed_not_a_crash(tmp_path: Path) -> None:
    answers = tmp_path / "answers.toml"
    answers.write_text("a = " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    with pytest.raises(InvalidAnswers) as excinfo:
        load_answers(answers)
    assert excinfo.value.code == "answers.malformed"


def test_an_answer_file_that_is_a_device_is_unreadable() -> None:
    with pytest.raises(RegisterServerError) as excinfo:
        load_answers("/dev/zero")
    assert (excinfo.value.code, excinfo.value.reason) == ("answers.unreadable", "not_regular_file")
