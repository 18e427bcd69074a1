"""Encryption: the passphrase rules and where its file is saved.

Decisions (domain facts leave them open): printable ASCII only (0x20-0x7E), because a
tab or line break cannot round-trip through the passphrase file or a terminal prompt;
at most `PASSPHRASE_MAX_LENGTH` (1,024) characters. A passphrase file is never silently
overwritten. Saving it on this server's own disk is a warning, not an error.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from wizard.core.i18n import L_, _, format_number
from wizard.core.issues import Issue, Severity, issue
from wizard.core.limits import PASSPHRASE_MAX_LENGTH, PASSPHRASE_MIN_LENGTH
from wizard.core.model import EncryptionSettings, RecoveryFolder
from wizard.core.secret import Secret
from wizard.core.volumes import VolumeKind, volume_kind

PASSPHRASE = "encryption.passphrase"
CONFIRM = "encryption.passphrase_confirm"
SAVE_TO = "encryption.save_passphrase_to"
STORED_SAFELY = "encryption.stored_safely"


@dataclass(frozen=True)
class RuleCheck:
    """One line of the live checklist next to the passphrase field."""

    code: str
    label: str
    ok: bool


def passphrase_rules(passphrase: Secret | None, confirmation: Secret | None = None) -> list[RuleCheck]:
    value = passphrase.reveal() if passphrase else ""
    checks = [
        RuleCheck("passphrase.too_short", _("At least {count} characters").format(count=PASSPHRASE_MIN_LENGTH),
                  len(value) >= PASSPHRASE_MIN_LENGTH),
        RuleCheck("passphrase.not_ascii", _("Only plain ASCII characters"), all(ord(c) <= 127 for c in value)),
        RuleCheck("passphrase.not_printable", _("No tabs or line breaks"),
                  all(32 <= ord(c) != 127 for c in value if ord(c) <= 127)),
        RuleCheck("passphrase.too_long", _("At most {count} characters").format(count=format_number(PASSPHRASE_MAX_LENGTH)),
                  len(value) <= PASSPHRASE_MAX_LENGTH),
    ]
    if confirmation is not None:
        checks.append(RuleCheck("passphrase.confirm_mismatch", _("Confirmation matches"),
                                bool(value) and passphrase == confirmation))
    return checks


def validate_passphrase(passphrase: Secret | None, confirmation: Secret | None) -> list[Issue]:
    if not passphrase:
        return [issue(PASSPHRASE, "passphrase.required")]
    found = [issue(PASSPHRASE, rule.code) for rule in passphrase_rules(passphrase) if not rule.ok]
    if confirmation is None or passphrase != confirmation:
        found.append(issue(CONFIRM, "passphrase.confirm_mismatch"))
    return found


def _inside(child: Path, parent: Path) -> bool:
    try:
        child.resolve(strict=False).relative_to(parent.resolve(strict=False))
        return True
    except ValueError:
        return False


def validate_save_location(save_to: Path | None, recovery: RecoveryFolder | None = None) -> list[Issue]:
    if save_to is None or not str(save_to).strip():
        return [issue(SAVE_TO, "encryption.save_path_required")]
    if not save_to.is_absolute():
        return [issue(SAVE_TO, "encryption.save_path_not_absolute")]
    if recovery is not None and recovery.path is not None and recovery.path.is_absolute() and _inside(save_to, recovery.path):
        return [issue(SAVE_TO, "encryption.save_path_in_recovery_folder")]
    return []


def validate_encryption(encryption: EncryptionSettings, recovery: RecoveryFolder | None = None) -> list[Issue]:
    """Cheap checks: passphrase rules, confirmation, save location, the "stored safely" promise."""
    found = validate_passphrase(encryption.passphrase, encryption.confirmation)
    found += validate_save_location(encryption.save_to, recovery)
    if not encryption.stored_safely:
        found.append(issue(STORED_SAFELY, "encryption.not_stored_safely"))
    return found


def _holds_passphrase(path: Path, passphrase: Secret) -> bool:
    from wizard.core.errors import RegisterServerError
    from wizard.core.passphrase_file import read_passphrase_file

    try:
        return read_passphrase_file(path) == passphrase
    except (RegisterServerError, OSError):
        return False


def check_encryption_on_disk(encryption: EncryptionSettings) -> list[Issue]:
    """Disk checks for the save location: folder exists, no file there yet, not this server's disk."""
    path = encryption.save_to
    if path is None or not path.is_absolute():
        return []
    if path.exists():
        if encryption.passphrase and _holds_passphrase(path, encryption.passphrase):
            # A re-registration may point at the file saved the first time: it is kept, not rewritten.
            return [issue(SAVE_TO, "encryption.save_path_exists", L_("It already holds this passphrase and is kept."),
                          Severity.INFO)]
        return [issue(SAVE_TO, "encryption.save_path_exists")]
    if not path.parent.is_dir():
        return [issue(SAVE_TO, "encryption.save_dir_missing")]
    if volume_kind(path) is VolumeKind.LOCAL:
        return [issue(SAVE_TO, "encryption.save_path_on_local_disk", severity=Severity.WARNING)]
    return []
