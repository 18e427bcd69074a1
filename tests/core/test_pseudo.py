"""The pseudo-locale: generated from the template, longer, accented, bracketed; what must keep
working (placeholders, markup, mnemonics, file-dialog patterns) kept; never a shipped language."""

from __future__ import annotations

import re
from pathlib import Path

from wizard.core import i18n
from wizard.core.pseudo import EXPANSION, pseudo, translations


def test_a_message_is_bracketed_accented_and_forty_percent_longer() -> None:
    text = "Choose the recovery folder"
    shown = pseudo(text)
    assert shown.startswith("[") and shown.endswith("]")
    assert not re.search(r"[a-z]{2}", shown)  # no plain English word left
    assert len(shown) >= len(text) * (1 + EXPANSION)


def test_what_the_product_needs_is_kept() -> None:
    shown = pseudo("Saved <b>{path}</b> with `register-server status`; Alt+&Browse, a && b")
    assert "<b>{path}</b>" in shown and "`register-server status`" in shown
    assert "&B" in shown and "&&" in shown  # the mnemonic letter stays typable
    assert shown.format(path="/tmp/x") != shown  # still a format string
    assert pseudo("Text files (*.txt);;All files (*)").endswith("(*.txt);;[Áļļ ƒíļéš ····] (*)")


def test_the_catalogue_is_generated_from_the_template(tmp_path: Path) -> None:
    template = tmp_path / "t.pot"
    template.write_text('msgid ""\nmsgstr ""\n\nmsgid "Browse..."\nmsgstr ""\n\n'
                        'msgid "{count} file"\nmsgid_plural "{count} files"\nmsgstr[0] ""\nmsgstr[1] ""\n',
                        encoding="utf-8")
    catalogue = translations(template)
    assert catalogue.gettext("Browse...") == pseudo("Browse...")
    assert catalogue.gettext("Not in the template") == "Not in the template"  # what the walk test catches
    assert catalogue.ngettext("{count} file", "{count} files", 2) == pseudo("{count} files")
    assert translations(tmp_path / "missing.pot").gettext("Browse...") == "Browse..."  # frozen build


def test_it_is_chosen_by_name_only_and_not_shipped() -> None:
    assert i18n.PSEUDO not in i18n.SHIPPED
    assert i18n.resolve_language({"REGISTER_SERVER_LANG": "qps"}, lambda: None) == "qps"
    assert i18n.resolve_language({"REGISTER_SERVER_LANG": "qps-ploc"}, lambda: None) == "qps"
    # every message of the real template is pseudo-translated, formatting still speaks English
    assert i18n.gettext("Register Server", "qps") == pseudo("Register Server")
    assert i18n.format_number(1234.5, "qps") == "1,234.5"
