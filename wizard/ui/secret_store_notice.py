"""Can this server keep secrets? Asked when the wizard opens; shown on its first page if not.

Why at once: a registration stores the backup passphrase in the secret store, and learning
at the last step that there is none wastes the administrator's five pages of work. The
wizard asks when it opens (off the GUI thread: the probe talks to D-Bus or Credential
Manager), the first page shows the problem with this system's fix (the command to run, as
selectable text to copy) and a Recheck button, and the Register page shows the same notice
and does not offer Register until a recheck finds a usable store.

`SecretStoreCheck` holds the answer for the whole wizard; `SecretStoreNotice` is the widget
each page that needs it shows (hidden while the store is usable).
"""

from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from wizard.core.i18n import N_, _
from wizard.ui import accessible
from wizard.ui.assets import pixmap
from wizard.ui.page_base import name_input
from wizard.ui.worker import Task

# English msgids, translated when shown.
NOTICE_NAME = N_("Secret store problem")
HEADLINE = N_("Secrets cannot be stored on this server, so it cannot be registered yet.")
CHECKING = N_("Checking this server's secret store again...")


class SecretStoreCheck(QObject):
    """The wizard's one answer to "can secrets be stored here?"; `changed` when it changes."""

    changed = Signal()

    def __init__(self, parent: QObject | None = None, *, store: Callable[[], str] | None = None) -> None:
        """`store` says which store to probe (`keyring` / `systemd-creds`), asked at each check: a
        registration whose record names systemd-creds must not be told that no keyring runs."""
        super().__init__(parent)
        self._store = store or (lambda: "keyring")
        self.problem: Any = None      # a SecretStoreProblem, or None
        self.checked = False          # an answer has arrived
        self._task: Task | None = None

    @property
    def usable(self) -> bool:
        return self.checked and self.problem is None

    @property
    def checking(self) -> bool:
        return self._task is not None

    def recheck(self) -> None:
        """Ask again in the background (a second request while one runs is the same request)."""
        if self._task is not None:
            return

        def work(report: Any) -> object:
            from wizard.core.secrets.availability import secret_store_problem

            return secret_store_problem(store=self._store())

        self._task = Task(work, on_success=self._answered, on_failure=self._failed, parent=self).start()
        self.changed.emit()

    def _answered(self, problem: Any) -> None:
        self._task = None
        self.problem, self.checked = problem, True
        self.changed.emit()

    def _failed(self, error: BaseException) -> None:
        from wizard.core.errors import RegisterServerError
        from wizard.core.secrets.advice import advice_for
        from wizard.core.secrets.availability import SecretStoreProblem

        self._task = None  # the probe itself broke: no store we can trust, say so like any other
        unexpected = RegisterServerError("secrets.unavailable", reason=type(error).__name__)
        self.problem, self.checked = SecretStoreProblem(unexpected, advice_for(unexpected.code)), True
        self.changed.emit()


class SecretStoreNotice(QFrame):
    """The problem, this system's fix, and Recheck; hidden while the store is usable.

    Its content is built the first time there is a problem to show: the notice sits on the first
    page, the check answers only after the first paint, and building the content needs the Qt
    namespace, whose first use costs ~15 ms of start-up (benchmarks/bench_startup.py).
    """

    message: QLabel | None
    fix: QLabel | None
    recheck: QPushButton | None

    def __init__(self, check: SecretStoreCheck, key: str, parent: QWidget | None = None) -> None:
        """`key` names it for code (`secrets.notice` on the first page, `register.secrets_notice`);
        its parts are `<key>.message`, `<key>.fix` and `<key>.recheck`."""
        super().__init__(parent)
        self.check = check
        self._key = key
        self.setObjectName(key)
        self.setAccessibleName(_(NOTICE_NAME))
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.message = self.fix = self.recheck = None
        self.setVisible(False)
        check.changed.connect(self._show)
        self._show()

    def _build(self) -> None:
        from PySide6.QtCore import Qt

        key = self._key
        row = QHBoxLayout(self)
        icon = QLabel(self)
        icon.setPixmap(pixmap("error", 20))
        icon.setFixedSize(22, 22)
        icon.setAccessibleName(_("Error"))
        row.addWidget(icon, 0, Qt.AlignmentFlag.AlignTop)
        texts = QVBoxLayout()
        self.message = QLabel(self)
        self.message.setObjectName(f"{key}.message")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("font-weight: bold")
        self.fix = QLabel(self)
        self.fix.setObjectName(f"{key}.fix")
        self.fix.setWordWrap(True)
        self.fix.setTextFormat(Qt.TextFormat.PlainText)  # the command is shown exactly as typed
        self.fix.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                         | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.recheck = QPushButton(_("Rec&heck"), self)
        name_input(self.recheck, f"{key}.recheck")
        self.recheck.setAccessibleName(_("Recheck"))
        self.recheck.clicked.connect(self.check.recheck)
        buttons = QHBoxLayout()
        buttons.addWidget(self.recheck)
        buttons.addStretch(1)
        texts.addWidget(self.message)
        texts.addWidget(self.fix)
        texts.addLayout(buttons)
        row.addLayout(texts, 1)

    def _show(self) -> None:
        problem = self.check.problem
        if problem is None and self.recheck is None:
            return  # nothing to say yet, and nothing built that could take the focus
        if self.recheck is None:
            self._build()
        assert self.recheck is not None and self.fix is not None and self.message is not None
        from PySide6.QtCore import Qt

        self.recheck.setEnabled(not self.check.checking)
        # QWizard gives a new page's focus to its first focusable child even when it is hidden: a
        # hidden Recheck would take it and swallow Enter, which must mean Next or Register.
        self.recheck.setFocusPolicy(Qt.FocusPolicy.NoFocus if problem is None else Qt.FocusPolicy.StrongFocus)
        if problem is None:
            self.setVisible(False)
            return
        message = _(HEADLINE)
        fix = _(CHECKING) if self.check.checking else _("{message} What to do: {fix}").format(
            message=problem.message, fix=problem.fix)
        changed = fix != self.fix.text() or self.isHidden()
        self.message.setText(message)
        self.fix.setText(fix)
        self.setAccessibleDescription(f"{message} {fix}")
        self.setVisible(True)
        if changed:
            accessible.announce(self, f"{message} {fix}", assertive=True)
