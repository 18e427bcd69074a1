"""The last page: what was registered, the settings, and how to do the same unattended.

"Save answer file..." writes the core's `dump_answers` (no secrets: they are named by
environment variable); "Copy command line" puts the matching unattended command on the
clipboard.

The passphrase file is written during Register (the procedure's *saving_passphrase* step), so
this is the first page where it exists: before Finish is offered, the administrator types back
the passphrase's characters at three random positions, read from the file where it was saved
(`TypeBack`). The promise on the Encryption page let the registration run; this shows the copy
it promised is one they can open and read.
"""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QFormLayout, QGroupBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget, QWizardPage

from wizard.core.fields import label
from wizard.core.flow import Step, title
from wizard.core.i18n import N_, _
from wizard.core.model import ProxyMode, RegistrationSettings
from wizard.ui import dialogs
from wizard.ui.field_message import FieldMessage
from wizard.ui.page_base import content_layout, name_input
from wizard.ui.type_back import TypeBack

DEFAULT_ANSWERS_NAME = "register-server-answers.toml"
# The captions of what was registered, shared with the registered view (translated when shown).
ROW_CAPTIONS = {
    "vault": N_("Vault:"), "machine": N_("Machine name:"), "machine_id": N_("Machine ID:"),
    "registered_at": N_("Registered at:"), "since": N_("Registered since:"), "proxy": N_("Proxy:"),
    "throttling": N_("Throttling:"), "recovery": N_("Recovery folder:"), "passphrase_file": N_("Passphrase file:"),
}


def describe_proxy(settings: RegistrationSettings) -> str:
    proxy = settings.proxy
    if proxy.mode is ProxyMode.NONE:
        return _("Direct connection (no proxy)")
    if proxy.mode is ProxyMode.SYSTEM:
        return _("This machine's system proxy settings (including its automatic configuration)")
    bypass = _("; direct to {hosts}").format(hosts=", ".join(proxy.bypass)) if proxy.bypass else ""
    if proxy.mode is ProxyMode.PAC:
        return _("Automatic configuration from {url}").format(url=proxy.pac_url) + bypass
    if proxy.username:
        return _("{host}:{port}, signing in as {user}").format(host=proxy.host, port=proxy.port,
                                                              user=proxy.username) + bypass
    return f"{proxy.host}:{proxy.port}{bypass}"


def describe_throttling(settings: RegistrationSettings) -> str:
    schedule = settings.throttling
    if not schedule.enabled:
        return _("Off: backups use all available bandwidth")
    days = ", ".join(d.short() for d in sorted(schedule.work_days))
    return _("{work} on {days}, {hours}; {other} otherwise").format(
        work=schedule.work_bandwidth, days=days, hours=schedule.work_hours_text, other=schedule.non_work_bandwidth)


def local_datetime(moment: object) -> str:
    """A moment in this machine's time zone, in the language's medium form, the zone named."""
    from wizard.core.i18n import format_datetime

    local = moment.astimezone()  # type: ignore[attr-defined]
    return f"{format_datetime(local)} {local.strftime('%Z')}".strip()


def command_line(answers_path: Path | None) -> str:
    path = str(answers_path) if answers_path else DEFAULT_ANSWERS_NAME
    return f"register-server register --answers {shlex.quote(path)}"


class SummaryPage(QWizardPage):
    step = Step.SUMMARY

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(title(self.step))
        self.setSubTitle(_("This server is registered. Keep the passphrase file safe."))
        self.setFinalPage(True)
        layout = content_layout(self)  # inside the frame named for readers (page_base)
        self.registration = QGroupBox(_("Registration"), self)
        self.registration_form = QFormLayout(self.registration)
        self.registration_form.setVerticalSpacing(2)
        self.settings_box = QGroupBox(_("Settings"), self)
        self.settings_form = QFormLayout(self.settings_box)
        self.settings_form.setVerticalSpacing(2)
        self.values: dict[str, QLabel] = {}
        for form, rows in ((self.registration_form, ("vault", "machine", "machine_id", "registered_at")),
                           (self.settings_form, ("proxy", "throttling", "recovery", "passphrase_file"))):
            for key in rows:
                caption = _(ROW_CAPTIONS[key])
                value = QLabel(self)
                value.setObjectName(f"summary.{key}")
                value.setWordWrap(True)
                self.values[key] = value
                form.addRow(caption, value)
        layout.addWidget(self.registration)
        layout.addWidget(self.settings_box)
        self.type_back = TypeBack(self, key="summary.type_back")
        layout.addWidget(self.type_back)
        self.type_back_message = FieldMessage("summary.type_back", self)
        self.type_back_message.show_fix = True
        layout.addWidget(self.type_back_message)
        self.type_back.changed.connect(self._typed_back)
        self._asked_for: object | None = None

        buttons = QHBoxLayout()
        self.save_answers = QPushButton(label("summary.save_answers"), self)
        name_input(self.save_answers, "summary.save_answers")
        self.copy_command = QPushButton(label("summary.copy_command"), self)
        name_input(self.copy_command, "summary.copy_command")
        buttons.addWidget(self.save_answers)
        buttons.addWidget(self.copy_command)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.note = QLabel(self)
        self.note.setObjectName("summary.note")
        self.note.setWordWrap(True)
        layout.addWidget(self.note)
        layout.addStretch(1)
        self.answers_path: Path | None = None
        self.save_answers.clicked.connect(self._save_answers)
        self.copy_command.clicked.connect(self._copy_command)

    def initializePage(self) -> None:
        wizard: Any = self.wizard()
        settings: RegistrationSettings = wizard.settings
        result = wizard.result
        if result is not None:
            self.values["vault"].setText(result.vault_name)
            self.values["machine"].setText(_("{machine} (registered again)").format(machine=result.machine_name)
                                           if result.re_registration else result.machine_name)
            self.values["machine_id"].setText(result.machine_id)
            self.values["registered_at"].setText(local_datetime(result.registered_at))
        self.values["proxy"].setText(describe_proxy(settings))
        self.values["throttling"].setText(describe_throttling(settings))
        self.values["recovery"].setText(str(settings.recovery.path or "-"))
        self.values["passphrase_file"].setText(str(settings.encryption.save_to or "-"))
        self.note.setText(_("The answer file holds no secrets: before using it, set BACKUP_PASSPHRASE to the "
                            "passphrase and PROXY_PASSWORD to the proxy password.") if settings.proxy.username else
                          _("The answer file holds no secrets: before using it, set BACKUP_PASSPHRASE to the "
                            "passphrase."))
        passphrase, saved_to = settings.encryption.passphrase, settings.encryption.save_to
        if result is not None and passphrase is not None and saved_to is not None and self._asked_for is not result:
            self._asked_for = result  # new positions once per registration, not on every visit
            self.type_back.ask(passphrase.reveal(), saved_to=saved_to)
            self.setSubTitle(_("This server is registered. Before you finish, show that you can read the passphrase "
                               "file where it was saved."))
        # Enter on the last page finishes (QWizard would focus "Save answer file..." first);
        # while characters are still to be typed back, the first box is where to start.
        QTimer.singleShot(0, self, self._focus_finish)

    def isComplete(self) -> bool:
        """Finish waits for the characters typed back from the passphrase file."""
        return self.type_back.passed()

    def _typed_back(self) -> None:
        from wizard.core.issues import issue
        from wizard.ui.accessible import announce

        wrong = self.type_back.asked and self.type_back.filled() and not self.type_back.passed()
        shown = issue("summary.type_back", "encryption.file_not_typed_back") if wrong else None
        if shown is not None and self.type_back_message.issue is None:
            announce(self.type_back_message, shown.message, assertive=True)
        self.type_back_message.show_issues([shown] if shown else [])
        self.completeChanged.emit()

    def _focus_finish(self) -> None:
        wizard = self.wizard()
        if wizard is not None and wizard.currentPage() is self:
            if not self.type_back.passed() and self.type_back.boxes:
                self.type_back.boxes[0].setFocus(Qt.FocusReason.OtherFocusReason)
            else:
                wizard.button(wizard.WizardButton.FinishButton).setFocus(Qt.FocusReason.OtherFocusReason)

    def _save_answers(self) -> None:
        from wizard.core.answers import dump_answers

        start = str(self.answers_path or Path.home() / DEFAULT_ANSWERS_NAME)
        chosen = dialogs.choose_save_file(self, _("Save answer file"), start, _("Answer files (*.toml);;All files (*)"))
        if not chosen:
            return
        from wizard.core.storage.atomic import atomic_write_text

        from wizard.core.errors import RegisterServerError

        path = Path(chosen)
        try:
            atomic_write_text(path, dump_answers(self.wizard().settings))  # type: ignore[attr-defined]
        except RegisterServerError as error:
            self.note.setText(f"{error.message} {error.fix}")
            return
        except OSError as error:
            self.note.setText(_("The answer file could not be saved: {reason}.").format(reason=error.strerror or error))
            return
        self.answers_path = path
        self.note.setText(_("Saved {path}.").format(path=path) + f" {self.note.text()}")

    def _copy_command(self) -> None:
        text = command_line(self.answers_path)
        QApplication.clipboard().setText(text)
        self.note.setText(f"Copied: {text}")
