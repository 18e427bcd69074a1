""""Print recovery sheet...": the Encryption page's way to put the passphrase on paper.

Why its own module: the page stays about its fields; this is one action with a file dialog,
the facts the sheet prints (which vault, which machine) and the write, which refuses to
overwrite and is owner-only like the passphrase file. The PDF is written on the GUI thread:
it is one page and takes a few milliseconds.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QWidget

from wizard.core.errors import RegisterServerError
from wizard.core.i18n import _
from wizard.core.recovery_sheet import SheetFacts, write_sheet
from wizard.core.secret import Secret
from wizard.ui import dialogs


def sheet_facts(host: Any) -> SheetFacts:
    """Vault and machine as the registration will name them (the record's, once registered)."""
    record = getattr(host, "record", None)
    if record is not None:
        return SheetFacts(record.vault.name, record.machine.name, datetime.now(timezone.utc), escrowed=record.escrowed)
    from wizard.registration.procedure import resolve_machine_name

    settings = host.settings
    vault = "-"
    if settings.vault.credentials_file:
        try:
            from wizard.core.credentials import read_credentials

            vault = read_credentials(settings.vault.credentials_file).vault_name
        except RegisterServerError:
            pass  # the Backup Vault page says what is wrong with the file
    return SheetFacts(vault, resolve_machine_name(settings), datetime.now(timezone.utc))


def print_recovery_sheet(parent: QWidget, host: Any, passphrase: Secret,
                         start_folder: Path) -> tuple[bool, str] | None:
    """Ask where, write the sheet; (saved, what to show under the button), None when cancelled.

    The outcome is shown inline, like every other message of the wizard: message boxes are
    for confirmations only.
    """
    facts = sheet_facts(host)
    start = str(start_folder / f"{facts.machine_name}.recovery-sheet.pdf")
    chosen = dialogs.choose_save_file(parent, _("Save the recovery sheet to"), start, _("PDF files (*.pdf)"))
    if not chosen:
        return None
    try:
        written = write_sheet(chosen, passphrase, facts)
    except RegisterServerError as error:
        return False, _("The recovery sheet was not saved: {message} {fix}").format(message=error.message, fix=error.fix)
    return True, _("Recovery sheet saved to {path}. Print it, keep the page somewhere safe, then delete the file.").format(
        path=written)
