"""Qt's own words (QWizard's "< Back", "Next >", "Cancel", "Finish", file dialogs, message-box
buttons) in the administrator's language.

Our texts come from the gettext catalogue (wizard.core.i18n); the texts Qt draws itself come
from Qt's translation of its own library, ``qtbase_<lang>.qm``, which PySide6 ships in its
translations folder (and the frozen build keeps for every shipped language). Loading it, rather
than setting each button's text through gettext, also covers the dialogs Qt builds itself
(QFileDialog, QMessageBox's standard buttons), whose texts the product never sees.
Measured: with qtbase_de.qm a QWizard's buttons read "< &Zurück", "&Weiter >", "Abbrechen",
"Ab&schließen". English needs no file (Qt's source language).
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from wizard.core.i18n import ENGLISH, active_language

_installed: list[QTranslator] = []


def qt_translations_dir() -> str:
    """Where this Qt keeps its .qm files (inside PySide6, or the frozen bundle's copy)."""
    return QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)


def use_language(app: QCoreApplication, language: str | None = None) -> bool:
    """Make Qt's own texts speak `language` (default: the active one); English removes ours.

    Returns whether Qt's translation was found (False for English and for a build without it:
    Qt then shows its English texts, beside our translated ones, rather than failing)."""
    language = language or active_language()
    for translator in _installed:
        app.removeTranslator(translator)
    _installed.clear()
    if language == ENGLISH:
        return False
    translator = QTranslator(app)
    if not translator.load(QLocale(language), "qtbase", "_", qt_translations_dir()):
        return False
    app.installTranslator(translator)
    _installed.append(translator)
    return True
