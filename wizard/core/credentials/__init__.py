"""Vault credentials files: read and verify them (any format), issue them (format 2.0).

Qt-free. Every failure is a `RegisterServerError` with a stable code (``credentials.*``);
the details of each check and the decisions behind them are in `reader.py`,
`certificate.py`, `writer.py` and `siblings.py`.
"""

from __future__ import annotations

from wizard.core.credentials.model import LegacyCredentials, VaultCredentials, format_time_left
from wizard.core.credentials.reader import LegacyCredentialsError, parse_credentials, read_credentials
from wizard.core.credentials.siblings import newer_sibling, newer_sibling_for_refused
from wizard.core.credentials.writer import IssuedCredentials, issue_credentials, write_credentials_file

__all__ = [
    "IssuedCredentials",
    "LegacyCredentials",
    "LegacyCredentialsError",
    "VaultCredentials",
    "format_time_left",
    "issue_credentials",
    "newer_sibling",
    "newer_sibling_for_refused",
    "parse_credentials",
    "read_credentials",
    "write_credentials_file",
]
