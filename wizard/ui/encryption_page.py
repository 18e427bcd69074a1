"""Step 5, Encryption Setting: the passphrase, its confirmation, and where its file goes.

The rules checklist and the inline messages update on every keystroke (cheap core
checks); the zxcvbn strength estimate is debounced and runs in a worker thread, because
its import and its cost grow heavy; the save-location disk check runs in a worker too.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QCheckBox, QGridLayout, QHBoxLayout, QLabel, QLineEdit, QProgressBar, QPushButton, QWidget,
)

from wizard.core.fields import hint, label
from wizard.core.flow import Step
from wizard.core.i18n import _
from wizard.core.issues import Issue, issue
from wizard.core.model import EncryptionSettings, RegistrationSettings
from wizard.core.secret import Secret
from wizard.core.validators import check_encryption_on_disk, passphrase_rules, validate_encryption
from wizard.ui import dialogs
from wizard.ui.assets import pixmap
from wizard.ui.page_base import StepPage, name_input, page_layout
from wizard.ui.type_back import TypeBack
from wizard.ui.secret_entry import SecretEntry
from wizard.ui.worker import Task

STRENGTH_DELAY_MS = 150
DEFAULT_FILE_NAME = "passphrase.txt"  # when only a folder is given (Browse's start, a dropped folder)


class RuleList(QWidget):
    """The live checklist: one line per rule, a tick or a cross, one rule under the other.

    Why one column: two abreast fitted English, but German's and the pseudo-locale's longer rules
    were cut off at the default size; a grid that switched columns with the width could not get
    the extra rows from the form in time (they overlapped). One column fits every language.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("encryption.rules")
        self.setAccessibleName(_("Passphrase rules"))
        self._layout = QGridLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setHorizontalSpacing(6)
        self._layout.setVerticalSpacing(1)
        self._rows: list[tuple[QLabel, QLabel]] = []
        self._state: list[tuple[str, bool]] = []
    def show_rules(self, rules: list[tuple[str, bool]]) -> None:
        if rules == self._state:
            return
        self._state = list(rules)
        while len(self._rows) < len(rules):
            index = len(self._rows)
            icon, text = QLabel(self), QLabel(self)
            icon.setFixedSize(16, 16)
            self._layout.addWidget(icon, index, 0)
            self._layout.addWidget(text, index, 1)
            self._rows.append((icon, text))
        for (icon, text), (label, ok) in zip(self._rows, rules):
            icon.setPixmap(pixmap("ok" if ok else "error", 14))
            state = _("met") if ok else _("not met")
            icon.setAccessibleName(state)
            text.setText(label)
            text.setAccessibleDescription(state)
        met, not_met = _("met"), _("not met")
        self.setAccessibleDescription("; ".join(f"{label}: {met if ok else not_met}" for label, ok in rules))

    def state(self) -> list[tuple[str, bool]]:
        return list(self._state)


class EncryptionPage(StepPage):
    step = Step.ENCRYPTION
    recheck_disk = True

    def initializePage(self) -> None:
        # (It sat on RuleList, where nothing called it: Change settings showed the first-run subtitle.)
        wizard = self.wizard_()
        changing = wizard is not None and wizard.mode == "change"
        self.setSubTitle(_("To keep the passphrase in force, leave the passphrase empty. A new passphrase is saved "
                           "to a new file and replaces the old one for new backups.") if changing else self.subtitle())
        super().initializePage()

    def subtitle(self) -> str:
        return _("Backups are encrypted with a passphrase only you hold. Nobody, not even the vault's operator, "
                 "can recover it: keep the passphrase file safe.")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        outer, form = page_layout(self)
        self.passphrase = SecretEntry(self)
        pass_row = QWidget(self)
        pass_layout = QHBoxLayout(pass_row)
        pass_layout.setContentsMargins(0, 0, 0, 0)
        self.generate = QPushButton(label("encryption.generate"), pass_row)
        name_input(self.generate, "encryption.generate")
        self.generate.setToolTip(hint("encryption.generate"))
        pass_layout.addWidget(self.passphrase, 1)
        pass_layout.addWidget(self.generate)
        self.add_row(form, "encryption.passphrase", pass_row, input_widget=self.passphrase)
        self.confirmation = SecretEntry(self)
        self.add_row(form, "encryption.passphrase_confirm", self.confirmation)
        self.show_toggle = QCheckBox(label("encryption.show_passphrase"), self)
        name_input(self.show_toggle, "encryption.show_passphrase")
        form.addRow("", self.show_toggle)

        strength_row = QWidget(self)
        strength_layout = QHBoxLayout(strength_row)
        strength_layout.setContentsMargins(0, 0, 0, 0)
        self.strength = QProgressBar(strength_row)
        name_input(self.strength, "encryption.strength")
        self.strength.setRange(0, 4)
        self.strength.setTextVisible(False)
        self.strength.setFixedHeight(10)
        self.strength.setMaximumWidth(200)
        self.strength_label = QLabel(strength_row)
        self.strength_label.setObjectName("encryption.strength_label")
        self.strength_label.setWordWrap(True)
        strength_layout.addWidget(self.strength)
        strength_layout.addWidget(self.strength_label, 1)
        form.addRow(_("Strength:"), strength_row)
        self.rules = RuleList(self)
        form.addRow(_("Rules:"), self.rules)

        save_row = QWidget(self)
        save_layout = QHBoxLayout(save_row)
        save_layout.setContentsMargins(0, 0, 0, 0)
        self.save_to = QLineEdit(save_row)
        self.browse = QPushButton(_("Bro&wse..."), save_row)
        name_input(self.browse, "encryption.browse")
        save_layout.addWidget(self.save_to, 1)
        save_layout.addWidget(self.browse)
        form.addRow(QLabel(" ", self))
        self.add_row(form, "encryption.save_passphrase_to", save_row,
                     input_widget=self.save_to)
        self.accept_path_drops("encryption.save_passphrase_to", self.save_to, self._dropped_save_location)
        sheet_row = QWidget(self)
        sheet_layout = QHBoxLayout(sheet_row)
        sheet_layout.setContentsMargins(0, 0, 0, 0)
        self.print_sheet = QPushButton(label("encryption.print_sheet"), sheet_row)
        name_input(self.print_sheet, "encryption.print_sheet")
        self.print_sheet.setToolTip(hint("encryption.print_sheet"))
        self.sheet_status = QLabel(sheet_row)
        self.sheet_status.setObjectName("encryption.sheet_status")
        self.sheet_status.setWordWrap(True)
        sheet_layout.addWidget(self.print_sheet)
        sheet_layout.addWidget(self.sheet_status, 1)
        form.addRow("", sheet_row)
        self.escrow = QCheckBox(label("encryption.escrow"), self)
        name_input(self.escrow, "encryption.escrow")
        self.escrow.setChecked(True)
        outer.addWidget(self.escrow)
        # The condition goes on a wrapping line under the box (a check box's text cannot wrap: the
        # one long box text was cut off in German at the default size).
        indent = self.style().pixelMetric(self.style().PixelMetric.PM_IndicatorWidth) + 6
        escrow_when = QLabel(hint("encryption.escrow"), self)
        escrow_when.setObjectName("encryption.escrow.when")
        escrow_when.setWordWrap(True)
        escrow_when.setContentsMargins(indent, 0, 0, 0)
        outer.addWidget(escrow_when)
        # A check box's text cannot wrap: the short promise is the box, the why is a wrapping line
        # under it (one long box text was cut off in a window 800 pixels wide).
        self.stored_safely = QCheckBox(label("encryption.stored_safely"), self)
        self.watch("encryption.stored_safely", self.stored_safely)
        outer.addWidget(self.stored_safely)
        why = QLabel(_("Without it, backups cannot be recovered. After Register, you type back three of its "
                       "characters from the saved file."), self)
        why.setObjectName("encryption.stored_safely.why")
        why.setWordWrap(True)
        why.setContentsMargins(indent, 0, 0, 0)
        outer.addWidget(why)
        self.type_back = TypeBack(self)
        self.type_back.changed.connect(self.refresh)
        outer.addWidget(self.type_back)
        outer.addWidget(self.message_for("encryption.stored_safely"))
        outer.addStretch(1)

        self._strength_timer = QTimer(self)
        self._strength_timer.setSingleShot(True)
        self._strength_timer.setInterval(STRENGTH_DELAY_MS)
        self._strength_timer.timeout.connect(self.update_strength)
        self.passphrase.textChanged.connect(self._passphrase_edited)
        self.confirmation.textChanged.connect(self.refresh)
        self.save_to.textChanged.connect(self.refresh)
        self.stored_safely.toggled.connect(lambda _checked: self.touch("encryption.stored_safely"))
        self.show_toggle.toggled.connect(self._toggle_visible)
        self.generate.clicked.connect(self._generate)
        self.browse.clicked.connect(self._browse)
        self.print_sheet.clicked.connect(self._print_sheet)
        self._strength_for: str | None = None
        self._strength_task: Task | None = None

    # --- actions --------------------------------------------------------------------------
    def _passphrase_edited(self) -> None:
        self.refresh()
        self._strength_timer.start()

    def _toggle_visible(self, visible: bool) -> None:
        mode = QLineEdit.EchoMode.Normal if visible else QLineEdit.EchoMode.Password
        self.passphrase.setEchoMode(mode)
        self.confirmation.setEchoMode(mode)

    def _generate(self) -> None:
        from wizard.core.passphrase import generate_passphrase

        value = generate_passphrase().reveal()
        self.passphrase.setText(value)
        self.confirmation.setText(value)
        self.show_toggle.setChecked(True)  # a generated passphrase must be seen to be written down
        self.touch("encryption.passphrase", "encryption.passphrase_confirm")
        self.update_strength()

    def _browse(self) -> None:
        start = self.save_to.text().strip() or str(Path.home() / DEFAULT_FILE_NAME)
        chosen = dialogs.choose_save_file(self, _("Save the passphrase file to"), start,
                                           _("Text files (*.txt);;All files (*)"))
        if chosen:
            self.save_to.setText(chosen)
            self.touch("encryption.save_passphrase_to")

    def _print_sheet(self) -> None:
        from wizard.ui.recovery_sheet_action import print_recovery_sheet

        passphrase = self.passphrase.text()
        if not passphrase or passphrase != self.confirmation.text():
            self.sheet_status.setText(_("Type the passphrase and its confirmation first."))
            return
        save_to = self._build().save_to
        start = save_to.parent if save_to is not None and save_to.parent.is_dir() else Path.home()
        outcome = print_recovery_sheet(self, self.wizard_(), Secret(passphrase), start)
        if outcome is not None:
            saved, shown = outcome
            self.sheet_status.setText(shown)
            self.sheet_status.setAccessibleDescription(shown)
            if saved:
                self.type_back.ask(passphrase)  # before the promise to keep it safe counts

    def update_strength(self) -> None:
        """Estimate the strength of the passphrase as it is now, in a worker thread.

        zxcvbn is imported on first use (tens of milliseconds of dictionary loading) and is
        pure Python: neither belongs on the GUI thread. A result for text that has changed
        since is dropped.
        """
        text = self.passphrase.text()
        if text == self._strength_for:
            return
        self._strength_for = text
        if self._strength_task is not None:
            self._strength_task.discard()
        if not text:
            self._strength_task = None
            self._show_strength(None)
            return

        def estimate(report: object) -> object:
            from wizard.core.passphrase import estimate_strength

            return estimate_strength(Secret(text))

        self._strength_task = Task(estimate, on_success=self._show_strength, parent=self).start()

    def _show_strength(self, strength: object | None) -> None:
        if strength is None:
            self.strength.setValue(0)
            self.strength.setAccessibleDescription("")
            self.strength_label.setText("")
            return
        self.strength.setValue(strength.score)  # type: ignore[attr-defined]
        self.strength.setAccessibleDescription(strength.label)  # type: ignore[attr-defined]
        feedback = strength.feedback  # type: ignore[attr-defined]
        self.strength_label.setText(f"{strength.label}. {feedback}" if feedback else strength.label)  # type: ignore[attr-defined]

    # --- model ----------------------------------------------------------------------------
    def _dropped_save_location(self, path: str) -> None:
        """A folder dropped here means "save it in there", under the name already typed."""
        chosen = Path(path)
        if chosen.is_dir():
            typed = self.save_to.text().strip()
            chosen = chosen / (Path(typed).name if typed else DEFAULT_FILE_NAME)
        self.save_to.setText(str(chosen))
        self.touch("encryption.save_passphrase_to")

    def load(self, settings: RegistrationSettings) -> None:
        encryption = settings.encryption
        self.passphrase.setText(encryption.passphrase.reveal() if encryption.passphrase else "")
        self.confirmation.setText(encryption.confirmation.reveal() if encryption.confirmation else "")
        self.save_to.setText(str(encryption.save_to) if encryption.save_to else "")
        self.stored_safely.setChecked(encryption.stored_safely)
        self.escrow.setChecked(encryption.escrow is not False)
        self.refresh()

    def _build(self) -> EncryptionSettings:
        passphrase, confirmation, save_to = self.passphrase.text(), self.confirmation.text(), self.save_to.text().strip()
        return EncryptionSettings(passphrase=Secret(passphrase) if passphrase else None,
                                  confirmation=Secret(confirmation) if confirmation else None,
                                  save_to=Path(save_to).expanduser() if save_to else None,
                                  stored_safely=self.stored_safely.isChecked(),
                                  # ticked: sealed when the vault has a recovery certificate; unticked: never
                                  escrow=None if self.escrow.isChecked() else False)

    def keeping_current(self) -> bool:
        """In Change settings, empty passphrase fields mean "keep the passphrase in force"."""
        wizard = self.wizard_()
        return wizard is not None and wizard.mode == "change" and not self.passphrase.text() \
            and not self.confirmation.text()

    def collect_issues(self) -> list[Issue]:
        encryption = self._build()
        rules = passphrase_rules(encryption.passphrase, encryption.confirmation or Secret(""))
        self.rules.show_rules([(rule.label, rule.ok) for rule in rules])
        if self.keeping_current():
            return []
        wizard = self.wizard_()
        recovery = wizard.settings.recovery if wizard is not None else None
        found = validate_encryption(encryption, recovery)
        if self.type_back.asked and encryption.stored_safely and not self.type_back.passed():
            found.append(issue("encryption.stored_safely", "encryption.not_typed_back"))
        return found

    def apply(self, settings: RegistrationSettings) -> RegistrationSettings:
        return replace(settings, encryption=self._build())

    # --- the save location's disk check, off the GUI thread ---------------------------------
    def extra_issues(self) -> list[Issue]:
        return [] if self.keeping_current() else super().extra_issues()

    def slow_snapshot(self) -> Path | None:
        if self.keeping_current():
            return None
        save_to = self._build().save_to
        return save_to if save_to is not None and save_to.is_absolute() else None

    def slow_check(self, snapshot: Path) -> tuple[list[Issue], None]:
        return check_encryption_on_disk(EncryptionSettings(save_to=snapshot)), None

    def slow_field(self) -> str:
        return "encryption.save_passphrase_to"
