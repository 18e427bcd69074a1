"""Guard against the PySide6 release that drops a reference to None on every void call.

PySide6 6.12.0 under Python 3.11 (where None is still reference counted) decrements
None's count on each call of a method returning void; a process making a few thousand
such calls (typing in the wizard does) aborts with "none_dealloc". pyproject excludes
that release; this test fails if a broken release is installed again.
"""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QLabel, QWidget


def test_void_calls_keep_nones_reference_count(qtbot: object) -> None:
    label, widget = QLabel(), QWidget()
    before = sys.getrefcount(None)
    for _ in range(500):
        label.setText("x")
        widget.setEnabled(True)
    after = sys.getrefcount(None)
    assert after - before > -100, f"None lost {before - after} references over 1,000 void calls"
