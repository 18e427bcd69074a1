"""The wizard window: six pages in DPM order plus a summary, around one `RegistrationSettings`.

Electrum's shape: the flow lives in the core (`wizard.core.flow`), the wizard holds the
state, pages load from and apply to it. `create_wizard()` is the one entry point for the
application, the docs generator and the tests.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QWidget, QWizard, QWizardPage

from wizard.core.flow import ORDER, TITLES, Step
from wizard.core.model import RegistrationSettings
from wizard.ui import dialogs
from wizard.ui.assets import pixmap, style_sheet
from wizard.ui.encryption_page import EncryptionPage
from wizard.ui.page_base import StepPage
from wizard.ui.proxy_page import ProxyPage
from wizard.ui.recovery_page import RecoveryPage
from wizard.ui.register_page import RegisterPage
from wizard.ui.side_panel import SidePanel
from wizard.ui.summary_page import SummaryPage
from wizard.ui.throttling_page import ThrottlingPage
from wizard.ui.vault_page import VaultPage
from wizard.ui.worker import Task

DEFAULT_SIZE = QSize(860, 640)  # fits 1024 x 768 with room for the title bar and a taskbar
WINDOW_TITLE = "Register Server Wizard"

PAGE_CLASSES: dict[Step, type[QWizardPage]] = {
    Step.PROXY: ProxyPage, Step.VAULT: VaultPage, Step.THROTTLING: ThrottlingPage, Step.RECOVERY: RecoveryPage,
    Step.ENCRYPTION: EncryptionPage, Step.REGISTER: RegisterPage, Step.SUMMARY: SummaryPage,
}


def prewarm_registration() -> None:
    """Import the registration client (httpx, TLS, JWT) while the user reads a page.

    Loading those extension modules holds the interpreter lock for tens of milliseconds;
    done here, that happens while the user is reading the Throttling page instead of
    while the Register page is animating its progress.
    """
    import wizard.core.registration.connection  # noqa: F401
    import wizard.core.registration.procedure  # noqa: F401


class RegisterWizard(QWizard):
    """Holds the one `RegistrationSettings`; pages are keyed by `Step` value."""

    def __init__(self, settings: RegistrationSettings | None = None, *, home: str | Path | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings or RegistrationSettings()
        self.home = str(home) if home else None
        self.result: Any = None
        self._prewarmed = False
        self.setObjectName("wizard")
        self.setWindowTitle(WINDOW_TITLE)
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, True)
        self.setPixmap(QWizard.WizardPixmap.LogoPixmap, pixmap("logo", 48))
        self.setButtonText(QWizard.WizardButton.CommitButton, "&Register")
        self.setStyleSheet(style_sheet())
        self.side_panel = SidePanel(self)
        self.setSideWidget(self.side_panel)
        for step in ORDER:
            self.setPage(int(step), PAGE_CLASSES[step](self))
        self.setStartId(int(ORDER[0]))
        for step_page in self.step_pages():
            step_page.load(self.settings)
        self.currentIdChanged.connect(self._current_changed)
        self.resize(DEFAULT_SIZE)

    # --- navigation ----------------------------------------------------------------------------
    def page_for(self, step: Step) -> QWizardPage:
        return self.page(int(step))

    def step_pages(self) -> list[StepPage]:
        return [p for p in (self.page(int(s)) for s in ORDER) if isinstance(p, StepPage)]

    def current_step(self) -> Step:
        return Step(self.currentId())

    def _current_changed(self, page_id: int) -> None:
        if page_id >= 0:
            self.side_panel.set_current(Step(page_id))
        if page_id >= int(Step.THROTTLING) and not self._prewarmed:
            self._prewarmed = True
            Task(lambda report: prewarm_registration(), on_failure=lambda error: None, parent=self).start()

    def go_to(self, step: Step) -> None:
        """Go back to `step` (the Register page's "go to the page that can fix it")."""
        while self.currentId() > int(step) and self.currentId() != -1:
            before = self.currentId()
            self.back()
            if self.currentId() == before:
                break
        page = self.currentPage()
        if isinstance(page, StepPage):
            page.reveal_all()

    def registration_finished(self, result: Any) -> None:
        self.result = result
        self.next()

    # --- closing -------------------------------------------------------------------------------
    def register_page(self) -> RegisterPage:
        return self.page(int(Step.REGISTER))  # type: ignore[return-value]

    def reject(self) -> None:
        """Cancel: stop a running registration first; otherwise confirm leaving unregistered."""
        page = self.register_page()
        if page.running():
            page.cancel()
            return
        if self.result is None and not dialogs.confirm(
                self, WINDOW_TITLE, "Close the wizard? This server has not been registered.",
                yes="Close", no="Stay"):
            return
        self._stop_background_work()
        super().reject()

    def done(self, result: int) -> None:
        self._stop_background_work()
        super().done(result)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.register_page().running():
            self.register_page().cancel()
            event.ignore()
            return
        super().closeEvent(event)

    def _stop_background_work(self) -> None:
        vault = self.page(int(Step.VAULT))
        if isinstance(vault, VaultPage):
            vault.cancel_test()
        Task.wait_all(10_000)


def create_wizard(answers: str | Path | None = None, *, home: str | Path | None = None,
                  settings: RegistrationSettings | None = None) -> RegisterWizard:
    """The wizard, ready to show; `answers` (an answer-file path) pre-fills the pages.

    Secrets are never pre-filled from an answer file: the administrator types them (the
    point of reviewing a prepared file). `settings` pre-fills directly (used by `demo`).
    A QApplication must exist.
    """
    if answers is not None:
        from wizard.core.answers import load_answers

        settings = load_answers(answers).settings
    wizard = RegisterWizard(settings, home=home)
    wizard.setWindowFlag(Qt.WindowType.WindowContextHelpButtonHint, False)
    return wizard


__all__ = ["RegisterWizard", "create_wizard", "DEFAULT_SIZE", "TITLES"]
