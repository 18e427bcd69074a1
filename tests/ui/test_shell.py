"""The wizard shell: style, order, side panel, size, and the accessibility contract."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QAbstractButton, QApplication, QCheckBox, QComboBox, QLabel, QLineEdit, QRadioButton, QTimeEdit, QWidget,
    QWizard,
)

from tests.ui.helpers import click_next, find
from wizard.core.flow import ORDER, TITLES, Step, next_step
from wizard.ui.accessible import looks_like_key, spoken_name

ANSWER_KEYS = [
    "proxy.mode", "proxy.host", "proxy.port", "proxy.username", "proxy.password",
    "vault.credentials_file", "vault.ca_bundle",
    "throttling.enabled", *[f"throttling.work_days.{d}" for d in
                            ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")],
    "throttling.work_start", "throttling.work_end", "throttling.work_bandwidth", "throttling.non_work_bandwidth",
    "recovery.folder", "encryption.passphrase", "encryption.passphrase_confirm",
    "encryption.save_passphrase_to", "encryption.stored_safely",
]
INPUT_TYPES = (QLineEdit, QComboBox, QTimeEdit, QCheckBox, QRadioButton)


def test_style_is_set_explicitly(make_wizard: Any) -> None:
    wizard = make_wizard()
    assert wizard.wizardStyle() == QWizard.WizardStyle.ModernStyle
    assert QApplication.style().name().lower() == "fusion"


def test_pages_follow_the_core_flow(make_wizard: Any) -> None:
    wizard = make_wizard()
    assert wizard.pageIds() == [int(s) for s in ORDER]
    for step in ORDER:
        page = wizard.page(int(step))
        assert page.title() == TITLES[step]
        following = next_step(step)
        assert page.nextId() == (int(following) if following is not None else -1)


def test_side_panel_marks_the_current_step(make_wizard: Any, qtbot: Any) -> None:
    wizard = make_wizard()
    panel = wizard.side_panel
    assert panel.current() is Step.PROXY
    assert panel.state_of(Step.PROXY) == "current" and panel.state_of(Step.VAULT) == "pending"
    click_next(qtbot, wizard, expect=Step.VAULT)
    assert panel.current() is Step.VAULT
    assert panel.state_of(Step.PROXY) == "done" and panel.state_of(Step.VAULT) == "current"
    wizard.back()
    assert panel.state_of(Step.PROXY) == "current" and panel.state_of(Step.VAULT) == "pending"


def test_default_size_fits_a_1024_by_768_screen(make_wizard: Any) -> None:
    wizard = make_wizard()
    frame = wizard.frameGeometry()
    assert wizard.width() <= 1024 - 40 and wizard.height() <= 768 - 80, frame
    for step in ORDER:  # every page fits without scrolling or squeezing
        hint = wizard.page(int(step)).minimumSizeHint()
        assert hint.height() <= wizard.height() - 150, (step, hint)


def test_every_answer_key_names_exactly_one_input(make_wizard: Any) -> None:
    wizard = make_wizard()
    for key in ANSWER_KEYS:
        find(wizard, key)


def _has_mnemonic(text: str) -> bool:
    return "&" in text.replace("&&", "")


def test_every_input_has_a_name_and_a_label_with_a_mnemonic(make_wizard: Any) -> None:
    """Text inputs need a buddy label with a mnemonic; check boxes and radios carry their own."""
    wizard = make_wizard()
    buddies = {id(label.buddy()): label for label in wizard.findChildren(QLabel) if label.buddy() is not None}
    inputs = [w for w in wizard.findChildren(QWidget) if isinstance(w, INPUT_TYPES)
              and not isinstance(w.parent(), (QComboBox, QTimeEdit))]  # internal line edits of composite widgets
    assert len(inputs) >= len(ANSWER_KEYS)
    problems = []
    for widget in inputs:
        name = widget.objectName()
        if not name or "." not in name:
            problems.append(f"{type(widget).__name__} without a key as objectName")
            continue
        if not spoken_name(widget) or looks_like_key(spoken_name(widget)):
            problems.append(f"{name}: people hear {spoken_name(widget)!r}")
        if isinstance(widget, QAbstractButton):
            if not _has_mnemonic(widget.text()):
                problems.append(f"{name}: no mnemonic in {widget.text()!r}")
        elif name.endswith(".unit"):
            # A unit list belongs to the number field before it: same key, tab order follows it.
            owner = find(wizard, name.removesuffix(".unit"))
            if id(owner) not in buddies:
                problems.append(f"{name}: its number field has no label")
        elif id(widget) not in buddies:
            problems.append(f"{name}: no label buddy")
        elif not _has_mnemonic(buddies[id(widget)].text()):
            problems.append(f"{name}: label {buddies[id(widget)].text()!r} has no mnemonic")
    assert not problems, problems


def test_mnemonics_are_unique_on_each_page(make_wizard: Any) -> None:
    wizard = make_wizard()
    for step in ORDER:
        # The wizard's own buttons on that page: < &Back, &Next > / &Register, &Finish.
        reserved = {"b", "r" if step is Step.REGISTER else "n"} | ({"f"} if step is Step.SUMMARY else set())
        page = wizard.page(int(step))
        letters: list[str] = []
        for widget in page.findChildren(QWidget):
            text = widget.text() if isinstance(widget, (QLabel, QAbstractButton)) else ""
            if _has_mnemonic(text):
                letters.append(text.replace("&&", "")[text.replace("&&", "").index("&") + 1].lower())
        duplicated = {c for c in letters if letters.count(c) > 1} | (set(letters) & reserved)
        assert not duplicated, (step, sorted(duplicated))


def test_no_text_is_clipped_on_any_page(make_wizard: Any, qtbot: Any) -> None:
    """Every visible single-line label and button is at least as wide as its text needs."""
    from PySide6.QtWidgets import QPushButton

    wizard = make_wizard()
    clipped = []
    for step in ORDER:
        wizard.setStartId(int(step))
        wizard.restart()
        qtbot.wait(10)
        page = wizard.currentPage()
        for widget in [*page.findChildren(QLabel), *page.findChildren(QPushButton), *wizard.side_panel.findChildren(QLabel)]:
            if not widget.isVisibleTo(wizard) or (isinstance(widget, QLabel) and widget.wordWrap()):
                continue
            if widget.width() < widget.minimumSizeHint().width():
                clipped.append((step.name, widget.objectName() or widget.text(), widget.width(),
                                widget.minimumSizeHint().width()))
    assert not clipped, clipped


def test_closing_unregistered_asks_with_keyboard_buttons_and_stay_as_default(
        qtbot: Any, tmp_path: Any, monkeypatch: Any) -> None:
    """The real confirmation box (not the stub): Close and Stay each have a mnemonic; Enter stays."""
    from PySide6.QtWidgets import QMessageBox

    from wizard.ui.app import application
    from wizard.ui.wizard import create_wizard

    application()
    seen: dict[str, Any] = {}

    def exec_(box: QMessageBox) -> int:
        seen["buttons"] = [b.text() for b in box.buttons()]
        seen["default"] = box.defaultButton().text()
        seen["escape"] = box.escapeButton().text() if box.escapeButton() else None
        return 0  # nothing clicked: like pressing Escape

    monkeypatch.setattr(QMessageBox, "exec", exec_)
    wizard = create_wizard(home=str(tmp_path / "home"))
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.reject()
    assert seen == {"buttons": ["&Close", "&Stay"], "default": "&Stay", "escape": "&Stay"}, seen
    assert wizard.isVisible()  # stayed


def test_every_step_finds_its_page_by_name() -> None:
    """A step's page is `wizard.ui.<step>_page.<Step>Page`: adding a step needs no list in wizard.py."""
    from PySide6.QtWidgets import QWizardPage

    from wizard.core.flow import ORDER
    from wizard.ui.wizard import page_class

    for step in ORDER:
        assert issubclass(page_class(step), QWizardPage), step
