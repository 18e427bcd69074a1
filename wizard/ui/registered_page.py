"""The registered view, and the page that saves changed settings.

Opening the wizard on a server that is already registered must not show a blank
first-run wizard (MARS and Veeam open to the current registration): `RegisteredPage`
shows what the local record says — vault, machine, since when, proxy, throttling,
recovery folder, passphrase file — and offers the three things one does next:

* *Change settings*: the proxy, throttling, recovery and encryption pages, pre-filled from the
  record (an empty passphrase keeps the one in force), then `SaveSettingsPage`, which saves through the same use case as `register-server
  settings` (`wizard.registration.maintenance.change_settings`).
* *Register again*: the normal flow, pre-filled; the Backup Vault page refuses another
  vault's file (`vault.wrong_vault`).
* *Unregister*: after a confirmation, the same use case as `register-server unregister`. When
  the vault requires a security PIN, the PIN typed in the box under the buttons goes with the
  request (the use case sends none when the box is empty); a refusal (`security.pin_*`) is
  shown under that box, which takes the focus, so the administrator fixes it where it is asked.

Both pages live outside the core's step table (they are not steps of a registration), under
their own page ids.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (QFormLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout,
                               QWidget, QWizardPage)

from wizard.core.i18n import N_, _
from wizard.core.model import RegistrationSettings
from wizard.ui.field_message import FieldMessage
from wizard.ui.page_base import name_input
from wizard.ui.type_back import TypeBack
from wizard.ui.worker import Task

if TYPE_CHECKING:
    from wizard.ui.wizard_host import WizardHost

REGISTERED_ID = 50
SAVE_SETTINGS_ID = 51
CHANGEABLE_SECTIONS = ("proxy", "throttling", "recovery", "encryption")
# What a changed section is called where the outcome of a save is shown.
SECTION_NAMES = {"proxy": N_("proxy"), "throttling": N_("throttling"), "recovery": N_("recovery folder"),
                 "encryption": N_("passphrase")}


def without_acknowledgement(settings: RegistrationSettings) -> RegistrationSettings:
    """"I will keep the passphrase file in a safe place" must be the person's own tick, never
    carried in from an answer file or a saved registration."""
    return replace(settings, encryption=replace(settings.encryption, stored_safely=False))


def local_time(iso: str) -> str:
    """A record's UTC timestamp in this machine's time, with its time zone named."""
    try:
        from wizard.ui.summary_page import local_datetime

        return local_datetime(datetime.fromisoformat(iso))
    except ValueError:
        return iso


def _value_label(parent: QWidget, key: str) -> QLabel:
    label = QLabel(parent)
    label.setObjectName(key)
    label.setWordWrap(True)
    return label


class RegisteredPage(QWizardPage):
    """What this server is registered to, and Change settings / Register again / Unregister."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from wizard.ui.summary_page import ROW_CAPTIONS

        self.setTitle(_("Registered"))
        self.setSubTitle(_("This server is registered to a backup vault. Change its settings, register it again "
                           "with a new credentials file of the same vault, or unregister it."))
        layout = QVBoxLayout(self)
        box = QGroupBox(_("Registration"), self)
        form = QFormLayout(box)
        form.setVerticalSpacing(2)
        self.values: dict[str, QLabel] = {}
        for key in ("vault", "machine", "machine_id", "since", "proxy", "throttling", "recovery", "passphrase_file"):
            self.values[key] = _value_label(self, f"registered.{key}")
            form.addRow(_(ROW_CAPTIONS[key]), self.values[key])
        layout.addWidget(box)
        buttons = QHBoxLayout()
        self.change = name_input(QPushButton(_("&Change settings..."), self), "registered.change_settings")
        self.again = name_input(QPushButton(_("Register &again..."), self), "registered.register_again")
        self.unregister = name_input(QPushButton(_("&Unregister..."), self), "registered.unregister")
        for button in (self.change, self.again, self.unregister):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.pin_row = QWidget(self)
        pin_layout = QHBoxLayout(self.pin_row)
        pin_layout.setContentsMargins(0, 0, 0, 0)
        self.pin_label = QLabel(_("Security P&IN for Unregister, if the vault requires one:"), self.pin_row)
        self.pin = pin_box(self.pin_row, "registered.security_pin",
                           _("The vault may require a PIN for unregistering this server: its administrator issues one "
                             "with `register-server vault security-pin VAULT` (valid 5 minutes)"))
        self.pin_label.setBuddy(self.pin)
        # Enter in the PIN box means Unregister, not Finish (the view's default button), which
        # would close the wizard with the PIN just typed unused.
        self._enter_unregisters = EnterClicks(self.unregister, self.pin)
        self.pin.installEventFilter(self._enter_unregisters)
        pin_layout.addWidget(self.pin_label)
        pin_layout.addWidget(self.pin)
        pin_layout.addStretch(1)
        layout.addWidget(self.pin_row)
        self.pin_message = FieldMessage("registered.security_pin", self)
        self.pin_message.show_fix = True
        layout.addWidget(self.pin_message)
        self.status = _value_label(self, "registered.status")
        layout.addWidget(self.status)
        layout.addStretch(1)
        self.change.clicked.connect(lambda: self._start("change"))
        self.again.clicked.connect(lambda: self._start("again"))
        self.unregister.clicked.connect(self._unregister)
        self._task: Task | None = None
        self.setFinalPage(True)

    def wizard_(self) -> "WizardHost":
        return self.wizard()  # type: ignore[return-value]

    def initializePage(self) -> None:
        from wizard.ui.summary_page import describe_proxy, describe_throttling

        from wizard.registration.maintenance import settings_from_record

        wizard = self.wizard_()
        record = wizard.record
        settings = settings_from_record(record)  # what is saved, whatever the pages were pre-filled with
        self.values["vault"].setText(record.vault.name)
        self.values["machine"].setText(record.machine.name)
        self.values["machine_id"].setText(record.machine.id)
        self.values["since"].setText(local_time(record.registered_at))
        self.values["proxy"].setText(describe_proxy(settings))
        self.values["throttling"].setText(describe_throttling(settings))
        self.values["recovery"].setText(str(settings.recovery.path or "-"))
        self.values["passphrase_file"].setText(str(settings.encryption.save_to or "-"))

    def nextId(self) -> int:
        from wizard.core.flow import Step

        # The buttons choose where to go; in the plain view there is no Next, only Finish.
        return -1 if self.wizard_().mode == "view" else int(Step.PROXY)

    def unregistered(self, vault: str) -> None:
        """The registration is gone: say so, and offer only a new registration."""
        self._idle(_("Unregistered from vault {vault}. The passphrase file was left where it is. Click "
                     "Register... to register this server again, or Finish to close.").format(vault=vault))
        self.setSubTitle(_("This server is not registered."))
        self.change.setEnabled(False)
        self.unregister.setEnabled(False)
        self.pin.clear()
        self.pin_row.setVisible(False)
        self.show_pin_refusal(None)
        self.again.setText(_("&Register..."))
        try:
            self.again.clicked.disconnect()
        except RuntimeError:
            pass
        self.again.clicked.connect(lambda: self.wizard_().begin("first", RegistrationSettings()))

    def _busy(self, text: str) -> None:
        self.status.setText(text)
        for button in (self.change, self.again, self.unregister):
            button.setEnabled(False)

    def _idle(self, text: str) -> None:
        self.status.setText(text)
        for button in (self.change, self.again, self.unregister):
            button.setEnabled(True)

    def _start(self, mode: str) -> None:
        """Read the saved settings with their keyring secrets (off the GUI thread), then go on."""
        from wizard.registration.maintenance import settings_from_record
        from wizard.core.secrets.store import SecretStore

        wizard = self.wizard_()
        record, home = wizard.record, wizard.store_root()
        self._busy(_("Reading the saved settings..."))

        def work(report: Any) -> RegistrationSettings:
            return without_acknowledgement(settings_from_record(record, SecretStore.for_state_dir(home)))

        def done(settings: Any) -> None:
            self._idle("")
            if mode == "change":
                # A new passphrase goes to a new file: the one in force stays where it is.
                settings = replace(settings, encryption=replace(settings.encryption, save_to=None))
            wizard.begin(mode, settings)

        self._task = Task(work, on_success=done, on_failure=lambda error: self._idle(_failure_text(error)),
                          parent=self).start()

    def _unregister(self) -> None:
        from wizard.ui import dialogs

        wizard = self.wizard_()
        vault, machine = wizard.record.vault.name, wizard.record.machine.name
        question = _("Unregister {machine} from vault {vault}? Backups of this server to the vault stop. "
                     "Registering again needs a new credentials file.").format(machine=machine, vault=vault)
        if not dialogs.confirm(self, wizard.windowTitle(), question, yes=_("&Unregister"), no=_("&Keep")):
            return
        from wizard.core.secret import Secret

        home = wizard.home
        typed = self.pin.text().strip()
        pin = Secret(typed) if typed else None  # none: the vault says whether it needs one
        self.show_pin_refusal(None)
        self._busy(_("Unregistering from vault {vault}...").format(vault=vault))

        def work(report: Any) -> object:
            from wizard.registration.maintenance import unregister

            return unregister(home=home, pin=pin)

        def failed(error: BaseException) -> None:
            code = getattr(error, "code", "")
            if code.startswith("security.pin_"):
                self._idle("")
                self.show_pin_refusal(code)
            else:
                self._idle(_failure_text(error))

        self._task = Task(work, on_success=lambda done: wizard.forget_registration(), on_failure=failed,
                          parent=self).start()

    def show_pin_refusal(self, code: str | None) -> None:
        """The vault's security.pin_* refusal under the PIN box, read out with it; None clears it."""
        from wizard.core.issues import issue
        from wizard.ui.accessible import announce, describe

        shown = issue("registered.security_pin", code) if code else None
        self.pin_message.show_issues([shown] if shown else [])
        describe(self.pin, self.pin.toolTip(), f"{shown.message} {shown.fix}" if shown else "")
        if shown is not None:
            self.pin.setFocus()
            self.pin.selectAll()  # a new PIN typed replaces the refused one
            announce(self.pin, shown.message, assertive=True)


class EnterClicks(QObject):
    """Event filter: Enter or Return in the watched widget clicks `button` instead of reaching the
    dialog's default button."""

    def __init__(self, button: QPushButton, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._button = button

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) \
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if self._button.isEnabled():
                self._button.click()
            return True
        return False


def pin_box(parent: QWidget, key: str, tooltip: str) -> QLineEdit:
    """A masked box for a security PIN; its name comes from its label (`setBuddy`), never `key`.
    `tooltip` says what the PIN is for, as one sentence (each language words it whole)."""
    from wizard.ui.secret_entry import SecretEntry

    box = name_input(SecretEntry(parent), key)  # masked; typed digits reach assistive technology as masks
    box.setMaxLength(16)
    box.setToolTip(tooltip)
    return box


def _failure_text(error: BaseException) -> str:
    from wizard.core.errors import RegisterServerError

    if isinstance(error, RegisterServerError):
        return f"{error.message} {error.fix} ({error.code})"
    return _("Something unexpected went wrong; `register-server diagnostics` collects the details.")


class SaveSettingsPage(QWizardPage):
    """The last page of Change settings: what changes, a Save button, and the outcome."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(_("Save settings"))
        self.setSubTitle(_("The registration stays as it is; only the settings below change."))
        self.setFinalPage(True)
        layout = QVBoxLayout(self)
        self.changes = _value_label(self, "save_settings.changes")
        layout.addWidget(self.changes)
        pin_row = QHBoxLayout()
        pin_label = QLabel(_("Security P&IN, if the vault requires one:"), self)
        self.pin = pin_box(self, "security.pin",
                           _("The vault may require a PIN for a passphrase change: its administrator issues one "
                             "with `register-server vault security-pin VAULT` (valid 5 minutes)"))
        pin_label.setBuddy(self.pin)
        pin_row.addWidget(pin_label)
        pin_row.addWidget(self.pin)
        pin_row.addStretch(1)
        layout.addLayout(pin_row)
        self.save = name_input(QPushButton(_("&Save settings"), self), "save_settings.save")
        self._enter_saves = EnterClicks(self.save, self.pin)  # Enter in the PIN box: Save, as typed
        self.pin.installEventFilter(self._enter_saves)
        row = QHBoxLayout()
        row.addWidget(self.save)
        row.addStretch(1)
        layout.addLayout(row)
        self.status = _value_label(self, "save_settings.status")
        layout.addWidget(self.status)
        # A new passphrase's file is written by Save: only then can it be read back from.
        self.type_back = TypeBack(self, key="save_settings.type_back")
        layout.addWidget(self.type_back)
        self.type_back_message = FieldMessage("save_settings.type_back", self)
        self.type_back_message.show_fix = True
        layout.addWidget(self.type_back_message)
        self.type_back.changed.connect(self._typed_back)
        layout.addStretch(1)
        self.save.clicked.connect(self._save)
        self.saved = False
        self._has_changes = False
        self._saving = False
        self._task: Task | None = None

    def wizard_(self) -> "WizardHost":
        return self.wizard()  # type: ignore[return-value]

    def changed_sections(self) -> list[str]:
        wizard = self.wizard_()
        changed = [s for s in CHANGEABLE_SECTIONS if s != "encryption"
                   and getattr(wizard.settings, s) != getattr(wizard.saved_settings, s)]
        if wizard.settings.encryption.passphrase is not None:  # a new passphrase was typed
            changed.append("encryption")
        return changed

    def initializePage(self) -> None:
        from wizard.ui.summary_page import describe_proxy, describe_throttling

        self.saved = False
        self.type_back.clear()
        settings = self.wizard_().settings
        sections = self.changed_sections()
        shown = {"proxy": _("Proxy: {proxy}").format(proxy=describe_proxy(settings)),
                 "throttling": _("Throttling: {throttling}").format(throttling=describe_throttling(settings)),
                 "recovery": _("Recovery folder: {path}").format(path=settings.recovery.path),
                 "encryption": _("A new passphrase, saved to {path}").format(path=settings.encryption.save_to)}
        self.changes.setText("\n".join(shown[s] for s in sections) if sections else
                             _("Nothing was changed: the saved settings stay as they are."))
        self._has_changes = bool(sections)
        self.refresh_save()
        self.status.setText("")
        self.completeChanged.emit()

    def refresh_save(self) -> None:
        """Save is offered when something changed and the secret store can be used (the notice
        above says why not); never while a save runs."""
        store = getattr(self.wizard(), "secret_store", None)
        self.save.setEnabled(self._has_changes and not self._saving and not self.saved
                             and (store is None or store.usable))

    def isComplete(self) -> bool:
        """Finish once saved (and, after a new passphrase, typed back from its new file), or when
        nothing was changed."""
        return (self.saved and self.type_back.passed()) or not self.changed_sections()

    def _typed_back(self) -> None:
        from wizard.core.issues import issue
        from wizard.ui.accessible import announce

        wrong = self.type_back.asked and self.type_back.filled() and not self.type_back.passed()
        shown = issue("save_settings.type_back", "encryption.file_not_typed_back") if wrong else None
        if shown is not None and self.type_back_message.issue is None:
            announce(self.type_back_message, shown.message, assertive=True)
        self.type_back_message.show_issues([shown] if shown else [])
        self.completeChanged.emit()

    def nextId(self) -> int:
        return -1

    def _save(self) -> None:
        from wizard.core.answers import Answers, SecretSource, SourceKind

        wizard = self.wizard_()
        settings, sections, home = wizard.settings, self.changed_sections(), wizard.home
        from wizard.core.secret import Secret
        from wizard.registration.maintenance import PIN_PROMPT

        pin = self.pin.text().strip()
        secrets = {"proxy password": settings.proxy.password,
                   "new encryption passphrase": settings.encryption.passphrase,
                   PIN_PROMPT: Secret(pin) if pin else None}
        answers = Answers(replace(settings), proxy_password=SecretSource(SourceKind.PROMPT),
                          passphrase=SecretSource(SourceKind.PROMPT), sections=frozenset(sections))

        def typed(what: str) -> str:
            """What the pages hold for the secret the use case asks for (it asks as a terminal would)."""
            value = secrets.get(what.removesuffix(": "))
            return value.reveal() if value is not None else ""
        self._saving = True
        self.save.setEnabled(False)
        self.status.setText(_("Saving..."))

        def work(report: Any) -> object:
            from wizard.registration.maintenance import change_settings

            return change_settings(answers, home=home, environ={}, prompt=typed)

        def done(change: Any) -> None:
            self._saving = False
            self.saved = True
            wizard.settings_saved(settings)
            saved = _("Saved: {sections}.").format(sections=", ".join(_(SECTION_NAMES.get(s, s)) for s in change.changed))
            if change.passphrase_file:
                saved += " " + _("The new passphrase is in force; its file is {path}. Keep it safe.").format(
                    path=change.passphrase_file)
            new_passphrase = settings.encryption.passphrase
            if change.passphrase_file and new_passphrase is not None:
                self.status.setText(saved + " " + _("Type back the characters asked below, then click Finish."))
                self.type_back.ask(new_passphrase.reveal(), saved_to=change.passphrase_file)
                self.type_back.boxes[0].setFocus()
            else:
                self.status.setText(saved + " " + _("Click Finish to close."))
            self.completeChanged.emit()

        def failed(error: BaseException) -> None:
            self._saving = False
            self.refresh_save()
            self.status.setText(_failure_text(error))

        self._task = Task(work, on_success=done, on_failure=failed, parent=self).start()
