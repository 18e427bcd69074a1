"""Run slow work (disk, network, registration) off the GUI thread; results come back by signal.

Shaped like Anki's `QueryOp` and superqt's thread workers: the function runs in a
`QThread` and never sees a widget; it may report progress through the callable it is
given. Every result, failure and progress report is delivered to callbacks on the GUI
thread through queued connections on a `Task` that lives there.
"""

from __future__ import annotations

from typing import Any, Callable, ClassVar

from PySide6.QtCore import QObject, QThread, Signal, Slot

Report = Callable[[object], None]
Work = Callable[[Report], object]


class _Runner(QThread):
    """The thread: calls the work function and emits the outcome on the task's private signals."""

    def __init__(self, task: "Task", work: Work) -> None:
        super().__init__()
        self._task = task
        self._work = work

    def run(self) -> None:  # runs in the worker thread
        try:
            result = self._work(self._report)
        except BaseException as error:  # delivered to the GUI thread, where it is shown or re-raised
            self._emit("_failure", error)
        else:
            self._emit("_success", result)

    def _report(self, event: object) -> None:
        self._emit("_progress", event)

    def _emit(self, signal: str, value: object) -> None:
        # The task's owner (a page) may have been deleted while this thread ran, taking the
        # task with it: then nobody is left to deliver to, which is not an error.
        try:
            getattr(self._task, signal).emit(value)
        except RuntimeError:
            pass


class Task(QObject):
    """One piece of background work. Create it on the GUI thread, then `start()`."""

    _progress = Signal(object)
    _success = Signal(object)
    _failure = Signal(object)

    _running: ClassVar[set["Task"]] = set()

    def __init__(
        self,
        work: Work,
        *,
        on_success: Callable[[Any], None] | None = None,
        on_failure: Callable[[BaseException], None] | None = None,
        on_progress: Callable[[Any], None] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._on_success = on_success
        self._on_failure = on_failure
        self._on_progress = on_progress
        self._discarded = False
        self._runner = _Runner(self, work)
        from PySide6.QtCore import Qt  # loaded on first use, off the start-up path

        queued = Qt.ConnectionType.QueuedConnection
        self._progress.connect(self._deliver_progress, queued)
        self._success.connect(self._deliver_success, queued)
        self._failure.connect(self._deliver_failure, queued)
        self._runner.finished.connect(self._finished, queued)

    def start(self) -> "Task":
        Task._running.add(self)
        self._runner.start()
        return self

    def discard(self) -> None:
        """Ignore this task's outcome (the input it was computed for has changed)."""
        self._discarded = True

    def is_running(self) -> bool:
        return self._runner.isRunning()

    def wait(self, msecs: int = 30_000) -> bool:
        return self._runner.wait(msecs)

    @classmethod
    def wait_all(cls, msecs: int = 30_000) -> None:
        """Before the application exits: let running threads end rather than kill them mid-write."""
        for task in list(cls._running):
            task.wait(msecs)

    @Slot(object)
    def _deliver_progress(self, event: object) -> None:
        if not self._discarded and self._on_progress:
            self._on_progress(event)

    @Slot(object)
    def _deliver_success(self, result: object) -> None:
        if not self._discarded and self._on_success:
            self._on_success(result)

    @Slot(object)
    def _deliver_failure(self, error: object) -> None:
        if self._discarded:
            return
        if self._on_failure is None:
            raise error  # type: ignore[misc]
        self._on_failure(error)  # type: ignore[arg-type]

    @Slot()
    def _finished(self) -> None:
        Task._running.discard(self)


def run_in_background(work: Work, **callbacks: Any) -> Task:
    """Start `work` on a worker thread; see `Task` for the callbacks."""
    return Task(work, **callbacks).start()
