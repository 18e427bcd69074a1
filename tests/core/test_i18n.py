"""The language rule (REGISTER_SERVER_LANG > OS UI language > LC_ALL > LC_MESSAGES > LANG > English),
translation lookups and locale formatting."""

from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from wizard.core import i18n
from wizard.core.errors import RegisterServerError, info


def _resolve(ui: str | None = None, **env: str) -> str:
    return i18n.resolve_language(env, ui_language=lambda: ui)


def test_nothing_set_is_english() -> None:
    assert _resolve() == "en"


@pytest.mark.parametrize("env, expected", [
    ({"REGISTER_SERVER_LANG": "de", "LC_ALL": "en_US.UTF-8", "LC_MESSAGES": "en_US", "LANG": "en_US"}, "de"),
    ({"REGISTER_SERVER_LANG": "en", "LC_ALL": "de_DE.UTF-8"}, "en"),
    ({"LC_ALL": "de_DE.UTF-8", "LC_MESSAGES": "en_US.UTF-8", "LANG": "en_US.UTF-8"}, "de"),
    ({"LC_ALL": "C", "LC_MESSAGES": "de_DE.UTF-8"}, "en"),
    ({"LC_MESSAGES": "de_AT.UTF-8", "LANG": "en_GB.UTF-8"}, "de"),
    ({"LC_MESSAGES": "en_GB.UTF-8", "LANG": "de_DE.UTF-8"}, "en"),
    ({"LANG": "de_CH.UTF-8@euro"}, "de"),
    ({"LC_ALL": "", "LC_MESSAGES": "", "LANG": "de_DE"}, "de"),  # empty means unset, as for the C library
])
def test_posix_order(env: dict[str, str], expected: str) -> None:
    assert _resolve(**env) == expected


@pytest.mark.parametrize("env", [
    {"REGISTER_SERVER_LANG": "fr"},
    {"REGISTER_SERVER_LANG": "xx-YY"},
    {"LC_ALL": "fr_FR.UTF-8", "LANG": "de_DE.UTF-8"},  # the first set variable decides, then English
    {"LANG": "ja_JP.UTF-8"},
])
def test_a_language_not_shipped_falls_back_to_english(env: dict[str, str]) -> None:
    assert _resolve(**env) == "en"


def test_windows_ui_language_comes_after_the_variable_and_before_posix_ones() -> None:
    assert _resolve(ui="de-DE", LANG="en_US.UTF-8") == "de"
    assert _resolve(ui="de-DE", REGISTER_SERVER_LANG="en") == "en"
    assert _resolve(ui="fr-FR", LANG="de_DE.UTF-8") == "en"


@pytest.mark.parametrize("tag, expected", [
    ("de", "de"), ("DE", "de"), ("de-AT", "de"), ("de_DE.UTF-8", "de"), ("en_US", "en"),
    ("C.UTF-8", "en"), ("POSIX", "en"), ("fr_FR", None), ("", None), (None, None),
])
def test_normalize(tag: str | None, expected: str | None) -> None:
    assert i18n.normalize(tag) == expected


def test_windows_ui_language_is_none_elsewhere(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(i18n.sys, "platform", "linux")
    assert i18n.windows_ui_language() is None


def test_set_language_switches_catalogue_text_and_back() -> None:
    english = info("vault.full").message
    try:
        assert i18n.set_language("de") == "de"
        assert info("vault.full").message == "Der Tresor enthält bereits die maximale Anzahl von Computern."
        assert RegisterServerError("vault.full", detail="contoso-vault").message.endswith(" contoso-vault")
    finally:
        i18n.set_language("en")
    assert info("vault.full").message == english


def test_n_marker_does_not_translate() -> None:
    assert i18n.N_("The vault service reported an error.") == "The vault service reported an error."


def test_plural_forms_follow_the_catalogue() -> None:
    one, many = "error: {count} problem in the settings:", "error: {count} problems in the settings:"
    assert i18n.ngettext(one, many, 1, "de") == "Fehler: {count} Problem in den Einstellungen:"
    assert i18n.ngettext(one, many, 2, "de") == "Fehler: {count} Probleme in den Einstellungen:"
    assert i18n.ngettext(one, many, 0, "en") == many


def test_untranslated_text_stays_english() -> None:
    assert i18n.gettext("no such message", "de") == "no such message"


def test_numbers_sizes_and_dates_follow_the_language() -> None:
    assert i18n.format_number(1234.5, "en") == "1,234.5"
    assert i18n.format_number(1234.5, "de") == "1.234,5"
    # CLDR separates number and unit with a space or a no-break space, unit by unit
    def size(n: int, language: str) -> str:
        return i18n.format_size(n, language).replace("\u00a0", " ")

    # Windows Explorer's units (KB = 1024 bytes), the language's separators
    assert size(1_234 * 2**40 + 2**39, "en") == "1,234.5 TB"
    assert size(1_234 * 2**40 + 2**39, "de") == "1.234,5 TB"
    assert size(3 * 2**29, "en") == "1.5 GB" and size(3 * 2**29, "de") == "1,5 GB"
    assert (size(512, "en"), size(512, "de"), size(1, "en")) == ("512 bytes", "512 Bytes", "1 byte")
    assert i18n.format_date(date(2026, 12, 2), "en") == "Dec 2, 2026"
    assert i18n.format_date(date(2026, 12, 2), "de") == "02.12.2026"
    moment = datetime(2026, 12, 2, 15, 30, tzinfo=timezone.utc)
    assert i18n.format_datetime(moment, "de") == "02.12.2026, 15:30:00"


def test_lazy_text_is_english_text_that_renders_in_another_language() -> None:
    detail = i18n.L_("The {name} field is missing or empty.", name="AadTenantId")
    assert detail == "The AadTenantId field is missing or empty." and isinstance(detail, str)
    assert detail.in_("de") == "Das Feld AadTenantId fehlt oder ist leer."
    error = RegisterServerError("credentials.invalid", reason="missing_field", detail=detail)
    assert error.message_in("de") == info("credentials.invalid").message_in("de") + " " + detail.in_("de")
    assert error.to_dict()["message"] == info("credentials.invalid").message_in("en") + " " + detail
    plain = RegisterServerError("credentials.invalid", detail="/srv/x: Input/output error.")
    assert plain.message_in("de").endswith(" /srv/x: Input/output error.")  # not made with L_: kept as is


class _FakeKernel32:
    """GetUserDefaultUILanguage / LCIDToLocaleName as Windows answers them for a German user."""

    def __init__(self, name: str | None) -> None:
        self.name = name

    def GetUserDefaultUILanguage(self) -> int:  # noqa: N802 (the Win32 name)
        return 0x0407

    def LCIDToLocaleName(self, langid: int, buffer, size: int, flags: int) -> int:  # noqa: N802, ANN001
        if self.name is None:
            return 0
        assert langid == 0x0407 and size >= len(self.name) + 1
        buffer.value = self.name
        return len(self.name) + 1


@pytest.mark.parametrize("name, expected", [("de-DE", "de-DE"), (None, "de_DE")])
def test_windows_ui_language_asks_the_user_default_ui_language(monkeypatch: pytest.MonkeyPatch,
                                                              name: str | None, expected: str) -> None:
    import ctypes
    import types

    monkeypatch.setattr(i18n.sys, "platform", "win32")
    monkeypatch.setattr(ctypes, "windll", types.SimpleNamespace(kernel32=_FakeKernel32(name)), raising=False)
    assert i18n.windows_ui_language() == expected  # without LCIDToLocaleName: Python's LCID table
    assert i18n.resolve_language({"LANG": "en_US.UTF-8"}) == "de"


def test_details_of_validators_and_answer_files_render_in_the_readers_language() -> None:
    """A detail made with L_ (and the numbers inside it) is English in `message` and German in
    `message_in("de")`; the answer file's line number survives in both."""
    from wizard.core.answers import InvalidAnswers, parse_answers
    from wizard.core.model import RecoveryFolder
    from wizard.core.validators.recovery import check_recovery_on_disk
    from wizard.core.validators.throttling import parse_bandwidth_text

    with pytest.raises(InvalidAnswers) as caught:
        parse_answers('[proxy]\nport = "x"\n[throttling]\nwork_days = ["mon"]\n')
    port, day = caught.value.issues
    assert port.message.endswith(" proxy.port must be a whole number (line 2).")
    assert port.message_in("de").endswith(" proxy.port muss eine ganze Zahl sein (Zeile 2).")
    assert day.message_in("de").endswith(" 'mon' ist kein Wochentagsname (Zeile 4).")
    _, found = parse_bandwidth_text("throttling.work_bandwidth", "1,000 bps")
    assert found[0].message.endswith(" 1,000 bps is below the minimum.")
    assert found[0].message_in("de").endswith(" 1.000 bps liegt unter dem Minimum.")
    huge = RecoveryFolder(path=Path("/"), space_needed_bytes=2**60)
    (short,) = [i for i in check_recovery_on_disk(huge) if i.code == "recovery.not_enough_space"]
    assert short.message.endswith("; needed: 1,048,576.0 TB.")
    assert short.message_in("de").endswith("; benötigt: 1.048.576,0 TB.") and " Frei: " in short.message_in("de")
