"""The fixed sample data of the generated walkthrough, and the list of its screenshots.

Everything the screenshots and the text show comes from here, so two runs of the
generator produce the same text and the same pictures (apart from dates drawn from
the clock, which the tests never compare). Names look like a real deployment's
("contoso-backup-vault", "proxy.contoso.com") so readers recognise their own situation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

from wizard.core.flow import Step
from wizard.core.model import WORK_WEEK, Weekday

VAULT_NAME = "contoso-backup-vault"
MACHINE_NAME = "fileserver01"

PROXY_HOST = "proxy.contoso.com"
PROXY_PORT = 3128
# tinyproxy's BasicAuth line cannot hold a backslash, so no DOMAIN\ prefix here.
PROXY_USER = "svc-backup"
# Shown masked in every screenshot; it is the password of the throw-away proxy the
# generator starts, nothing real.
PROXY_PASSWORD = "Sample-Proxy-Pa55"
WRONG_PROXY_PASSWORD = "not-the-right-one"

WORK_DAYS: frozenset[Weekday] = WORK_WEEK
WORK_START = time(8, 0)
WORK_END = time(18, 0)
WORK_BANDWIDTH_TEXT = "4 Mbps"
NON_WORK_BANDWIDTH_TEXT = "200 Mbps"

RECOVERY_SPACE_TEXT = "20 GB"
# The "too short" error state: 10 characters, and common enough for the strength meter to say so.
SHORT_PASSPHRASE = "Summer2026"

# Every screenshot is taken at this size (logical pixels); the 2x copies are twice as large.
SHOT_WIDTH = 860
SHOT_HEIGHT = 640
HIGH_DPI_RATIO = 2


@dataclass(frozen=True)
class Shot:
    """One screenshot: its file stem, its caption, and the step whose page it shows."""

    name: str
    caption: str
    step: Step

    @property
    def file(self) -> str:
        return f"{self.name}.png"

    @property
    def file_2x(self) -> str:
        return f"{self.name}@2x.png"


PAGE_SHOTS: tuple[Shot, ...] = (
    Shot("01-proxy-configuration", "Proxy Configuration with a custom, authenticated proxy", Step.PROXY),
    Shot("02-backup-vault", "Backup Vault after choosing the vault credentials file", Step.VAULT),
    Shot("03-throttling-setting", "Throttling Setting with a work-week schedule", Step.THROTTLING),
    Shot("04-recovery-folder-setting", "Recovery Folder Setting", Step.RECOVERY),
    Shot("05-encryption-setting", "Encryption Setting with a generated passphrase (masked)", Step.ENCRYPTION),
    Shot("06-register", "Register: progress and result", Step.REGISTER),
    Shot("07-summary", "Summary after a successful registration", Step.SUMMARY),
)

ERROR_SHOTS: tuple[Shot, ...] = (
    Shot("e1-credentials-expired", "An expired vault credentials file", Step.VAULT),
    Shot("e2-credentials-newer-file", "A newer credentials file lies beside the chosen one", Step.VAULT),
    Shot("e3-passphrase-too-short", "A passphrase that is too short", Step.ENCRYPTION),
    Shot("e4-proxy-wrong-password", "Register fails: the proxy refuses the password", Step.REGISTER),
)

# After registration: the wizard opened again on the registered server.
AFTER_SHOTS: tuple[Shot, ...] = (
    Shot("08-registered", "The wizard opened again on the registered server", Step.SUMMARY),
)

# The catalogue code each error-state screenshot illustrates (the text links them).
ERROR_SHOT_CODES: dict[str, str] = {
    "e1-credentials-expired": "credentials.expired",
    "e2-credentials-newer-file": "credentials.superseded",
    "e3-passphrase-too-short": "passphrase.too_short",
    "e4-proxy-wrong-password": "proxy.auth_required",
}

ALL_SHOTS: tuple[Shot, ...] = PAGE_SHOTS + ERROR_SHOTS + AFTER_SHOTS


# The sample answer file of the docs. It is the public sample of the answer-file format
# (the same text as `tests/core/test_answers.py` SAMPLE; a docs test checks they agree
# and that it parses).
SAMPLE_ANSWER_FILE = '''\
[machine]
name = "server01"                     # optional: defaults to this computer's name

[proxy]
mode = "custom"                       # "none" | "system" | "custom"
host = "127.0.0.1"
port = 3128
username = "alice"
password_env = "PROXY_PASSWORD"       # or password_file = "..." or password_keyring = true

[vault]
credentials_file = "/path/to/demo_Tue Nov 24 2026.VaultCredentials"
ca_bundle = "/path/to/ca.pem"         # optional: an extra CA for the vault's TLS certificate

[throttling]
enabled = true
work_days = ["monday", "tuesday", "wednesday", "thursday", "friday"]
work_start = "09:00"
work_end = "18:00"
work_bandwidth = "2 Mbps"
non_work_bandwidth = "100 Mbps"

[recovery]
folder = "/var/tmp/recovery"
create = true

[encryption]
passphrase_env = "BACKUP_PASSPHRASE"  # or passphrase_file = "..." or generate = true
save_passphrase_to = "/mnt/secure/server01.passphrase.txt"
'''
