"""Step 4, Recovery Folder Setting: a local folder for recoveries, with its free space.

The disk checks (exists, writable, free space) run in a worker thread a moment after
typing stops or when the field is left, so a slow or unreachable volume never freezes
the window.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QSizePolicy, QWidget

from wizard.core.fields import label
from wizard.core.flow import Step
from wizard.core.i18n import _
from wizard.core.issues import Issue, issue
from wizard.core.model import RecoveryFolder, RegistrationSettings
from wizard.core.validators import (check_recovery_on_disk, format_size, free_space_bytes, parse_size_text,
                                    validate_recovery)
from wizard.ui import dialogs
from wizard.ui.page_base import StepPage, page_layout
from wizard.ui.platform_look import example_folder


@dataclass(frozen=True)
class DiskFacts:
    exists: bool
    free_bytes: int | None


class RecoveryPage(StepPage):
    step = Step.RECOVERY
    recheck_disk = True

    def subtitle(self) -> str:
        return _("Choose a local folder to hold recovered files temporarily while a recovery runs.")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        outer, form = page_layout(self)
        row = QWidget(self)
        row_layout = QHBoxLayout(row)
        row_layout.setContentsMargins(0, 0, 0, 0)
        self.folder = QLineEdit(row)
        self.folder.setPlaceholderText(example_folder())
        self.browse = QPushButton(_("Bro&wse..."), row)
        self.browse.setObjectName("recovery.browse")
        row_layout.addWidget(self.folder, 1)
        row_layout.addWidget(self.browse)
        self.add_row(form, "recovery.folder", row, input_widget=self.folder)
        self.accept_path_drops("recovery.folder", self.folder)

        self.free_space = QLabel(self)
        self.free_space.setObjectName("recovery.free_space")
        form.addRow(_("Free space:"), self.free_space)
        self.create = QCheckBox(label("recovery.create"), self)
        self.watch("recovery.create", self.create)
        form.addRow("", self.create)

        self.space_needed = QLineEdit(self)
        self.space_needed.setMaximumWidth(220)
        self.add_row(form, "recovery.space_needed", self.space_needed)
        hint = QLabel(_("If you know how much data recoveries will restore at the same time, enter it to "
                        "check it against the free space."), self)
        hint.setWordWrap(True)
        # A form row is as tall as the label's hint at its narrow preferred width: keep the
        # text at the top of the row, right under its field, and any spare height below it.
        hint.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        hint.setObjectName("recovery.hint")
        hint.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)  # wrap at the column's width
        form.addRow("", hint)  # under the field it explains, not under its label
        outer.addStretch(1)

        self.folder.textChanged.connect(self.refresh)
        self.space_needed.textChanged.connect(self.refresh)
        self.create.toggled.connect(self.refresh)
        self.browse.clicked.connect(self._browse)
        self._facts: DiskFacts | None = None
        self.create.setVisible(False)

    def _browse(self) -> None:
        start = self.folder.text().strip() or str(Path.home())
        chosen = dialogs.choose_folder(self, _("Choose the recovery folder"), start)
        if chosen:
            self.folder.setText(chosen)
            self.touch("recovery.folder")

    def load(self, settings: RegistrationSettings) -> None:
        recovery = settings.recovery
        self.folder.setText(str(recovery.path) if recovery.path else "")
        self.create.setChecked(recovery.create)
        self.space_needed.setText(format_size(recovery.space_needed_bytes) if recovery.space_needed_bytes else "")
        self.refresh()

    def _build(self) -> tuple[RecoveryFolder, list[Issue]]:
        text = self.folder.text().strip()
        needed_text = self.space_needed.text().strip()
        needed = parse_size_text(needed_text) if needed_text else None
        parse_issues = [issue("recovery.space_needed", "recovery.space_needed_invalid")] \
            if needed_text and needed is None else []
        folder = RecoveryFolder(path=Path(text).expanduser() if text else None,
                                create=self.create.isChecked() and not self.create.isHidden(),
                                space_needed_bytes=needed)
        return folder, parse_issues

    def collect_issues(self) -> list[Issue]:
        folder, parse_issues = self._build()
        return parse_issues + validate_recovery(folder)

    def apply(self, settings: RegistrationSettings) -> RegistrationSettings:
        folder, _issues = self._build()
        return replace(settings, recovery=folder)

    # --- the disk check, off the GUI thread ------------------------------------------------
    def slow_snapshot(self) -> RecoveryFolder | None:
        folder, parse_issues = self._build()
        if parse_issues or validate_recovery(folder):
            return None
        return folder

    def slow_check(self, snapshot: RecoveryFolder) -> tuple[list[Issue], DiskFacts]:
        assert snapshot.path is not None
        facts = DiskFacts(exists=snapshot.path.exists(), free_bytes=free_space_bytes(snapshot.path))
        return check_recovery_on_disk(snapshot), facts

    def slow_check_done(self, snapshot: RecoveryFolder, extra: DiskFacts | None) -> None:
        self._facts = extra
        if extra is None:
            self.free_space.setText(_("Unknown"))
            return
        self.free_space.setText(_("Unknown (the volume cannot be reached)") if extra.free_bytes is None
                                else _("{size} on this volume").format(size=format_size(extra.free_bytes)))
        self.create.setVisible(not extra.exists)

    def slow_field(self) -> str:
        return "recovery.folder"
