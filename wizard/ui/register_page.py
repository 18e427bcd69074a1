"""Step 6, Register: runs the core's registration procedure in a worker and shows each step.

This is QWizard's commit page: its Next button reads "Register"; once registration has
succeeded the wizard moves on to the summary and cannot go back. The worker only
reports `ProgressEvent`s; this page turns them into ticks. A failure shows the
catalogue's message and fix and, when a page can fix it (`routing.step_for`), a button that
goes back to that page. Cancel stops the procedure: at once while it connects and signs in
(its network I/O is stopped), after the vault answers once the registration request is sent.
"""

from __future__ import annotations

import gc
import socket
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame, QGridLayout, QHBoxLayout, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget, QWizardPage,
)

from wizard.core.errors import Cancelled, RegisterServerError
from wizard.core.flow import Step, title
from wizard.core.i18n import N_, _
from wizard.core.routing import step_for
from wizard.core.registration.events import STEP_MESSAGES, STEPS
from wizard.ui.assets import pixmap
from wizard.ui import accessible
from wizard.ui.page_base import content_layout, name_input
from wizard.ui.worker import Task


# English msgids, translated when shown (never at import: start-up pays for no lookup).
SUBTITLE_READY = N_("Check what will be registered, then click Register. This takes a few seconds.")
SUBTITLE_RUNNING = N_("Registering this server. Click Cancel to stop it.")
SUBTITLE_DONE = N_("Registration complete.")
SUBTITLE_FAILED = N_("The server was not registered. Fix the problem below, then click Register to try again.")
SUBTITLE_CANCELLED = N_("The registration was cancelled. Nothing was registered.")
CANCELLED_FIX = N_("Click Register to start again, or Cancel to close the wizard.")
# What a reader hears for each stage's state.
STATE_NAMES = {"pending": N_("pending"), "done": N_("done"), "running": N_("running"), "error": N_("failed")}


class RegisterPage(QWizardPage):
    step = Step.REGISTER

    # Emitted the moment the registration succeeded, with the result, while this page still
    # shows the finished state (before the wizard moves on to the Summary): for observers
    # such as the docs generator's screenshot, instead of patching the wizard's method.
    registered = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(title(self.step))
        self.setSubTitle(_(SUBTITLE_READY))
        self.setCommitPage(True)
        layout = content_layout(self)  # inside the frame named for readers (page_base)
        self.intro = QLabel(self)
        self.intro.setObjectName("register.intro")
        self.intro.setWordWrap(True)
        layout.addWidget(self.intro)

        steps = QWidget(self)
        grid = QGridLayout(steps)
        grid.setContentsMargins(12, 6, 0, 6)
        grid.setVerticalSpacing(6)
        grid.setColumnStretch(1, 1)
        self._step_icons: dict[str, QLabel] = {}
        self._step_labels: dict[str, QLabel] = {}
        self._step_state: dict[str, str] = {}
        for row, step in enumerate(STEPS):
            icon = QLabel(steps)
            icon.setFixedSize(16, 16)
            text = QLabel(_(STEP_MESSAGES[step]), steps)
            text.setObjectName(f"register.step.{step}")
            grid.addWidget(icon, row, 0)
            grid.addWidget(text, row, 1)
            self._step_icons[step] = icon
            self._step_labels[step] = text
        layout.addWidget(steps)
        self.progress = QProgressBar(self)
        name_input(self.progress, "register.progress")
        self.progress.setAccessibleName(_("Registration progress"))
        self.progress.setRange(0, len(STEPS))
        self.progress.setTextVisible(False)
        layout.addWidget(self.progress)
        self.status = QLabel(self)
        self.status.setObjectName("register.status")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)

        self.error_box = QFrame(self)
        self.error_box.setObjectName("register.error")
        self.error_box.setAccessibleName(_("Registration error"))
        self.error_box.setFrameShape(QFrame.Shape.StyledPanel)
        error_layout = QHBoxLayout(self.error_box)
        error_icon = QLabel(self.error_box)
        error_icon.setPixmap(pixmap("error", 20))
        error_icon.setFixedSize(22, 22)
        error_icon.setAccessibleName(_("Error"))
        error_layout.addWidget(error_icon, 0, Qt.AlignmentFlag.AlignTop)
        texts = QVBoxLayout()
        self.error_message = QLabel(self.error_box)
        self.error_message.setObjectName("register.error_message")
        self.error_message.setWordWrap(True)
        self.error_message.setStyleSheet("font-weight: bold")
        self.error_fix = QLabel(self.error_box)
        self.error_fix.setObjectName("register.error_fix")
        self.error_fix.setWordWrap(True)
        texts.addWidget(self.error_message)
        texts.addWidget(self.error_fix)
        self.go_fix = QPushButton(self.error_box)
        name_input(self.go_fix, "register.go_to_fix")
        self.go_fix.clicked.connect(self._go_fix)
        fix_row = QHBoxLayout()
        fix_row.addWidget(self.go_fix)
        fix_row.addStretch(1)
        texts.addLayout(fix_row)
        error_layout.addLayout(texts, 1)
        layout.addWidget(self.error_box)
        layout.addStretch(1)

        self._task: Task | None = None
        self._busy = False
        self._cancel: Any = None
        self._fix_step: Step | None = None
        self.result: Any = None
        self.error: RegisterServerError | None = None
        self._reset()

    # --- state ------------------------------------------------------------------------------
    def _reset(self) -> None:
        for step in STEPS:
            self._set_step(step, "step-pending")
        self.progress.setValue(0)
        self.status.setText("")
        self.setSubTitle(_(SUBTITLE_READY))
        self._show_error_box(False)
        self.error = None

    def _show_error_box(self, shown: bool) -> None:
        # QWizard gives a new page's focus to its first focusable child even when hidden: a
        # hidden "Go to" button would take it and swallow Enter, which must mean Register.
        self.go_fix.setFocusPolicy(Qt.FocusPolicy.StrongFocus if shown and self._fix_step is not None
                                  else Qt.FocusPolicy.NoFocus)
        self.error_box.setVisible(shown)

    def _set_step(self, step: str, icon: str) -> None:
        state = icon.removeprefix("step-")
        self._step_state[step] = state
        self._step_icons[step].setPixmap(pixmap(icon))
        self._step_icons[step].setAccessibleName(_(STATE_NAMES[state]))
        self._step_labels[step].setAccessibleDescription(_(STATE_NAMES[state]))

    def running(self) -> bool:
        """From Register until the outcome has been shown (not until the thread has exited)."""
        return self._busy

    def initializePage(self) -> None:
        settings = self.wizard().settings  # type: ignore[attr-defined]
        machine = settings.machine.name or socket.gethostname()
        vault_page = self.wizard().page(int(Step.VAULT))
        credentials = vault_page.credentials() if vault_page is not None else None
        from html import escape

        if credentials is not None:
            self.intro.setText(_("This server, <b>{machine}</b>, will be registered with the vault <b>{vault}</b>.")
                               .format(machine=escape(machine), vault=escape(credentials.vault_name)))
        else:
            self.intro.setText(_("This server, <b>{machine}</b>, will be registered with the vault.")
                               .format(machine=escape(machine)))
        if self.error is None and self.result is None:
            self._reset()

    def isComplete(self) -> bool:
        """Register is clickable until it runs; once registered, nothing here can be done again.
        Not before the wizard knows secrets can be stored here (the notice above says why)."""
        store = getattr(self.wizard(), "secret_store", None)
        return not self.running() and self.result is None and (store is None or store.usable)

    def blocked_because(self) -> str:
        """Why Register is not available, for the disabled button to say ("" when it is)."""
        store = getattr(self.wizard(), "secret_store", None)
        if self.running():
            return _("Registration is running. Cancel stops it.")
        if self.result is not None:
            return _("This server has been registered.")
        if store is not None and not store.usable:
            problem = store.problem
            if problem is None:
                return _("Checking that this system can store secrets.")
            return _("Secrets cannot be stored on this system: {message} What to do: {fix}").format(
                message=problem.message, fix=problem.fix)
        return ""

    def validatePage(self) -> bool:
        if self.result is not None:
            return True
        if not self.running():
            self.start()
        return False

    # --- running ------------------------------------------------------------------------------
    def start(self) -> None:
        from wizard.registration import CancelToken

        wizard = self.wizard()
        settings, home = wizard.settings, wizard.home  # type: ignore[attr-defined]
        self._reset()
        self._cancel = CancelToken()
        cancel = self._cancel
        self.status.setText(_("Registering..."))
        self.setSubTitle(_(SUBTITLE_RUNNING))
        self._busy = True
        # Everything alive now (Qt wrappers, modules, pages) lives as long as the window.
        # Freezing it means the worker's allocations do not trigger full collections that
        # walk all of it while holding the interpreter lock, stalling the GUI thread
        # (measured: longest heartbeat gap ~20-30 ms with this, 40-70 ms without).
        gc.freeze()

        def work(report: Any) -> object:
            from wizard.registration import run_registration

            return run_registration(settings, home=home, on_progress=report, cancel=cancel)

        self._task = Task(work, on_progress=self._progressed, on_success=self._succeeded,
                          on_failure=self._failed, parent=self).start()
        self.completeChanged.emit()
        wizard.button(wizard.WizardButton.BackButton).setEnabled(False)
        # Register just disabled itself: without this, focus falls to Back (Enter would go back
        # later). Cancel is the one thing a person can do now.
        wizard.button(wizard.WizardButton.CancelButton).setFocus()
        accessible.announce(self.status, self.status.text())

    def cancel(self) -> None:
        """Ask the procedure to stop at the next step boundary."""
        if self.running() and self._cancel is not None:
            self._cancel.cancel()
            self.status.setText(_("Cancelling..."))

    def _progressed(self, event: Any) -> None:
        index = STEPS.index(event.step) if event.step in STEPS else event.index
        for done in STEPS[:index]:
            self._set_step(done, "step-done")
        if event.step in STEPS:
            self._set_step(event.step, "running")
        self.progress.setValue(index)
        # The event's message is English (the command line's --json keeps it): shown translated.
        shown = _(STEP_MESSAGES[event.step]) if event.step in STEP_MESSAGES else event.message
        self.status.setText(_("{step}...").format(step=shown))
        accessible.announce(self.status, self.status.text())

    def _succeeded(self, result: Any) -> None:
        self._busy = False
        self.result = result
        for step in STEPS:
            self._set_step(step, "step-done")
        self.progress.setValue(len(STEPS))
        from html import escape

        self.status.setText(_("The server is registered."))
        self.setSubTitle(_(SUBTITLE_DONE))
        done = _("This server, <b>{machine}</b>, is now re-registered with the vault <b>{vault}</b>.") \
            if result.re_registration else _("This server, <b>{machine}</b>, is now registered with the vault <b>{vault}</b>.")
        self.intro.setText(done.format(machine=escape(result.machine_name), vault=escape(result.vault_name)))
        self.completeChanged.emit()  # Register turns off (isComplete) ...
        wizard = self.wizard()
        wizard.button(wizard.WizardButton.BackButton).setEnabled(False)  # ... and so does Back: a commit is final
        self.registered.emit(result)
        self.wizard().registration_finished(result)  # type: ignore[attr-defined]

    def _failed(self, error: BaseException) -> None:
        self._busy = False
        if not isinstance(error, RegisterServerError):
            error = RegisterServerError("internal.unexpected", detail=type(error).__name__)
        self.error = error
        for step in self._step_labels:
            if self._step_state.get(step) == "running":
                self._set_step(step, "error")
        self.status.setText("")
        cancelled = isinstance(error, Cancelled)
        self.setSubTitle(_(SUBTITLE_CANCELLED) if cancelled else _(SUBTITLE_FAILED))
        self.error_message.setText(error.message)
        self.error_fix.setText(_(CANCELLED_FIX) if cancelled else error.fix)
        self._fix_step = None if cancelled else step_for(error.code)
        if self._fix_step is not None and self._fix_step < Step.REGISTER:
            self.go_fix.setText(_("&Go to {step}").format(step=title(self._fix_step)))
            self.go_fix.show()
        else:
            self._fix_step = None
            self.go_fix.hide()
        self._show_error_box(True)
        self.completeChanged.emit()
        wizard = self.wizard()
        wizard.button(wizard.WizardButton.BackButton).setEnabled(True)
        # Said at once, and the focus goes where the fix is: the "Go to ..." button, or Register
        # (to try again) when no page can fix it.
        said = " ".join((_("Registration failed."), error.message, self.error_fix.text())).strip()
        self.error_box.setAccessibleDescription(said)
        accessible.announce(self.error_box, said, assertive=True)
        (self.go_fix if self._fix_step is not None else wizard.button(wizard.WizardButton.CommitButton)).setFocus()

    def fix_step(self) -> Step | None:
        return self._fix_step

    def _go_fix(self) -> None:
        if self._fix_step is not None:
            self.error = None
            self.wizard().go_to(self._fix_step)  # type: ignore[attr-defined]
