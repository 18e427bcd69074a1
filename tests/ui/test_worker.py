"""The background-task helper: outcomes come back on the GUI thread, even late ones are safe."""

from __future__ import annotations

import threading
import time
from typing import Any

from PySide6.QtCore import QObject, QThread
from shiboken6 import Shiboken

from wizard.ui.worker import Task


def test_outcome_and_progress_arrive_on_the_gui_thread(qtbot: Any) -> None:
    seen: list[tuple[str, object, bool]] = []
    gui = QThread.currentThread()

    def work(report: Any) -> int:
        report("half")
        return 42

    task = Task(work, on_progress=lambda e: seen.append(("progress", e, QThread.currentThread() is gui)),
                on_success=lambda r: seen.append(("success", r, QThread.currentThread() is gui))).start()
    qtbot.waitUntil(lambda: len(seen) == 2)
    task.wait()
    assert seen == [("progress", "half", True), ("success", 42, True)]


def test_a_task_whose_owner_is_deleted_while_it_runs_ends_quietly(qtbot: Any) -> None:
    """A page deleted mid-check takes its task along; the thread must not raise on emitting."""
    owner = QObject()
    release = threading.Event()
    delivered: list[object] = []

    def work(report: Any) -> str:
        release.wait(5)
        report("late progress")
        return "late result"

    task = Task(work, on_success=delivered.append, on_progress=delivered.append, parent=owner).start()
    runner = task._runner
    Shiboken.delete(owner)  # deletes the C++ task with it, as deleting a page would
    release.set()
    assert runner.wait(5000)
    time.sleep(0.05)
    qtbot.wait(50)  # pytest-qt fails the test on an exception raised in the thread
    assert delivered == []
