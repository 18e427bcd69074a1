"""The shipped catalogues: complete for every error code, consistent in their terms, extracted
from the source, and compiled (.mo, committed) from the .po as it is now."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po

from wizard.core import i18n
from wizard.core.errors import CATALOGUE

ROOT = Path(__file__).resolve().parents[2]
TRANSLATED = [lang for lang in i18n.SHIPPED if lang != i18n.ENGLISH]
# Texts that are a command or a code and so read the same in every language (none today).
SAME_IN_EVERY_LANGUAGE: set[str] = set()


def _po(language: str):
    with open(i18n.LOCALE_DIR / language / "LC_MESSAGES" / f"{i18n.DOMAIN}.po", "rb") as f:
        return read_po(f)


def _catalogue_texts() -> list[tuple[str, str, str]]:
    return [(e.code, kind, text) for e in CATALOGUE.values()
            for kind, text in (("message", e.source_message), ("fix", e.source_fix))]


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_code_has_a_message_and_fix_in_each_shipped_language(language: str) -> None:
    missing = []
    for code, kind, text in _catalogue_texts():
        shown = i18n.gettext(text, language)
        if not shown.strip() or (shown == text and text not in SAME_IN_EVERY_LANGUAGE):
            missing.append(f"{code} {kind}")
    assert not missing, (f"untranslated in {language}: {missing}; run scripts/i18n.sh and translate "
                         f"the new entries of wizard/locale/{language}/LC_MESSAGES/{i18n.DOMAIN}.po "
                         "(docs/translation.md)")


@pytest.mark.parametrize("language", TRANSLATED)
def test_what_must_not_be_translated_is_kept(language: str) -> None:
    """Commands in backticks, option names and answer-file keys read the same; placeholders are
    the same names (their number format may differ: German writes no English thousands commas)."""
    keep = re.compile(r"`[^`]+`|--[a-z][a-z-]*|\[[a-z]+\] [a-z_]+")
    placeholders = re.compile(r"\{([a-z_]+)(?::[^}]*)?\}")
    changed = []
    for message in _po(language):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for source, shown in zip(ids, strings):
            for token in keep.findall(source):
                if token not in shown:
                    changed.append((token, source))
            if sorted(placeholders.findall(source)) != sorted(placeholders.findall(shown)):
                changed.append(("{placeholders}", source))
    assert not changed


# One term per concept (docs/translation.md): where the English says it, the German says it so.
GERMAN_TERMS = [
    (r"\bcredentials file\b", "Tresoranmeldeinformationsdatei"),
    (r"\bpassphrase file\b", "Passphrasendatei"),
    (r"\bpassphrase\b", "Passphrase"),
    (r"\brecovery folder\b", "Wiederherstellungsordner"),
    (r"\b[Tt]hrottling\b", "Drosselung"),
    (r"\banswer file\b", "Antwortdatei"),
    (r"\bvault\b", "Tresor"),
    (r"\bpassword\b(?!-)", "Kennwort"),
    (r"\bescrow envelope\b", "Hinterlegungsumschlag"),
    (r"\bsecurity PIN\b", "Sicherheits-PIN"),
]
# Words of another convention that must not creep in.
GERMAN_AVOID = ["Passwort", "Tresoranmeldedatei", "Anmeldeinformationsdatei ", "Proxy-Server", "Ordner für die Wiederherstellung",
                "Vault", "Keyring"]


def test_german_uses_one_term_per_concept() -> None:
    wrong = []
    for message in _po("de"):
        if not message.id or isinstance(message.id, tuple):
            continue
        # commands, placeholders and the file extension are not prose; a mnemonic "&" and a soft
        # hyphen (where a long compound may break: "Wiederherstellungs\u00adordner") are no part of a word
        not_prose = r"`[^`]+`|\{[a-z_]+(?:![rs])?\}|\.VaultCredentials\b|&|\u00ad"
        english = re.sub(not_prose, "", message.id)
        german = re.sub(not_prose, "", message.string)
        for pattern, term in GERMAN_TERMS:
            # compounds count: "Verschlüsselungspassphrase", "Proxykennwort", "Beispielantwortdatei"
            if re.search(pattern, english, re.IGNORECASE) and term.lower() not in german.lower():
                wrong.append((term, message.id))
        wrong += [(avoid, message.string) for avoid in GERMAN_AVOID if avoid in german]
    assert not wrong


@pytest.mark.parametrize("language", TRANSLATED)
def test_no_fuzzy_or_obsolete_entries(language: str) -> None:
    catalog = _po(language)
    assert not [m.id for m in catalog if m.id and m.fuzzy]
    assert not catalog.obsolete


def test_extraction_finds_every_catalogue_text_and_every_po_has_it() -> None:
    """What `pybabel extract` (scripts/i18n.sh) finds is what the .po files hold: a new code
    whose literals lack N_() or whose translation was not added fails here."""
    # Only modules that import the translation functions can mark text (and reading the rest
    # would make this test slow); pybabel itself reads them all.
    keywords = {"N_": None, "L_": None, "_": None, "gettext": None, "ngettext": (1, 2)}
    extracted = set()
    for module in sorted((ROOT / "wizard").rglob("*.py")):
        if "wizard.core.i18n import" not in module.read_text(encoding="utf-8"):
            continue
        for _, msgid, _, _ in extract_from_file("python", str(module), keywords=keywords):
            extracted.add(msgid if isinstance(msgid, str) else msgid[0])
    assert {text for _, _, text in _catalogue_texts()} <= extracted
    for language in TRANSLATED:
        in_po = {m.id if isinstance(m.id, str) else m.id[0] for m in _po(language) if m.id}
        assert extracted - in_po == set(), f"{language}.po lacks these (run scripts/i18n.sh)"


@pytest.mark.parametrize("language", TRANSLATED)
def test_committed_mo_is_compiled_from_the_current_po(language: str) -> None:
    """The .mo ships (fresh clones, PyInstaller's package data); it must say what the .po says."""
    mo = i18n.LOCALE_DIR / language / "LC_MESSAGES" / f"{i18n.DOMAIN}.mo"
    with open(mo, "rb") as f:
        compiled = gettext.GNUTranslations(f)._catalog  # type: ignore[attr-defined]
    expected: dict[object, str] = {}
    for message in _po(language):
        if not message.id or message.fuzzy:
            continue
        if isinstance(message.id, tuple):
            for n, text in enumerate(message.string):
                expected[(message.id[0], n)] = text
        else:
            expected[message.id] = message.string
    compiled = {k: v for k, v in compiled.items() if k != ""}
    assert compiled == expected, "stale .mo: run scripts/i18n.sh compile"


def test_no_translation_call_hides_inside_an_f_string() -> None:
    """pybabel does not look inside f-strings: f"{_('Saved.')} {path}" ships English in every language."""
    hidden = re.compile(r"""\bf(["']).*\{\s*(?:_|gettext|ngettext|N_|L_)\(""")
    found = [f"{module.relative_to(ROOT)}:{number}" for module in sorted((ROOT / "wizard").rglob("*.py"))
             for number, line in enumerate(module.read_text(encoding="utf-8").splitlines(), start=1)
             if hidden.search(line)]
    assert found == []
