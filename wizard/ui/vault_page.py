"""Step 2, Backup Vault: the credentials file, what it says, and a connection test.

Reading the file (XML, PKCS#12) and looking for a newer file beside it run in a worker
thread, so `cryptography` is imported only once this page needs it and a file on a slow
share never freezes the window. The connection test runs the core's `test_connection`
in a worker too and shows each step as it completes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QFormLayout, QGridLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget,
)

from wizard.core.errors import RegisterServerError
from wizard.core.fields import label, plain_label
from wizard.core.flow import Step
from wizard.core.i18n import L_, N_, _, in_language
from wizard.core.issues import Issue, Severity, issue
from wizard.core.limits import CREDENTIALS_EXTENSION
from wizard.core.model import RegistrationSettings, VaultSettings
from wizard.core.validators import check_ca_bundle, validate_vault
from wizard.ui import accessible, dialogs
from wizard.ui.assets import pixmap
from wizard.ui.page_base import StepPage, name_input, page_layout
from wizard.ui.platform_look import native_path
from wizard.ui.worker import Task

FILE_FIELD = "vault.credentials_file"
CA_FIELD = "vault.ca_bundle"
CONNECTION_LABELS = {
    "proxy_choice": N_("Proxy choice"), "dns": N_("Name lookup (DNS)"), "tcp": N_("Connection (TCP)"),
    "proxy": N_("Proxy"), "tls": N_("Secure channel (TLS)"), "token_endpoint": N_("Vault sign-in endpoint"),
}


@dataclass(frozen=True)
class FileFacts:
    """What the worker found: the verified credentials (if any) and a newer file beside it."""

    credentials: Any | None  # wizard.core.credentials.VaultCredentials (import kept lazy)
    newer: Path | None


def read_file_facts(vault: VaultSettings) -> tuple[list[Issue], FileFacts]:
    """Runs in a worker thread: read and verify the file, look beside it, check the CA file."""
    from wizard.core.credentials import newer_sibling, newer_sibling_for_refused, read_credentials

    found = check_ca_bundle(vault)
    assert vault.credentials_file is not None
    try:
        credentials = read_credentials(vault.credentials_file)
    except RegisterServerError as error:
        # An old download picked by mistake: point to the newer one already beside it.
        newer = newer_sibling_for_refused(vault.credentials_file, error)
        advice = None if newer is None else \
            _("A newer file for this vault lies beside it, {name}: click {button}.").format(
                name=newer.name, button=plain_label("vault.use_newer"))
        return [Issue(FILE_FIELD, error.code, error.message, advice=advice)] + found, FileFacts(None, newer)
    newer = newer_sibling(vault.credentials_file, credentials)
    if newer is not None:
        found.append(issue(FILE_FIELD, "credentials.superseded", L_("Newer file: {name}.", name=newer.name), Severity.WARNING))
    return found, FileFacts(credentials, newer)


def is_credentials_path(path: str) -> bool:
    return path.lower().endswith(CREDENTIALS_EXTENSION.lower())


class VaultPage(StepPage):
    step = Step.VAULT

    def subtitle(self) -> str:
        return _("Choose the vault credentials file you downloaded for the vault this server will back up to.")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAcceptDrops(True)
        outer, form = page_layout(self)
        file_row = QWidget(self)
        file_layout = QHBoxLayout(file_row)
        file_layout.setContentsMargins(0, 0, 0, 0)
        self.credentials_file = QLineEdit(file_row)
        self.browse = QPushButton(_("Bro&wse..."), file_row)
        name_input(self.browse, "vault.browse")
        file_layout.addWidget(self.credentials_file, 1)
        file_layout.addWidget(self.browse)
        self.add_row(form, FILE_FIELD, file_row, input_widget=self.credentials_file).show_fix = True
        self.accept_path_drops(FILE_FIELD, self.credentials_file, self.set_credentials_file)
        self.use_newer = QPushButton(label("vault.use_newer"), self)
        name_input(self.use_newer, "vault.use_newer")
        self.use_newer.hide()
        form.addRow("", self.use_newer)

        self.details = QGroupBox(_("Vault"), self)
        self.details.setObjectName("vault.details")
        details_form = QFormLayout(self.details)
        # A caption and a long value (a 40-digit thumbprint) that do not fit side by side: the
        # caption goes above (it was squeezed and cut in German at 800 x 600).
        details_form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        details_form.setVerticalSpacing(2)
        self.facts: dict[str, QLabel] = {}
        for key, caption in (("vault", _("Vault:")), ("subscription", _("Subscription:")),
                             ("resource_group", _("Resource group:")), ("location", _("Location:")),
                             ("thumbprint", _("Certificate thumbprint:")), ("expires", _("Expires in:"))):
            value = QLabel("-", self.details)
            value.setObjectName(f"vault.details.{key}")
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.facts[key] = value
            if key == "expires":  # the longest fact ("47 h 12 min (valid until ...)"): it wraps, never cut
                value.setWordWrap(True)
            details_form.addRow(caption, value)
        form.addRow(self.details)

        ca_row = QWidget(self)
        ca_layout = QHBoxLayout(ca_row)
        ca_layout.setContentsMargins(0, 0, 0, 0)
        self.ca_bundle = QLineEdit(ca_row)
        self.ca_browse = QPushButton(_("Brow&se..."), ca_row)
        name_input(self.ca_browse, "vault.ca_browse")
        ca_layout.addWidget(self.ca_bundle, 1)
        ca_layout.addWidget(self.ca_browse)
        self.add_row(form, CA_FIELD, ca_row, input_widget=self.ca_bundle).show_fix = True
        self.accept_path_drops(CA_FIELD, self.ca_bundle)

        test_row = QHBoxLayout()
        self.test_button = QPushButton(label("vault.test_connection"), self)
        name_input(self.test_button, "vault.test_connection")
        test_row.addWidget(self.test_button)
        self.test_status = QLabel(self)
        self.test_status.setObjectName("vault.test_status")
        self.test_status.setWordWrap(True)  # what to do after a failed test is a sentence: never cut it off
        test_row.addWidget(self.test_status, 1)
        outer.addLayout(test_row)
        self.checks = QWidget(self)
        self.checks.setObjectName("vault.connection_checks")
        self._checks_layout = QGridLayout(self.checks)
        self._checks_layout.setContentsMargins(12, 0, 0, 0)
        self._checks_layout.setVerticalSpacing(1)
        self._checks_layout.setColumnStretch(2, 1)
        outer.addWidget(self.checks)
        outer.addStretch(1)

        self._facts: FileFacts | None = None
        self._test_task: Task | None = None
        self._check_rows = 0
        self._cancel: Any = None
        self._countdown = QTimer(self)
        self._countdown.setInterval(1000)
        self._countdown.timeout.connect(self._tick)
        self.credentials_file.textChanged.connect(self._file_edited)
        self.ca_bundle.textChanged.connect(self.refresh)
        self.browse.clicked.connect(self._browse)
        self.ca_browse.clicked.connect(self._browse_ca)
        self.use_newer.clicked.connect(self._use_newer)
        self.test_button.clicked.connect(self.test_connection)
        self._show_facts(None)

    # --- input ----------------------------------------------------------------------------
    def _browse(self) -> None:
        start = self.credentials_file.text().strip() or str(Path.home() / "Downloads")
        chosen = dialogs.choose_open_file(self, _("Choose the vault credentials file"), start,
                                          _("Vault credentials (*{extension});;All files (*)").format(
                                              extension=CREDENTIALS_EXTENSION))
        if chosen:
            self.set_credentials_file(chosen)

    def _browse_ca(self) -> None:
        chosen = dialogs.choose_open_file(self, _("Choose the CA certificate to trust"), self.ca_bundle.text().strip(),
                                          _("PEM certificates (*.pem *.crt *.cer);;All files (*)"))
        if chosen:
            self.ca_bundle.setText(chosen)
            self.touch(CA_FIELD)

    def _use_newer(self) -> None:
        if self._facts is not None and self._facts.newer is not None:
            self.set_credentials_file(str(self._facts.newer))

    def set_credentials_file(self, path: str) -> None:
        self.credentials_file.setText(path)
        self.touch(FILE_FIELD)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        urls = event.mimeData().urls()
        if len(urls) == 1 and urls[0].isLocalFile():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        urls = event.mimeData().urls()
        if len(urls) == 1 and urls[0].isLocalFile():
            self.set_credentials_file(native_path(urls[0].toLocalFile()))
            event.acceptProposedAction()

    def _file_edited(self) -> None:
        self._show_facts(None)
        self._clear_checks()
        self.refresh()

    # --- model ----------------------------------------------------------------------------
    def load(self, settings: RegistrationSettings) -> None:
        vault = settings.vault
        self.credentials_file.setText(str(vault.credentials_file) if vault.credentials_file else "")
        self.ca_bundle.setText(str(vault.ca_bundle) if vault.ca_bundle else "")
        self.refresh()

    def _build(self) -> VaultSettings:
        file_text, ca_text = self.credentials_file.text().strip(), self.ca_bundle.text().strip()
        return VaultSettings(credentials_file=Path(file_text).expanduser() if file_text else None,
                             ca_bundle=Path(ca_text).expanduser() if ca_text else None)

    def collect_issues(self) -> list[Issue]:
        return validate_vault(self._build())

    def extra_issues(self) -> list[Issue]:
        found = super().extra_issues()
        credentials = self.credentials()
        if credentials is not None and credentials.expires_in(datetime.now(timezone.utc)).total_seconds() <= 0:
            found = found + [issue(FILE_FIELD, "credentials.expired")]
        record = self.wizard_().record if self.wizard_() is not None else None
        if credentials is not None and record is not None \
                and str(credentials.resource_id) != record.vault.resource_id:
            # Registering again takes a file of the vault this server is registered to; say which.
            found = found + [issue(FILE_FIELD, "vault.wrong_vault",
                                   L_("It is registered to {registered}; this file is for {vault}.",
                                      registered=record.vault.name, vault=credentials.vault_name))]
        return found

    def apply(self, settings: RegistrationSettings) -> RegistrationSettings:
        return replace(settings, vault=self._build())

    def credentials(self) -> Any | None:
        """The verified credentials of the current file, once the worker has read it."""
        if self._facts is None or not self.slow_check_current():
            return None
        return self._facts.credentials

    # --- reading the file, off the GUI thread -------------------------------------------------
    def slow_snapshot(self) -> VaultSettings | None:
        vault = self._build()
        return vault if not validate_vault(vault) else None

    def slow_check(self, snapshot: VaultSettings) -> tuple[list[Issue], FileFacts]:
        return read_file_facts(snapshot)

    def slow_check_done(self, snapshot: VaultSettings, extra: FileFacts | None) -> None:
        self._show_facts(extra)

    def slow_field(self) -> str:
        return FILE_FIELD

    def _show_facts(self, facts: FileFacts | None) -> None:
        self._facts = facts
        credentials = facts.credentials if facts else None
        self.use_newer.setVisible(bool(facts and facts.newer))
        self.details.setVisible(credentials is not None)  # no empty "-" rows before a file is read
        self.test_button.setEnabled(credentials is not None and not self._testing())
        if credentials is None:
            for label in self.facts.values():
                label.setText("")
            self._countdown.stop()
            return
        self.facts["vault"].setText(credentials.vault_name)
        self.facts["subscription"].setText(credentials.subscription_id)
        self.facts["resource_group"].setText(credentials.resource_group)
        self.facts["location"].setText(credentials.location)
        self.facts["thumbprint"].setText(credentials.thumbprint_sha1)
        self._tick()
        self._countdown.start()

    def _tick(self) -> None:
        from wizard.core.credentials.model import format_time_left
        from wizard.core.i18n import format_datetime

        credentials = self._facts.credentials if self._facts else None
        if credentials is None:
            return
        left = credentials.expires_in(datetime.now(timezone.utc))
        local = credentials.not_after.astimezone()
        until = f"{format_datetime(local)} {local.strftime('%Z')}".strip()
        self.facts["expires"].setText(_("{left} (valid until {until})").format(left=format_time_left(left), until=until))
        if left.total_seconds() <= 0:
            self._countdown.stop()
            self.refresh()

    # --- connection test --------------------------------------------------------------------
    def test_connection(self) -> None:
        """Walk DNS, TCP, proxy, TLS and the token endpoint in a worker; show each step."""
        from wizard.registration import CancelToken

        if self._test_task is not None and self._test_task.is_running():
            return
        wizard = self.wizard_()
        settings = self.apply(wizard.settings)
        self._clear_checks()
        self.test_status.setText(_("Testing..."))
        # The button disables itself while it works: the focus waits on the status line (which
        # a reader then reads) instead of falling to "< Back", and lands on the button when it
        # is done, beside the results, so Enter tests again rather than leaving the page.
        # (Also after Alt+O from a field: a mnemonic clicks without moving the focus.)
        self._focus_back = self.isVisible()
        if self._focus_back:
            self.test_status.setFocusPolicy(Qt.FocusPolicy.ClickFocus)  # never in the Tab chain
            self.test_status.setFocus(Qt.FocusReason.OtherFocusReason)
        self.test_button.setEnabled(False)
        accessible.announce(self.test_status, self.test_status.text())
        self._cancel = CancelToken()
        cancel = self._cancel

        def work(report: Any) -> object:
            from wizard.registration import test_connection

            return test_connection(settings, on_step=report, cancel=cancel)

        self._test_task = Task(work, on_progress=self._add_check, on_success=self._test_done,
                               on_failure=self._test_failed, parent=self).start()

    def _testing(self) -> bool:
        task = getattr(self, "_test_task", None)
        return task is not None and task.is_running()

    def cancel_test(self) -> None:
        if self._cancel is not None:
            self._cancel.cancel()

    def _clear_checks(self) -> None:
        while self._checks_layout.count():
            item = self._checks_layout.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        self._check_rows = 0
        self.test_status.setText("")

    def _add_check(self, check: Any) -> None:
        row = getattr(self, "_check_rows", 0)
        icon = QLabel(self.checks)
        icon.setPixmap(pixmap("ok" if check.ok else "error", 14))
        icon.setAccessibleName(_("passed") if check.ok else _("failed"))
        name = QLabel(_(CONNECTION_LABELS[check.step]) if check.step in CONNECTION_LABELS else check.step, self.checks)
        detail = QLabel(in_language(check.detail) or "", self.checks)  # the core keeps it English (--json)
        detail.setWordWrap(True)
        detail.setObjectName(f"vault.check.{check.step}")
        self._checks_layout.addWidget(icon, row, 0)
        self._checks_layout.addWidget(name, row, 1)
        self._checks_layout.addWidget(detail, row, 2)
        self._check_rows = row + 1

    def _test_done(self, checks: Any) -> None:
        self.test_button.setEnabled(self.credentials() is not None)
        shown = {self._checks_layout.itemAtPosition(r, 2).widget().objectName()
                 for r in range(getattr(self, "_check_rows", 0))}
        for check in checks:
            if f"vault.check.{check.step}" not in shown:
                self._add_check(check)
        failed = [c for c in checks if not c.ok]
        if failed:
            from wizard.core.errors import info

            first = failed[0]
            fix = info(first.code).fix if first.code else ""
            self.test_status.setText(" ".join((_("The connection test failed."), fix)).strip())
        else:
            self.test_status.setText(_("The vault can be reached."))
        self._test_finished()

    def _test_finished(self) -> None:
        """Announce the outcome and hand the focus back to the button, so Enter tests again."""
        accessible.announce(self.test_status, self.test_status.text())
        # Orca 43 (Debian 12) ignores announcements but reads a focused button's description:
        # the outcome is said when the focus comes back here.
        self.test_button.setAccessibleDescription(self.test_status.text())
        if getattr(self, "_focus_back", False) and self.test_button.isEnabled() and self.test_status.hasFocus():
            self.test_button.setFocus(Qt.FocusReason.OtherFocusReason)
        self.test_status.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self._focus_back = False

    def keyPressEvent(self, event: Any) -> None:
        # Enter while the test runs would reach the wizard's default button (Next): swallow it.
        if self._testing() and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            event.accept()
            return
        super().keyPressEvent(event)

    def _test_failed(self, error: BaseException) -> None:
        self.test_button.setEnabled(self.credentials() is not None)
        if isinstance(error, RegisterServerError):
            self.test_status.setText(f"{error.message} {error.fix}")
        else:
            self.test_status.setText(_("The connection test stopped unexpectedly."))
        self._test_finished()
