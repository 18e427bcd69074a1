"""The administrator's language: which one, its translated text, and locale formatting.

One translation system for every face: gettext catalogues (``wizard/locale/<lang>/LC_MESSAGES/
register-server.po``, compiled to ``.mo``) managed with Babel (``pybabel extract/update/compile``,
see docs/translation.md). Chosen over Qt's ``.ts``/``.qm`` system because the error catalogue,
the validators and the command line live in the Qt-free core, which must translate without Qt;
one toolchain then serves core, CLI and wizard alike, and Babel brings CLDR's plural rules and
number, size and date formats.

The language is, in this order: ``REGISTER_SERVER_LANG``; the operating system's user-interface
language (Windows: ``GetUserDefaultUILanguage``; POSIX: the first non-empty of ``LC_ALL``,
``LC_MESSAGES``, ``LANG``, as the C library reads them); English. A language the product does
not ship falls back to English, never to an error: the product must always be able to speak.

Translation happens when text is shown, not when it is declared: catalogue literals are marked
with the no-op ``N_()`` so ``pybabel extract`` finds them, and stay English (the msgid) in the
catalogue. Codes, answer-file keys and JSON field names are never translated.

Runtime translation uses only the standard library's ``gettext`` (cheap at start-up); Babel is
imported by the formatting helpers alone, the first time one is called.
"""

from __future__ import annotations

import gettext as _gettext
import os
import sys
import threading
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Mapping

if TYPE_CHECKING:  # only the formatting helpers' signatures need them
    from datetime import date, datetime

DOMAIN = "register-server"


def _locale_dir() -> Path:
    """``wizard/locale`` beside the package: in a source tree, a wheel, or a PyInstaller build
    (whose spec collects it as package data under ``sys._MEIPASS/wizard/locale``)."""
    here = Path(__file__).resolve().parent.parent / "locale"
    frozen = getattr(sys, "_MEIPASS", None)
    if not here.is_dir() and frozen:
        return Path(frozen) / "wizard" / "locale"
    return here


LOCALE_DIR = _locale_dir()
ENGLISH = "en"
# The languages the product ships; English is the source language (the msgids).
SHIPPED: tuple[str, ...] = (ENGLISH, "de")
ENV_VAR = "REGISTER_SERVER_LANG"
# Testers' pseudo-locale (accented, 40 % longer, bracketed), generated from the template when
# first used; reachable by name (REGISTER_SERVER_LANG=qps), never offered as a shipped language.
PSEUDO = "qps"
# POSIX order of precedence for the message language (LANGUAGE, a GNU extension, is not read:
# the rule stays the one documented above and the same on every system).
POSIX_VARS = ("LC_ALL", "LC_MESSAGES", "LANG")

_lock = threading.Lock()
_active: str | None = None


def N_(message: str) -> str:
    """Mark `message` for extraction without translating it (it is translated when shown)."""
    return message


def normalize(tag: str | None) -> str | None:
    """The shipped language a locale tag names (``de_DE.UTF-8@euro``, ``de-AT``, ``DE``), or None.

    ``C`` and ``POSIX`` are the C library's way of saying "no locale": English.
    """
    if not tag:
        return None
    base = tag.strip().split(".", 1)[0].split("@", 1)[0]
    if base.upper() in ("C", "POSIX"):
        return ENGLISH
    language = base.replace("-", "_").split("_", 1)[0].lower()
    if language == PSEUDO:
        return PSEUDO  # the testers' pseudo-locale (wizard/core/pseudo.py), not a shipped language
    return language if language in SHIPPED else None


def windows_ui_language() -> str | None:
    """The Windows user's display language as a locale name (``de-DE``), or None elsewhere."""
    if sys.platform != "win32":
        return None
    try:
        import ctypes

        kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
        langid = kernel32.GetUserDefaultUILanguage()
        buffer = ctypes.create_unicode_buffer(85)  # LOCALE_NAME_MAX_LENGTH
        if kernel32.LCIDToLocaleName(langid, buffer, len(buffer), 0):
            return buffer.value
        import locale

        return locale.windows_locale.get(langid)
    except (AttributeError, OSError):
        return None


def resolve_language(environ: Mapping[str, str] | None = None,
                     ui_language: Callable[[], str | None] = windows_ui_language) -> str:
    """The language to speak: ``REGISTER_SERVER_LANG``, else the OS UI language, else English.

    On POSIX the first *set* variable of LC_ALL, LC_MESSAGES, LANG decides, as it does for the
    C library; if it names a language the product does not ship, the answer is English.
    """
    environ = os.environ if environ is None else environ
    override = environ.get(ENV_VAR, "").strip()
    if override:
        return normalize(override) or ENGLISH
    system = ui_language()
    if system:
        return normalize(system) or ENGLISH
    for name in POSIX_VARS:
        value = environ.get(name, "").strip()
        if value:
            return normalize(value) or ENGLISH
    return ENGLISH


def active_language() -> str:
    """The language of this process (resolved once, unless `set_language` chose one)."""
    global _active
    if _active is None:
        with _lock:
            if _active is None:
                _active = resolve_language()
    return _active


def set_language(language: str | None) -> str:
    """Speak `language` from now on (None: resolve it again from the environment); returns it.

    For faces that must not follow the administrator's language: the English guide, tests.
    """
    global _active
    with _lock:
        _active = (normalize(language) or ENGLISH) if language else resolve_language()
    return _active


@lru_cache(maxsize=None)
def translations(language: str) -> _gettext.NullTranslations:
    """The compiled catalogue of `language`; English (and a missing .mo) translate to themselves."""
    if language == ENGLISH:
        return _gettext.NullTranslations()
    if language == PSEUDO:
        from wizard.core import pseudo

        return pseudo.translations(LOCALE_DIR / f"{DOMAIN}.pot")
    # The one file it can be, opened directly: gettext.translation() would first try every
    # variant of the name (de_DE.UTF-8, de_DE, de...) and import `locale` to expand it, half of
    # the 4 ms German added before the first paint (measured), for the same file.
    try:
        with open(LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.mo", "rb") as mo:
            return _gettext.GNUTranslations(mo)
    except OSError:
        return _gettext.NullTranslations()


def gettext(message: str, language: str | None = None) -> str:
    """`message` in `language` (default: the active one); the English text when untranslated."""
    return translations(language or active_language()).gettext(message)


def ngettext(singular: str, plural: str, n: int, language: str | None = None) -> str:
    """The plural form for `n` by the language's own rule (from the catalogue's Plural-Forms)."""
    return translations(language or active_language()).ngettext(singular, plural, n)


_ = gettext


class LazyText(str):
    """English text with its template kept, so it can be shown later in any language.

    A `str` (the English rendering), so code that stores, compares or logs it keeps working;
    `in_(language)` renders the template's translation with the same parameters. For text made
    where the language of its reader is not known yet: an error's detail, shown by the wizard
    in the administrator's language and kept in English in the JSON.
    """

    msgid: str
    params: dict[str, object]

    def __new__(cls, msgid: str, /, **params: object) -> "LazyText":
        self = super().__new__(cls, msgid.format(**params) if params else msgid)
        self.msgid = msgid
        self.params = params
        return self

    def in_(self, language: str | None = None) -> str:
        """The text in `language`; parameters that are LazyText themselves are rendered in it too."""
        text = gettext(self.msgid, language)
        if not self.params:
            return text
        return text.format(**{name: in_language(value, language) if isinstance(value, LazyText) else value
                              for name, value in self.params.items()})


class LocalText(LazyText):
    """A value in the reader's notation (a size, a bandwidth) inside a LazyText's parameters:
    English as a `str`; `in_(language)` renders it with that language's separators."""

    render: Callable[[str], str]

    def __new__(cls, render: Callable[[str], str]) -> "LocalText":
        self = super().__new__(cls, render(ENGLISH))
        self.render = render
        return self

    def in_(self, language: str | None = None) -> str:
        language = language or active_language()
        return str.__str__(self) if language == ENGLISH else self.render(language)


def L_(msgid: str, /, **params: object) -> LazyText:
    """Mark `msgid` for extraction and keep it translatable: ``L_("No file at {path}.", path=p)``."""
    return LazyText(msgid, **params)


def in_language(text: str | None, language: str | None = None) -> str | None:
    """`text` in `language` when it is a LazyText; other text (a path, a library's words) as is."""
    return text.in_(language) if isinstance(text, LazyText) else text


# Locale formatting (CLDR data through Babel, imported on first use only).

def _cldr(language: str | None) -> str:
    """The CLDR locale that formats for `language`: the pseudo-locale formats as English."""
    language = language or active_language()
    return ENGLISH if language == PSEUDO else language


def format_number(value: float | int, language: str | None = None) -> str:
    """A number with the language's separators: 1,234.5 in English, 1.234,5 in German."""
    from babel.numbers import format_decimal

    return format_decimal(value, locale=_cldr(language))


_SIZE_UNITS = ("KB", "MB", "GB", "TB")


def format_size(size_bytes: int, language: str | None = None) -> str:
    """A size as Windows Explorer shows it (KB = 1024 bytes), with the language's separators:
    ``1,234.5 MB`` / ``1.234,5 MB``, ``512 bytes`` / ``512 Bytes``. The unit symbols are the same
    in every language Explorer speaks; only "bytes" is a word."""
    words = language or active_language()  # "bytes" in the reader's language (the pseudo-locale's too)
    language = _cldr(words)

    def number(value: float, pattern: str) -> str:  # English without Babel: a field's text, per keystroke
        if language == ENGLISH:
            return f"{value:,.0f}" if pattern == "#,##0" else f"{value:,.1f}"
        from babel.numbers import format_decimal

        return format_decimal(value, format=pattern, locale=language)

    if abs(size_bytes) < 1024:
        return ngettext("{count} byte", "{count} bytes", abs(size_bytes), words).format(
            count=number(size_bytes, "#,##0"))
    value = float(size_bytes)
    for unit in _SIZE_UNITS:
        value /= 1024
        if abs(value) < 1024 or unit == _SIZE_UNITS[-1]:
            break
    return f"{number(value, '#,##0.0')} {unit}"


def format_weekday(weekday: int, language: str | None = None) -> str:
    """A weekday (0 = Monday, as `datetime.weekday()`) abbreviated: ``Mon`` / ``Mo.``."""
    from babel.dates import get_day_names

    return str(get_day_names("abbreviated", locale=_cldr(language))[weekday])


def format_date(value: date, language: str | None = None) -> str:
    """A date in the language's medium form: ``Dec 2, 2026`` / ``02.12.2026``."""
    from babel.dates import format_date as babel_format_date

    return babel_format_date(value, format="medium", locale=_cldr(language))


def format_datetime(value: datetime, language: str | None = None) -> str:
    """A date and time in the language's medium form, in the value's own time zone."""
    from babel.dates import format_datetime as babel_format_datetime

    text = babel_format_datetime(value, format="medium", tzinfo=value.tzinfo, locale=_cldr(language))
    # CLDR puts a narrow no-break space before "PM"; a Windows console's code page has none.
    return text.replace("\u202f", " ")
