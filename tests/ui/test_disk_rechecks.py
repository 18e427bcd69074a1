"""Disk checks never go stale: they re-run when an input gains focus, on Next, and on a timer while the
page is shown — not once per path. (The bug: "the folder for the passphrase file does not exist" stayed
after the folder was created, through retyping and Back/Next.)"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt

from tests.ui.helpers import click_next, find, message, type_into


def enter_field(widget: Any) -> None:
    """Focus arriving at `widget` (sent directly: an offscreen window is not always the active one)."""
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QFocusEvent
    from PySide6.QtWidgets import QApplication

    QApplication.sendEvent(widget, QFocusEvent(QEvent.Type.FocusIn, Qt.FocusReason.TabFocusReason))
from tests.ui.test_settings_pages import page_alone
from wizard.core.errors import info
from wizard.core.flow import Step

FIELD = "encryption.save_passphrase_to"


def _missing_folder_shown(make_wizard: Any, qtbot: Any, tmp_path: Path) -> tuple[Any, Path]:
    wizard = page_alone(make_wizard, Step.ENCRYPTION)
    qtbot.mouseClick(find(wizard, "encryption.generate"), Qt.MouseButton.LeftButton)
    folder = tmp_path / "later"
    type_into(qtbot, find(wizard, FIELD), str(folder / "p.txt"))
    find(wizard, "encryption.stored_safely").setChecked(True)
    qtbot.waitUntil(lambda: message(wizard, FIELD) == info("encryption.save_dir_missing").message)
    return wizard, folder


def test_focus_on_a_field_looks_at_the_disk_again(make_wizard: Any, qtbot: Any, tmp_path: Path) -> None:
    wizard, folder = _missing_folder_shown(make_wizard, qtbot, tmp_path)
    wizard.currentPage().disk_timer.stop()  # only focus may notice here
    folder.mkdir()
    enter_field(find(wizard, "encryption.passphrase"))
    qtbot.waitUntil(lambda: message(wizard, FIELD) != info("encryption.save_dir_missing").message)


def test_the_timer_looks_again_while_the_page_is_shown_and_stops_when_it_is_not(
        make_wizard: Any, qtbot: Any, tmp_path: Path) -> None:
    wizard, folder = _missing_folder_shown(make_wizard, qtbot, tmp_path)
    page = wizard.currentPage()
    assert page.disk_timer.isActive()
    folder.mkdir()
    page.disk_timer.timeout.emit()  # what the timer does every RECHECK_MS
    qtbot.waitUntil(lambda: message(wizard, FIELD) != info("encryption.save_dir_missing").message)
    wizard.setStartId(int(Step.PROXY))
    wizard.restart()  # another page is shown
    assert not page.disk_timer.isActive()


def test_next_looks_at_the_disk_before_going_on(make_wizard: Any, qtbot: Any, tmp_path: Path) -> None:
    wizard = page_alone(make_wizard, Step.RECOVERY)
    folder = tmp_path / "recovery"
    folder.mkdir()
    type_into(qtbot, find(wizard, "recovery.folder"), str(folder))
    page = wizard.currentPage()
    qtbot.waitUntil(lambda: page.slow_check_current() and page.isComplete())
    page.disk_timer.stop()
    folder.rmdir()
    (tmp_path / "recovery").write_text("now a file")  # changed behind the wizard's back
    qtbot.mouseClick(wizard.button(wizard.WizardButton.NextButton), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: message(wizard, "recovery.folder") == info("recovery.folder_is_file").message)
    assert wizard.currentId() == int(Step.RECOVERY)

    (tmp_path / "recovery").unlink()
    folder.mkdir()
    page.disk_timer.timeout.emit()  # the timer notices (Next is disabled while the problem is shown)
    qtbot.waitUntil(page.isComplete)
    click_next(qtbot, wizard, expect=Step.ENCRYPTION)
