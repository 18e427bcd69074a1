"""Each hostile file gives its own code and reason, through the API and through the command line,
with no traceback, bounded memory, and never the content of a file an entity points at."""

from __future__ import annotations

import json
import tracemalloc
from pathlib import Path

import pytest

from tests.core.credentials.conftest import NOW
from tests.core.credentials.hostile import CORPUS, SECRET_MARKER
from wizard.cli import main
from wizard.core.credentials import read_credentials
from wizard.core.errors import RegisterServerError
from wizard.core.exit_codes import ExitCode

AT = NOW.isoformat()


@pytest.mark.parametrize("case", sorted(CORPUS))
def test_read_gives_the_specific_code_and_reason(case: str, tmp_path: Path) -> None:
    build, code, reason = CORPUS[case]
    path = build(tmp_path, NOW)
    with pytest.raises(RegisterServerError) as caught:
        read_credentials(path, now=NOW)
    assert (caught.value.code, caught.value.reason) == (code, reason)
    assert SECRET_MARKER not in str(caught.value) + caught.value.message + caught.value.fix


@pytest.mark.parametrize("case", sorted(CORPUS))
def test_command_reports_it_as_json_with_exit_code_4(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    build, code, reason = CORPUS[case]
    path = build(tmp_path, NOW)
    assert main(["check-credentials", str(path), "--json", "--at", AT]) == ExitCode.CREDENTIALS == 4
    out, err = capsys.readouterr()
    answer = json.loads(out)
    assert answer["ok"] is False
    assert (answer["error"]["code"], answer["error"]["reason"]) == (code, reason)
    assert answer["error"]["message"] and answer["error"]["fix"]
    assert "Traceback" not in out + err
    assert SECRET_MARKER not in out + err


@pytest.mark.parametrize("case", sorted(CORPUS))
def test_command_human_output_has_message_and_fix(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    build, code, _ = CORPUS[case]
    path = build(tmp_path, NOW)
    assert main(["check-credentials", str(path), "--at", AT]) == 4
    out, err = capsys.readouterr()
    assert f"error: {code}" in err and "what to do:" in err
    assert "Traceback" not in out + err
    assert SECRET_MARKER not in out + err


@pytest.mark.parametrize("case", sorted(CORPUS))
def test_memory_stays_bounded(case: str, tmp_path: Path) -> None:
    build, _, _ = CORPUS[case]
    path = build(tmp_path, NOW)
    with pytest.raises(RegisterServerError):
        read_credentials(path, now=NOW)  # warm imports and caches first: only the check itself is measured
    tracemalloc.start()
    try:
        with pytest.raises(RegisterServerError):
            read_credentials(path, now=NOW)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4 * 1024 * 1024  # the 50 MB file is refused from its size, never read whole


def test_oversized_bytes_are_refused_before_parsing() -> None:
    from wizard.core.credentials import parse_credentials

    with pytest.raises(RegisterServerError) as caught:
        parse_credentials(b"<" * (50 * 1024 * 1024), file_name="x.VaultCredentials", now=NOW)
    assert caught.value.reason == "too_large"
