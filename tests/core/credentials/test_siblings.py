"""A newer file for the same vault in the same folder is found; anything else is ignored."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from tests.core.credentials.conftest import NOW, VAULT
from wizard.core.credentials import (
    IssuedCredentials,
    issue_credentials,
    newer_sibling,
    read_credentials,
    write_credentials_file,
)


def _issue(tmp_path: Path, minutes: int, **changes: object) -> Path:
    return write_credentials_file(issue_credentials(**dict(VAULT, **changes), now=NOW + timedelta(minutes=minutes)), tmp_path)


def test_newest_of_several_newer_files_is_named(issued: IssuedCredentials, tmp_path: Path) -> None:
    chosen = write_credentials_file(issued, tmp_path)
    _issue(tmp_path, 5)
    newest = _issue(tmp_path, 9)
    creds = read_credentials(chosen, now=NOW)
    assert newer_sibling(chosen, creds) == newest
    assert newer_sibling(newest, read_credentials(newest, now=NOW + timedelta(minutes=9))) is None


def test_other_vaults_older_files_copies_and_junk_are_ignored(issued: IssuedCredentials, tmp_path: Path) -> None:
    _issue(tmp_path, -30)                                   # older, same vault
    _issue(tmp_path, 30, vault_name="other-vault")          # newer, another vault
    _issue(tmp_path, 30, resource_id=1)                     # newer, same name but a recreated vault
    chosen = write_credentials_file(issued, tmp_path)
    write_credentials_file(issued, tmp_path)                # an identical copy: " (2)"
    (tmp_path / "junk.VaultCredentials").write_bytes(b"not xml")
    (tmp_path / "dir.VaultCredentials").mkdir()
    assert newer_sibling(chosen, read_credentials(chosen, now=NOW)) is None


def test_an_expired_newer_file_still_supersedes(issued: IssuedCredentials, tmp_path: Path) -> None:
    chosen = write_credentials_file(issued, tmp_path)
    newer = write_credentials_file(
        issue_credentials(**dict(VAULT, vault_name="CONTOSO-VAULT"), lifetime=timedelta(minutes=1),
                          now=NOW + timedelta(minutes=1)),
        tmp_path)
    assert newer_sibling(chosen, read_credentials(chosen, now=NOW + timedelta(hours=1))) == newer


def test_vanished_folder_is_not_an_error(issued: IssuedCredentials, tmp_path: Path) -> None:
    chosen = write_credentials_file(issued, tmp_path)
    creds = read_credentials(chosen, now=NOW)
    assert newer_sibling(tmp_path / "gone" / chosen.name, creds) is None
