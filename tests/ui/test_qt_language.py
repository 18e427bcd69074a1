"""Qt's own texts follow the administrator's language, and the wizard's buttons ours.

Qt's file dialogs, message-box buttons and context menus come from Qt's own translation, which
`wizard.ui.qt_language` loads from PySide6's folder. The wizard sets Back/Next/Cancel/Finish
from our catalogue (the Windows terms, "Fertig stellen"; and the pseudo-locale reaches them).
"""

from __future__ import annotations

from typing import Any, Callable, Iterator

import pytest
from PySide6.QtWidgets import QApplication, QWizard

from wizard.core import i18n
from wizard.ui.qt_language import use_language

BUTTONS = (QWizard.WizardButton.BackButton, QWizard.WizardButton.NextButton, QWizard.WizardButton.CancelButton,
           QWizard.WizardButton.FinishButton)


@pytest.fixture
def german() -> Iterator[None]:
    i18n.set_language("de")
    try:
        yield
    finally:
        i18n.set_language("en")
        use_language(QApplication.instance(), "en")  # type: ignore[arg-type]


def _texts(wizard: QWizard) -> list[str]:
    return [wizard.buttonText(b) for b in BUTTONS]


def test_the_wizard_buttons_are_german_in_german_and_english_again_after(
        german: None, make_wizard: Callable[..., Any]) -> None:
    from wizard.ui.app import application

    application()  # what the product does on start: it loads Qt's translation of the active language
    wizard = make_wizard()
    assert _texts(wizard) == ["< &Zurück", "&Weiter >", "Abbrechen", "&Fertig stellen"]
    assert QApplication.translate("QFileDialog", "&Open") != "&Open"  # Qt's own dialogs: its German
    i18n.set_language("en")
    assert use_language(QApplication.instance(), "en") is False  # type: ignore[arg-type]
    assert _texts(make_wizard()) == ["< &Back", "&Next >", "Cancel", "&Finish"]


def test_english_loads_nothing_and_a_missing_translation_is_no_failure(qapp: QApplication,
                                                                     monkeypatch: pytest.MonkeyPatch,
                                                                     tmp_path: Any) -> None:
    assert use_language(qapp, "en") is False
    monkeypatch.setattr("wizard.ui.qt_language.qt_translations_dir", lambda: str(tmp_path))
    assert use_language(qapp, "de") is False  # a build without qtbase_de.qm: Qt's English, no error
    assert _texts(QWizard()) == ["< &Back", "&Next >", "Cancel", "&Finish"]
