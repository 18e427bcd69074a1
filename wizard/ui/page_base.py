"""What every step page shares: fields with labels, inline messages and Next gating.

A page reads its widgets into the core's model (`build`), asks the core's validators
for issues, and shows them under the fields the user has already left. `isComplete()`
is "no blocking issue", so QWizard disables Next while anything is wrong; pressing
Enter or Next on an incomplete page reveals every message, so the user always learns
why. Pages never decide what is valid: that is the validators' job.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import TYPE_CHECKING, Any, Callable

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractButton, QFormLayout, QFrame, QLabel, QVBoxLayout, QWidget, QWizardPage,
)

from wizard.core.fields import caption, hint
from wizard.core.flow import Step, title
from wizard.core.i18n import _
from wizard.core.issues import Issue
from wizard.core.model import RegistrationSettings
from wizard.ui import accessible
from wizard.ui.accessible import keyed
from wizard.ui.contrast import error_frame
from wizard.ui.field_message import FieldMessage
from wizard.ui.platform_look import native_path
from wizard.ui.worker import Task

if TYPE_CHECKING:
    from PySide6.QtWidgets import QLineEdit

    from wizard.ui.wizard_host import WizardHost


def name_input(widget: QWidget, key: str) -> QWidget:
    """Give an input its answer-file key as objectName, for code only (people hear its label)."""
    return keyed(widget, key)


class StepPage(QWizardPage):
    """Base of the five settings pages. Subclasses set `step` and implement the hooks."""

    step: Step
    reasonChanged = Signal()  # blocked_because() changed (the wizard puts it on the disabled Next)
    # Pages whose slow check looks at the disk: it re-runs whenever the disk may have changed
    # (an input gains focus, Next, every RECHECK_MS while the page is shown), never cached per path;
    # a folder created in a file manager meanwhile must not keep "does not exist" on screen.
    recheck_disk = False
    RECHECK_MS = 2000

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(title(self.step))
        self._messages: dict[str, FieldMessage] = {}
        self._inputs: dict[str, QWidget] = {}
        self._path_drops: dict[QWidget, Callable[[str], None]] = {}
        self._touched: set[str] = set()
        self._issues: list[Issue] = []
        self._complete = True
        self._reason = ""
        self.setSubTitle(self.subtitle())
        # Slow checks (disk, file parsing): run in a worker for one snapshot of the inputs.
        self._slow_for: Hashable | None = None
        self._slow_issues: list[Issue] = []
        self._slow_task: Task | None = None
        self._slow_pending: Hashable | None = None
        self._next_when_checked = False
        self._slow_timer = QTimer(self)
        self._slow_timer.setSingleShot(True)
        self._slow_timer.setInterval(400)
        self._slow_timer.timeout.connect(self.start_slow_check)
        self._checked_for_next = False
        self.disk_timer = QTimer(self)
        self.disk_timer.setInterval(self.RECHECK_MS)
        self.disk_timer.timeout.connect(self.recheck)

    # --- hooks for subclasses -------------------------------------------------------------
    def subtitle(self) -> str:
        return ""

    def load(self, settings: RegistrationSettings) -> None:
        """Show `settings` in the widgets."""
        raise NotImplementedError

    def apply(self, settings: RegistrationSettings) -> RegistrationSettings:
        """`settings` with this page's part replaced by what the widgets hold (valid or not)."""
        raise NotImplementedError

    def collect_issues(self) -> list[Issue]:
        """The cheap issues of what the widgets hold now (runs on every keystroke)."""
        raise NotImplementedError

    def slow_snapshot(self) -> Hashable | None:
        """What the slow check depends on (hashable); None when there is nothing to check."""
        return None

    def slow_check(self, snapshot: Any) -> tuple[list[Issue], Any]:
        """Runs in a worker thread: core calls only, never a widget. Returns (issues, extra)."""
        return [], None

    def slow_check_done(self, snapshot: Any, extra: Any) -> None:
        """On the GUI thread: show whatever `extra` the slow check produced."""

    def extra_issues(self) -> list[Issue]:
        """Issues of the slow check, if it ran for what the widgets hold now."""
        return self._slow_issues if self._slow_for == self.slow_snapshot() else []

    def busy(self) -> bool:
        """True while a background check this page depends on is still running."""
        return False

    # --- slow checks ----------------------------------------------------------------------
    def schedule_slow_check(self) -> None:
        """Debounced: typing pauses for a moment, then the slow check runs."""
        self._slow_timer.start()

    def recheck(self) -> None:
        """Run the disk check again for the same inputs (the disk may have changed); what it found
        last stays shown until the new answer arrives."""
        if self.recheck_disk and self.isVisible():
            self.start_slow_check(force=True)

    def start_slow_check(self, *, force: bool = False) -> None:
        snapshot = self.slow_snapshot()
        if snapshot is None:
            return
        if not force and (snapshot == self._slow_for or snapshot == self._slow_pending):
            return
        if self._slow_task is not None:
            self._slow_task.discard()
        self._slow_pending = snapshot
        self._slow_task = Task(lambda report: self.slow_check(snapshot),
                               on_success=lambda result: self._slow_finished(snapshot, result),
                               on_failure=lambda error: self._slow_failed(snapshot, error),
                               parent=self).start()

    def _slow_finished(self, snapshot: Hashable, result: tuple[list[Issue], Any]) -> None:
        issues, extra = result
        self._slow_for, self._slow_issues, self._slow_pending = snapshot, issues, None
        self.slow_check_done(snapshot, extra)
        self.refresh()
        if self._next_when_checked and snapshot == self.slow_snapshot():
            self._next_when_checked = False
            if self._complete and self.wizard_() is not None and self.wizard_().currentPage() is self:
                self._checked_for_next = True  # this very check is Next's: validatePage takes it
                self.wizard_().next()
                self._checked_for_next = False

    def _slow_failed(self, snapshot: Hashable, error: BaseException) -> None:
        from wizard.core.errors import RegisterServerError
        from wizard.core.issues import issue

        self._slow_pending = None
        self._next_when_checked = False
        code = error.code if isinstance(error, RegisterServerError) else "internal.unexpected"
        self._slow_for, self._slow_issues = snapshot, [issue(self.slow_field(), code)]
        self.slow_check_done(snapshot, None)
        self.refresh()

    def slow_field(self) -> str:
        """The field an unexpected slow-check failure is shown under."""
        return next(iter(self._messages), "")

    def slow_check_current(self) -> bool:
        snapshot = self.slow_snapshot()
        return snapshot is None or snapshot == self._slow_for

    # --- wiring ---------------------------------------------------------------------------
    def wizard_(self) -> "WizardHost":
        return self.wizard()  # type: ignore[return-value]

    def add_row(self, form: QFormLayout, key: str, field: QWidget, *,
                input_widget: QWidget | None = None) -> FieldMessage:
        """A row captioned with `key`'s label from the field registry, plus its message line.

        `field` may be a container; `input_widget` gets the name. The label and the placeholder
        come from `wizard.core.fields.LABELS` (declared once, translated here, when shown).
        """
        target = input_widget or field
        name_input(target, key)
        text = caption(key)
        accessible.name(target, text)  # people hear the label; the key stays in objectName
        placeholder = hint(key)
        if placeholder and hasattr(target, "setPlaceholderText"):
            target.setPlaceholderText(placeholder)
        row_caption = QLabel(text, self)
        row_caption.setBuddy(target)
        form.addRow(row_caption, field)
        message = self.watch(key, target)
        form.addRow("", message)
        return message

    def watch(self, key: str, widget: QWidget) -> FieldMessage:
        """Track `widget` as field `key`: its message appears once focus leaves it."""
        name_input(widget, key)
        message = self._messages.get(key) or FieldMessage(key, self)
        self._messages[key] = message
        self._inputs[key] = widget
        widget.installEventFilter(self)
        return message

    def message_for(self, key: str) -> FieldMessage | None:
        return self._messages.get(key)

    def accept_path_drops(self, key: str, field: "QLineEdit", on_drop: Callable[[str], None] | None = None) -> None:
        """A file or folder dropped onto `field` (already watched as `key`) becomes its text.

        Why: a line edit alone inserts the drag's text (a file:// URL, as Linux file managers
        offer it) at the cursor, in the middle of whatever path was there.
        """
        def set_path(path: str) -> None:
            field.setText(path)
            self.touch(key)

        self._path_drops[field] = on_drop or set_path

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.FocusIn and watched in self._inputs.values():
            self.recheck()
        elif kind == QEvent.Type.FocusOut:
            for key, widget in self._inputs.items():
                if widget is watched:
                    self.touch(key)
        elif watched in self._path_drops and kind in (QEvent.Type.DragEnter, QEvent.Type.DragMove,
                                                       QEvent.Type.Drop):
            urls = event.mimeData().urls()  # type: ignore[attr-defined]
            if len(urls) == 1 and urls[0].isLocalFile():
                event.acceptProposedAction()  # type: ignore[attr-defined]
                if kind == QEvent.Type.Drop:
                    self._path_drops[watched](native_path(urls[0].toLocalFile()))  # type: ignore[index]
                return True
        return super().eventFilter(watched, event)

    def touch(self, *keys: str) -> None:
        self._touched.update(keys)
        self.refresh()
        self.start_slow_check()

    def reveal_all(self) -> None:
        self._touched.update(self._messages)
        self._touched.update(i.field for i in self._issues)
        self.refresh()
        self.start_slow_check()

    def issues(self) -> list[Issue]:
        return list(self._issues)

    def refresh(self, *_args: Any) -> None:
        """Re-validate and update messages and Next; connected to every edit signal."""
        self._issues = self.collect_issues() + self.extra_issues()
        for key, message in self._messages.items():
            shown = [i for i in self._issues if i.field == key] if key in self._touched else []
            # Warnings and notes are shown at once: they never block and help early.
            shown += [i for i in self._issues if i.field == key and not i.blocking and key not in self._touched]
            message.show_issues(shown)
            widget = self._inputs.get(key)
            if widget is not None:
                self._tell(widget, message)
            if widget is not None and not isinstance(widget, QAbstractButton):
                has_error = any(i.blocking for i in shown)
                if bool(widget.property("hasError")) != has_error:
                    widget.setProperty("hasError", has_error)
                    widget.setStyleSheet(error_frame(widget.palette()) if has_error else "")
        complete = not any(i.blocking for i in self._issues) and not self.busy()
        snapshot = self.slow_snapshot()
        if snapshot is not None and snapshot != self._slow_for and snapshot != self._slow_pending:
            self.schedule_slow_check()
        if complete != self._complete:
            self._complete = complete
            self.completeChanged.emit()
        reason = self.blocked_because()
        if reason != self._reason:
            self._reason = reason
            self.reasonChanged.emit()

    def focus_first_problem(self) -> None:
        """Put the focus on the first field (in page order) with a blocking issue: a screen
        reader then says its name and message, so Enter on a page that cannot go on is never silent."""
        blocking = {i.field for i in self._issues if i.blocking}
        for key, widget in self._inputs.items():
            if key in blocking and widget.isVisibleTo(self) and widget.isEnabled():
                from PySide6.QtCore import Qt

                widget.setFocus(Qt.FocusReason.OtherFocusReason)
                return

    def blocked_because(self) -> str:
        """Why Next is not available, for the disabled Next button to say ("" when it is available).

        The first blocking issue in page order, with what to do: the same issues the messages
        show (no second list of rules), including those of fields the user has not left yet.
        """
        if self._complete:
            return ""
        blocking = [i for i in self._issues if i.blocking]
        order = list(self._inputs)
        blocking.sort(key=lambda i: order.index(i.field) if i.field in order else len(order))
        if blocking:
            first = blocking[0]
            return " ".join(part for part in (first.message, first.fix) if part)
        return _("The page is still being checked.")

    def _tell(self, widget: QWidget, message: FieldMessage) -> None:
        """Tie the inline message to its field: the field's description, announced when it changes."""
        said = f"{message.text()} {message.fix_text()}".strip() if message.issue is not None else ""
        if widget.accessibleDescription() != said:
            widget.setAccessibleDescription(said)
            accessible.announce(widget, said)

    # --- QWizardPage contract -------------------------------------------------------------
    def isComplete(self) -> bool:
        return self._complete

    def validatePage(self) -> bool:
        self.reveal_all()
        if not self._complete:
            return False
        if self.recheck_disk and not self._checked_for_next and self.slow_snapshot() is not None:
            # Next: look at the disk once more before going on (it goes on by itself if all is well).
            self._next_when_checked = True
            self.start_slow_check(force=True)
            return False
        self._checked_for_next = False
        if not self.slow_check_current():
            # Check first (off the GUI thread), then go on by itself if everything is fine.
            self._next_when_checked = True
            self.start_slow_check()
            return False
        wizard = self.wizard_()
        wizard.settings = self.apply(wizard.settings)
        return True

    def initializePage(self) -> None:
        self.refresh()

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        if self.recheck_disk:
            self.disk_timer.start()
            self.recheck()

    def hideEvent(self, event: Any) -> None:
        self.disk_timer.stop()
        super().hideEvent(event)

    def cleanupPage(self) -> None:
        """Going Back keeps what was typed (QWizard's default would reset registered fields)."""
        wizard = self.wizard_()
        if wizard is not None:
            wizard.settings = self.apply(wizard.settings)

    def nextId(self) -> int:
        wizard = self.wizard_()
        if wizard is not None:
            return int(wizard.next_id_after(self.step))  # Change settings skips some pages
        from wizard.core.flow import next_step

        following = next_step(self.step)
        return int(following) if following is not None else -1

    def keyPressEvent(self, event: QKeyEvent) -> None:
        from PySide6.QtCore import Qt  # the Qt namespace costs ~30 ms to load: not on the start-up path

        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not self._complete:
            self.reveal_all()  # "on Next": the user tried to go on, so say what stops them
            self.focus_first_problem()
        super().keyPressEvent(event)


CONTENT = "page.content"


def content_layout(page: QWizardPage) -> QVBoxLayout:
    """The layout a page puts its controls in: inside a frame the wizard names "Step N of 7: title".

    Why a frame: Orca 43 ignores the announcement of a page change, but as the focus moves to the
    new page's first control it speaks each named container the focus entered; the page itself
    is a "filler" to AT-SPI, which Orca always skips, a frame is a "panel" it reads.
    """
    wrapper = QVBoxLayout(page)
    frame = QFrame(page)  # no frame drawn (QFrame's default shape): only the accessible container
    frame.setObjectName(CONTENT)
    wrapper.addWidget(frame)
    layout = QVBoxLayout(frame)
    layout.setContentsMargins(0, 0, 0, 0)
    return layout


def content_of(page: QWizardPage) -> QVBoxLayout:
    """The content layout of a page built with `content_layout` (its own layout otherwise)."""
    frame = page.findChild(QFrame, CONTENT)
    return frame.layout() if frame is not None else page.layout()  # type: ignore[return-value]


def page_layout(page: QWizardPage) -> tuple[QVBoxLayout, QFormLayout]:
    """A vertical page layout with a form on top; returns both."""
    outer = content_layout(page)
    form = QFormLayout()
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
    from PySide6.QtCore import Qt

    form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    form.setVerticalSpacing(4)
    outer.addLayout(form)
    return outer, form
