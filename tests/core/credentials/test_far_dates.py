"""A certificate valid until 9999-12-31T23:59:59Z is a valid date, not a crash (OverflowError)."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from tests.core.credentials.conftest import NOW, VAULT
from wizard.core.credentials import read_credentials
from wizard.core.credentials.writer import issue_credentials, write_credentials_file

END_OF_TIME = datetime(9999, 12, 31, 23, 59, 59, tzinfo=timezone.utc)


def test_a_certificate_valid_until_the_last_second_of_9999_is_read(tmp_path: Path) -> None:
    issued = issue_credentials(**VAULT, now=NOW, lifetime=END_OF_TIME - NOW.replace(microsecond=0))
    credentials = read_credentials(write_credentials_file(issued, tmp_path), now=NOW)
    assert credentials.not_after == END_OF_TIME
