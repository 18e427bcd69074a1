"""The wizard window: six pages in DPM order plus a summary, around one `RegistrationSettings`.

Electrum's shape: the flow lives in the core (`wizard.core.flow`), the wizard holds the
state, pages load from and apply to it. `create_wizard()` is the one entry point for the
application, the docs generator and the tests.

Start-up: with `lazy=True` (what the application uses) only the first page is built
before the window is shown; the other pages, and the modules behind them, are built
right after the first page has been painted. Nobody can reach page 2 before then, and
the first paint comes sooner (see benchmarks/bench_startup.py).
"""

from __future__ import annotations

import gc
import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, QSize, QTimer
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QFrame, QWidget, QWizard, QWizardPage

from wizard.core.flow import ORDER, Step, step_heading
from wizard.core.i18n import N_, _
from wizard.core.model import RegistrationSettings
from wizard.ui import accessible
from wizard.ui.assets import pixmap
from wizard.ui.page_base import CONTENT, StepPage, content_of
from wizard.ui.platform_look import look_for
from wizard.ui.side_panel import SidePanel
from wizard.ui.worker import Task

if TYPE_CHECKING:
    from wizard.core.registration.record import RegistrationRecord

DEFAULT_SIZE = QSize(860, 640)  # fits 1024 x 768 with room for the title bar and a taskbar
# The smallest window every page stays readable in (tests/ui/layout_check.py measures each page
# there): smaller, the vault details became a smear and Summary rows overlapped.
MINIMUM_SIZE = QSize(800, 600)
WINDOW_TITLE = N_("Register Server")  # translated when shown

def page_class(step: Step) -> type[QWizardPage]:
    """The page of `step`, imported when it is built, found by name: Step.PROXY is
    `wizard.ui.proxy_page.ProxyPage` (a new step needs its module, not a line here too)."""
    module = importlib.import_module(f"wizard.ui.{step.name.lower()}_page")
    return getattr(module, f"{step.name.title()}Page")  # type: ignore[no-any-return]


def prewarm_registration() -> None:
    """Import the registration client (httpx, TLS, JWT) while the user reads a page.

    Loading those extension modules holds the interpreter lock for tens of milliseconds;
    done here, that happens while the user is reading the Throttling page instead of
    while the Register page is animating its progress.
    """
    import wizard.registration.connection  # noqa: F401
    import wizard.registration.procedure  # noqa: F401


class _FirstPaint(QObject):
    """Calls back once, after the watched widget's first paint has been handled."""

    def __init__(self, callback: Any, parent: QObject) -> None:
        super().__init__(parent)
        self._callback = callback

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            QTimer.singleShot(0, self._callback)
        return False


class RegisterWizard(QWizard):
    """Holds the one `RegistrationSettings`; pages are keyed by `Step` value."""

    def __init__(self, settings: RegistrationSettings | None = None, *, home: str | Path | None = None,
                 lazy: bool = False, check_secret_store: bool = True, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.home = str(home) if home else None
        # A registered state folder opens to its registration (RegisteredPage), not a blank wizard.
        self.record: RegistrationRecord | None = self._load_record()
        if settings is None and self.record is not None:
            from wizard.registration.maintenance import settings_from_record
            from wizard.ui.registered_page import without_acknowledgement

            settings = without_acknowledgement(settings_from_record(self.record))
        self.settings = settings or RegistrationSettings()
        self.saved_settings = self.settings
        self.mode = "view" if self.record is not None else "first"  # view | change | again | first
        self.result: Any = None
        self._prewarmed = False
        self._closing_now = False
        self.setObjectName("wizard")
        self.setWindowTitle(_(WINDOW_TITLE))
        self.setWizardStyle(look_for().wizard_style)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, True)
        self.setPixmap(QWizard.WizardPixmap.LogoPixmap, pixmap("logo", 48))
        # Every button's text in the administrator's language (Qt's own are English without
        # its .qm catalogues, which the product does not ship: one translation system).
        for button, text in ((QWizard.WizardButton.BackButton, _("< &Back")),
                             (QWizard.WizardButton.NextButton, _("&Next >")),
                             (QWizard.WizardButton.CommitButton, _("&Register")),
                             (QWizard.WizardButton.FinishButton, _("&Finish")),
                             (QWizard.WizardButton.CancelButton, _("Cancel"))):
            self.setButtonText(button, text)
        self.side_panel = SidePanel(self)
        self.setSideWidget(self.side_panel)
        from wizard.ui.secret_store_notice import SecretStoreCheck

        # Asked when the wizard opens (after the first paint when lazy: the probe loads keyring).
        self.secret_store = SecretStoreCheck(self, store=self._secret_store_kind)
        self._check_secret_store = check_secret_store
        if self.record is not None:
            first = self._build_registered_pages()
        else:
            first = self._build_page(ORDER[0])
            self.setStartId(int(ORDER[0]))
        self.currentIdChanged.connect(self._current_changed)
        self.setMinimumSize(MINIMUM_SIZE)
        self.resize(DEFAULT_SIZE)
        if lazy:
            first.installEventFilter(_FirstPaint(self._after_first_paint, self))
        else:
            self.build_all_pages()
            self._start_secret_store_check()
            self._settle_interrupted_change()

    def _after_first_paint(self) -> None:
        self.build_all_pages()
        self._start_secret_store_check()
        self._settle_interrupted_change()

    def _start_secret_store_check(self) -> None:
        if self._check_secret_store:
            self.secret_store.recheck()

    def _settle_interrupted_change(self) -> None:
        """A passphrase change or unregistration an earlier run left journalled is settled first, by
        the same use case as `status` (it asks the vault, so off the GUI thread); the registered view
        then shows the record as it now stands and says what was done, or why it could not be."""
        from wizard.registration.journal import JOURNAL

        if not (self.store_root() / JOURNAL).exists():  # one stat: the usual case costs nothing more
            return
        from wizard.registration.reconcile import reconcile_pending
        from wizard.ui.worker import Task

        Task(lambda report: reconcile_pending(self.home), on_success=self._settled,
             on_failure=lambda error: self._show_settle_status(f"{getattr(error, 'message', error)} "
                                                               f"{getattr(error, 'fix', '')}".strip()),
             parent=self).start()

    def _settled(self, done: Any) -> None:
        shown, self.record = self.record, self._load_record()
        page = self.currentPage()
        if self.record is None and shown is not None and self.mode == "view":
            self.record = shown  # for its vault's name
            self.forget_registration()  # an interrupted unregistration was finished
        elif self.record is not None and hasattr(page, "values"):
            page.initializePage()  # the passphrase file (and escrow) the vault has in force
        if done is not None:
            self._show_settle_status(done.sentence())

    def _show_settle_status(self, text: str) -> None:
        status = getattr(self.currentPage(), "status", None)
        if status is not None and hasattr(status, "setText"):
            status.setText(text)

    # --- the registration on this machine -----------------------------------------------------
    def store_root(self) -> Path:
        from wizard.core.storage import StateStore

        return StateStore(self.home).root

    def _secret_store_kind(self) -> str:
        """The store this wizard's registration will use: the answer file's choice, else the one the
        record names, else the keyring (asked off the GUI thread by the secret-store check)."""
        from wizard.core.secrets.choice import KEYRING, recorded_store

        return self.settings.secret_store or recorded_store(self.store_root()) or KEYRING

    def _load_record(self) -> "RegistrationRecord | None":
        """The local registration record; a damaged one opens the first-run wizard (status names it)."""
        from wizard.core.paths import REGISTRATION_FILE, state_dir

        if not (state_dir(self.home) / REGISTRATION_FILE).exists():
            return None  # never registered (the first run): one stat, the storage layer loads after the paint
        from wizard.core.errors import RegisterServerError
        from wizard.core.registration.record import load_record
        from wizard.core.storage import StateStore

        try:
            return load_record(StateStore(self.home))
        except RegisterServerError:
            return None

    def _build_registered_pages(self) -> QWizardPage:
        from wizard.ui.registered_page import REGISTERED_ID, SAVE_SETTINGS_ID, RegisteredPage, SaveSettingsPage

        page = RegisteredPage(self)
        save = SaveSettingsPage(self)
        from wizard.ui.secret_store_notice import SecretStoreNotice

        # Saving changed settings needs the store too (a new passphrase, the proxy password).
        save.layout().insertWidget(0, SecretStoreNotice(self.secret_store, "save_settings.secrets_notice", save))
        self.secret_store.changed.connect(save.refresh_save)
        for built in (page, save):
            accessible.name_for_people(built)
        self.setPage(REGISTERED_ID, page)
        self.setPage(SAVE_SETTINGS_ID, save)
        self.setStartId(REGISTERED_ID)
        return page

    def begin(self, mode: str, settings: RegistrationSettings) -> None:
        """From the registered view: Change settings, Register again, or (after unregistering)
        a first registration; the pages are pre-filled with `settings`."""
        self.mode = mode
        self.settings = self.saved_settings = settings
        self.build_all_pages()
        for page in self.step_pages():
            page.load(settings)
        self.next()

    def next_id_after(self, step: Step) -> int:
        """The page after `step`: Change settings skips the vault and ends on Save."""
        from wizard.core.flow import next_step

        if self.mode == "change":
            if step is Step.PROXY:
                return int(Step.THROTTLING)
            if step is Step.ENCRYPTION:
                from wizard.ui.registered_page import SAVE_SETTINGS_ID

                return SAVE_SETTINGS_ID
        following = next_step(step)
        return int(following) if following is not None else -1

    def settings_saved(self, settings: RegistrationSettings) -> None:
        self.saved_settings = settings
        self.record = self._load_record()

    def forget_registration(self) -> None:
        """After Unregister: nothing is registered any more; the page offers a first registration."""
        vault = self.record.vault.name if self.record else "the vault"
        self.record = None
        self.mode = "first"
        page = self.currentPage()
        if hasattr(page, "unregistered"):
            page.unregistered(vault)

    # --- pages -----------------------------------------------------------------------------------
    def _build_page(self, step: Step) -> QWizardPage:
        page = page_class(step)(self)
        if step in (Step.PROXY, Step.REGISTER):
            self._add_secret_store_notice(page, step)
        accessible.name_for_people(page)
        # What a reader says as the focus enters the page: Orca speaks a named panel the focus moves
        # into (it ignores the announcement of the page change); see page_base.content_layout.
        content = page.findChild(QFrame, CONTENT)
        if content is not None:
            content.setAccessibleName(step_heading(step))
        self.setPage(int(step), page)
        page.completeChanged.connect(self.explain_next)
        if isinstance(page, StepPage):
            page.reasonChanged.connect(self.explain_next)
            page.load(self.settings)
        return page

    def _add_secret_store_notice(self, page: QWizardPage, step: Step) -> None:
        """The first page tells at once when secrets cannot be stored; Register waits for a store."""
        from wizard.ui.secret_store_notice import SecretStoreNotice

        key = "secrets.notice" if step is Step.PROXY else "register.secrets_notice"
        content_of(page).insertWidget(0, SecretStoreNotice(self.secret_store, key, page))
        if step is Step.REGISTER:
            self.secret_store.changed.connect(page.completeChanged)

    def build_all_pages(self) -> None:
        """Build every page not built yet (idempotent)."""
        built = False
        for step in ORDER:
            if self.page(int(step)) is None:
                self._build_page(step)
                built = True
        if built:
            self.side_panel.finish()
            # The window's objects live as long as it does: keep full collections from
            # walking them (each walk holds the interpreter lock; see RegisterPage.start).
            gc.freeze()

    def pages_built(self) -> bool:
        return all(self.page(int(step)) is not None for step in ORDER)

    # --- navigation ----------------------------------------------------------------------------
    def page_for(self, step: Step) -> QWizardPage:
        return self.page(int(step))

    def step_pages(self) -> list[StepPage]:
        return [p for p in (self.page(int(s)) for s in ORDER) if isinstance(p, StepPage)]

    def current_step(self) -> Step:
        return Step(self.currentId())

    def next(self) -> None:
        self.build_all_pages()  # a keystroke can never outrun the deferred build
        super().next()

    def explain_next(self) -> None:
        """The disabled Next (or Register) says why: the page's first blocking problem becomes the
        button's accessible description and tooltip, so a reader that reaches it - Orca's flat review,
        NVDA's object navigation, a mouse user hovering - learns what to fix. Empty when it is enabled."""
        page = self.currentPage()
        reason = ""
        if page is not None and not page.isComplete() and hasattr(page, "blocked_because"):
            reason = page.blocked_because()
        current = self.currentId()
        # Register and Summary have no control of their own to focus first: the focus lands on
        # Register or Finish, outside the page's named panel, so the button says where it is.
        said = {QWizard.WizardButton.NextButton: reason,
                QWizard.WizardButton.CommitButton: reason or (step_heading(Step.REGISTER)
                                                             if current == int(Step.REGISTER) else ""),
                QWizard.WizardButton.FinishButton: step_heading(Step.SUMMARY) if current == int(Step.SUMMARY) else ""}
        for which, text in said.items():
            button = self.button(which)
            if button.accessibleDescription() != text:
                button.setToolTip(reason if which is not QWizard.WizardButton.FinishButton else "")
                button.setAccessibleDescription(text)  # after the tooltip: an empty description falls back to it

    def _current_changed(self, page_id: int) -> None:
        is_step = page_id in iter(Step)
        if is_step:
            self.side_panel.set_current(Step(page_id))
            accessible.announce(self.side_panel, self.side_panel.accessibleDescription())
        self.explain_next()
        # The registered view and Save settings are not steps of a registration: no step list there.
        self.side_panel.setVisible(is_step)
        if int(Step.THROTTLING) <= page_id <= int(Step.SUMMARY) and not self._prewarmed:
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
    def register_page(self) -> Any:
        return self.page(int(Step.REGISTER))

    def _registering(self) -> bool:
        page = self.register_page()
        return page is not None and page.running()

    def reject(self) -> None:
        """Cancel: stop a running registration first; otherwise confirm leaving unregistered."""
        if self._registering():
            self.register_page().cancel()
            return
        from wizard.ui import dialogs  # QMessageBox and QFileDialog stay off the start-up path

        question = self._close_question()
        if question and not self._closing_now and not dialogs.confirm(self, _(WINDOW_TITLE), question,
                                                                      yes=_("&Close"), no=_("&Stay")):
            return
        self._stop_background_work()
        super().reject()

    def _close_question(self) -> str | None:
        """What Cancel asks, true to what is and is not registered; None when nothing would be lost."""
        if self.result is not None:
            return None
        if self.record is None:
            return _("Close the wizard? This server has not been registered.")
        vault = self.record.vault.name
        if self.mode == "view":
            return None
        if self.mode == "change":
            saved = self.page(_save_settings_id())
            if saved is not None and saved.saved:
                return None
            return _("Close without saving? This server stays registered to vault {vault} with its "
                     "current settings.").format(vault=vault)
        return _("Close the wizard? This server stays registered to vault {vault} as before.").format(vault=vault)

    def close_now(self) -> None:
        """Close without asking (the process is being terminated): cancel, wait, close."""
        self._closing_now = True
        if self._registering():
            self.register_page().cancel()
        self._stop_background_work()
        super().reject()

    def done(self, result: int) -> None:
        self._stop_background_work()
        super().done(result)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._registering() and not self._closing_now:
            self.register_page().cancel()
            event.ignore()
            return
        super().closeEvent(event)

    def _stop_background_work(self) -> None:
        vault = self.page(int(Step.VAULT))
        if vault is not None and hasattr(vault, "cancel_test"):
            vault.cancel_test()
        Task.wait_all(10_000)


def _save_settings_id() -> int:
    from wizard.ui.registered_page import SAVE_SETTINGS_ID

    return SAVE_SETTINGS_ID


def create_wizard(answers: str | Path | None = None, *, home: str | Path | None = None,
                  settings: RegistrationSettings | None = None, lazy: bool = False,
                  check_secret_store: bool = True) -> RegisterWizard:
    """The wizard, ready to show; `answers` (an answer-file path) pre-fills the pages.

    Secrets are never pre-filled from an answer file: the administrator types them (the
    point of reviewing a prepared file). `settings` pre-fills directly (used by `demo`).
    `lazy` builds pages 2-7 after the first paint (the application's choice).
    `check_secret_store=False` skips the wizard's secret-store probe (the self-test reports the
    store on its own line and must not wait for a second probe when it closes the wizard). A
    QApplication must exist.
    """
    if answers is not None:
        from wizard.core.answers import load_answers

        from wizard.ui.registered_page import without_acknowledgement

        settings = without_acknowledgement(load_answers(answers).settings)
    return RegisterWizard(settings, home=home, lazy=lazy, check_secret_store=check_secret_store)



__all__ = ["RegisterWizard", "create_wizard", "DEFAULT_SIZE", "MINIMUM_SIZE"]
