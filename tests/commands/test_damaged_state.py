"""A registration.json that parses but has lost fields: every command that reads it says
`state.corrupt` (exit 9) with the file's name, never an unexpected error (exit 1) or a traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from wizard.core.exit_codes import ExitCode


@pytest.mark.parametrize("command", [["status"], ["status", "--json"], ["unregister", "--local-only"]])
def test_damaged_record_is_reported_as_damaged_state(tmp_path: Path, command: list[str]) -> None:
    home = tmp_path / "home"
    home.mkdir(mode=0o700)
    (home / "registration.json").write_text(json.dumps({"vault": "contoso", "machine": {"id": "m1"}}))
    result = subprocess.run([sys.executable, "-m", "wizard", *command, "--home", str(home)],
                            capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    output = result.stdout + result.stderr
    assert result.returncode == ExitCode.LOCAL_STATE, output
    assert "state.corrupt" in output and "registration.json" in output and "vault.name" in output
    assert "Traceback" not in output
    assert (home / "registration.json").exists()  # reported, not thrown away
