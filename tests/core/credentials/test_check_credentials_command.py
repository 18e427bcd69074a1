"""`register-server check-credentials`: human and JSON output of a valid file, and the sibling warning."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from tests.core.credentials.conftest import NOW, VAULT
from wizard.cli import main
from wizard.core.credentials import IssuedCredentials, issue_credentials, write_credentials_file

AT_48_MIN = (NOW + timedelta(minutes=48)).isoformat()


def test_human_output(issued: IssuedCredentials, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_credentials_file(issued, tmp_path)
    assert main(["check-credentials", str(path), "--at", AT_48_MIN]) == 0
    out, err = capsys.readouterr()
    assert "contoso-vault" in out and VAULT["subscription_id"] in out and "westeurope" in out
    assert issued.thumbprint_sha1 in out
    assert "expires in 47 h 12 min" in out.lower()
    assert err == ""


def test_json_output_has_the_documented_shape(issued: IssuedCredentials, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    path = write_credentials_file(issued, tmp_path)
    assert main(["check-credentials", str(path), "--json", "--at", AT_48_MIN]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer == {
        "ok": True,
        "format_version": "2.0",
        "vault": {"name": "contoso-vault", "subscription_id": VAULT["subscription_id"], "resource_group": "backup-rg",
                  "location": "westeurope", "resource_id": VAULT["resource_id"]},
        "certificate": {"thumbprint": issued.thumbprint_sha1, "sha256": issued.thumbprint_sha256,
                        "not_before": "2026-11-24T09:50:00+00:00", "not_after": "2026-11-26T10:00:00+00:00",
                        "expires_in_seconds": 47 * 3600 + 12 * 60},
        "warnings": [],
    }


def test_newer_file_in_the_same_folder_is_a_warning(issued: IssuedCredentials, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    path = write_credentials_file(issued, tmp_path)
    newer = write_credentials_file(issue_credentials(**VAULT, now=NOW + timedelta(minutes=2)), tmp_path)
    assert main(["check-credentials", str(path), "--at", AT_48_MIN]) == 0
    out, err = capsys.readouterr()
    assert "warning:" in err and str(newer) in err and "newest" in err
    assert main(["check-credentials", str(path), "--json", "--at", AT_48_MIN]) == 0
    warnings = json.loads(capsys.readouterr().out)["warnings"]
    assert [(w["code"], w["newer_file"]) for w in warnings] == [("credentials.superseded", str(newer))]


def test_expired_file_exits_4(issued: IssuedCredentials, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_credentials_file(issued, tmp_path)
    assert main(["check-credentials", str(path), "--json", "--at", (NOW + timedelta(days=3)).isoformat()]) == 4
    assert json.loads(capsys.readouterr().out)["error"]["code"] == "credentials.expired"


def test_bad_time_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["check-credentials", str(tmp_path / "x.VaultCredentials"), "--at", "yesterday-ish"])
    assert caught.value.code == 2


def test_just_past_expiry_within_the_skew_allowance(issued: IssuedCredentials, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    path = write_credentials_file(issued, tmp_path)
    at = (issued.not_after + timedelta(minutes=2)).isoformat()
    assert main(["check-credentials", str(path), "--at", at]) == 0
    assert "Expired moments ago" in capsys.readouterr().out
    assert main(["check-credentials", str(path), "--json", "--at", at]) == 0
    assert json.loads(capsys.readouterr().out)["certificate"]["expires_in_seconds"] == 0


def test_expired_file_points_to_the_newer_download_beside_it(issued: IssuedCredentials, tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    """An old download picked by mistake: the refusal names the newer file already in the folder."""
    path = write_credentials_file(issued, tmp_path)
    newer = write_credentials_file(issue_credentials(**VAULT, now=NOW + timedelta(days=3)), tmp_path)
    at = (NOW + timedelta(days=3, minutes=5)).isoformat()
    assert main(["check-credentials", str(path), "--at", at]) == 4
    err = capsys.readouterr().err
    assert "credentials.expired" in err and f"what to do: use the newer file for the same vault beside it: {newer}" in err
    assert "Download a new" not in err  # the right file is already there
    assert main(["check-credentials", str(path), "--json", "--at", at]) == 4
    error = json.loads(capsys.readouterr().out)["error"]
    assert (error["code"], error["newer_file"]) == ("credentials.expired", str(newer))


def test_a_broken_file_is_not_cured_by_a_newer_one(issued: IssuedCredentials, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    write_credentials_file(issue_credentials(**VAULT, now=NOW + timedelta(days=3)), tmp_path)
    broken = tmp_path / "broken.VaultCredentials"
    broken.write_bytes(b"<not-xml")
    assert main(["check-credentials", str(broken), "--json"]) == 4
    assert "newer_file" not in json.loads(capsys.readouterr().out)["error"]
