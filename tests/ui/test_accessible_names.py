"""People hear names, code finds keys: Qt's own accessible view of every page, offscreen.

The AT-SPI test (test_screen_reader.py) checks the same from outside on a real bus; this one
is the quick check that names every widget when it fails.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

from tests.ui.helpers import find
from wizard.core.flow import ORDER
from wizard.ui.accessible import looks_like_key, plain, spoken_name


def _problems(root: QWidget) -> list[str]:
    problems = []
    for widget in root.findChildren(QWidget):
        spoken = spoken_name(widget)
        where = widget.objectName() or type(widget).__name__
        if looks_like_key(spoken):
            problems.append(f"{where}: people hear the key {spoken!r}")
        elif widget.focusPolicy() & Qt.FocusPolicy.TabFocus and widget.isEnabled() and not spoken \
                and type(widget).__name__ not in ("QScrollBar",) and widget.parent().objectName() != "qt_spinbox_lineedit":
            problems.append(f"{where}: a focusable {type(widget).__name__} without a name")
        if isinstance(widget, QLabel) and widget.text() and plain(spoken) != plain(widget.text()) \
                and widget.textFormat() != Qt.TextFormat.RichText and "<" not in widget.text():
            problems.append(f"{where}: label shows {widget.text()!r} but says {spoken!r}")
    return problems


def test_no_widget_on_any_page_is_named_by_its_key(make_wizard: Any) -> None:
    wizard = make_wizard()
    problems = _problems(wizard)
    assert not problems, problems
    assert all(wizard.page(int(step)) is not None for step in ORDER)


def test_inputs_say_their_label_and_keep_their_key_for_code(make_wizard: Any) -> None:
    wizard = make_wizard()
    assert spoken_name(find(wizard, "proxy.host")) == "Address"
    assert spoken_name(find(wizard, "proxy.mode.none")) == "Connect directly (no proxy)"
    # Qt on Linux names a combo box by its current value (and labelled-by); Windows (UIA) reads this:
    assert find(wizard, "throttling.work_bandwidth.unit").accessibleName() == "Work hours limit unit"
    assert find(wizard, "throttling.non_work_bandwidth.unit").accessibleName() == "Other times limit unit"
    assert spoken_name(find(wizard, "vault.test_connection")) == "Test connection"


def test_a_disabled_next_says_the_first_blocking_problem_on_every_page(make_wizard: Any, qtbot: Any) -> None:
    """Next's description (and tooltip) is the page's first blocking issue, message and fix; empty once
    Next is enabled. The same issues the messages show: no second list of rules."""
    from PySide6.QtWidgets import QWizard

    from wizard.core.flow import Step
    from wizard.ui.page_base import StepPage

    wizard = make_wizard(check_secret_store=False)
    next_button = wizard.button(QWizard.WizardButton.NextButton)
    find(wizard, "proxy.mode.custom").setChecked(True)
    qtbot.waitUntil(lambda: not next_button.isEnabled())
    page = wizard.currentPage()
    first = [i for i in page.issues() if i.blocking][0]
    assert first.field == "proxy.host"  # page order: the address comes before the port
    assert next_button.accessibleDescription() == f"{first.message} {first.fix}" == next_button.toolTip()
    find(wizard, "proxy.mode.none").setChecked(True)
    qtbot.waitUntil(next_button.isEnabled)
    assert next_button.accessibleDescription() == "" == next_button.toolTip()
    explained = []
    for step in ORDER:
        wizard.setStartId(int(step))
        wizard.restart()
        page = wizard.currentPage()
        if step is Step.THROTTLING:
            find(wizard, "throttling.enabled").setChecked(True)
            find(wizard, "throttling.work_bandwidth").setText("10 MB/s")
        if isinstance(page, StepPage) and not page.isComplete():
            assert next_button.accessibleDescription() == page.blocked_because() != "", step
            assert not next_button.isEnabled()
            explained.append(step)
    assert explained == [Step.VAULT, Step.THROTTLING, Step.RECOVERY, Step.ENCRYPTION], explained
    # Register, while this system's secret store has not been checked yet
    wizard.setStartId(int(Step.REGISTER))
    wizard.restart()
    register = wizard.button(QWizard.WizardButton.CommitButton)
    assert not register.isEnabled() and "secrets" in register.accessibleDescription().lower()
