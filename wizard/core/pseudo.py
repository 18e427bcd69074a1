"""The pseudo-locale ``qps``: every translatable text accented, 40 % longer and bracketed.

For testers, never for administrators: ``REGISTER_SERVER_LANG=qps`` makes every string that
goes through the catalogue read like ``[Ŝţéṗ 2 óƒ 7: Ɓáçķûṗ Ṽáûļţ ·····]``, so a text left in
English (never marked, or marked but not extracted into the template) stands out, and a
layout that cannot take German's 30-40 % more length clips visibly (tests/ui/layout_check.py
measures both). Named after Windows' own pseudo-locale (``qps-ploc``).

The catalogue is generated from the template (``wizard/locale/register-server.pot``) when
the language is first used, not written by hand and not committed: what the template holds
is exactly what gets pseudo-translated. Not a shipped language (`i18n.SHIPPED`): the frozen
build carries no template, so there it speaks English.

What stays as it is, so the product keeps working in it: placeholders (``{path}``), markup
(``<b>``), commands in backticks, file-dialog patterns (``(*.pem *.crt)``), and the letter after
a mnemonic ``&`` (Alt+that letter must still be typable).
"""

from __future__ import annotations

import gettext as _gettext
import math
import re
from pathlib import Path

PSEUDO = "qps"
EXPANSION = 0.4  # German runs 30-40 % longer than English
OPEN, CLOSE, PAD = "[", "]", "·"

_ACCENTED = str.maketrans(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "áƀçďéƒĝĥíĵķļḿñóṗʠŕšţûṽŵẋýžÁƁÇĎÉƑĜĤÍĴĶĻḾÑÓṖɊŔŠŢÛṼŴẊÝŽ")
# Kept verbatim: placeholders, markup, commands, a mnemonic and its letter ("&&" is a literal &).
_KEEP = re.compile(r"\{[^{}]*\}|<[^<>]*>|`[^`]*`|&&|&.|%\([a-z_]+\)[sd]")
_FILTER_PATTERN = re.compile(r"^(.*?)(\s*\([^()]*\))$")


def accent(text: str) -> str:
    """`text` with its ASCII letters accented, the parts `_KEEP` names left as they are."""
    out, last = [], 0
    for match in _KEEP.finditer(text):
        out.append(text[last:match.start()].translate(_ACCENTED))
        out.append(match.group(0))
        last = match.end()
    out.append(text[last:].translate(_ACCENTED))
    return "".join(out)


def pseudo(text: str) -> str:
    """The pseudo-translation of one message: accented, padded by `EXPANSION`, bracketed.

    A file-dialog filter ("Text files (*.txt);;All files (*)") is done name by name, its
    patterns untouched, so the dialog still filters.
    """
    if not text:
        return text
    if ";;" in text:
        return ";;".join(_filter_part(part) for part in text.split(";;"))
    padding = PAD * max(1, math.ceil(len(_KEEP.sub("", text)) * EXPANSION))
    return f"{OPEN}{accent(text)} {padding}{CLOSE}"


def _filter_part(part: str) -> str:
    match = _FILTER_PATTERN.match(part)
    return pseudo(match.group(1)) + match.group(2) if match else pseudo(part)


class PseudoTranslations(_gettext.NullTranslations):
    """gettext's interface over {msgid: pseudo(msgid)} for every message of the template."""

    def __init__(self, singular: dict[str, str], plural: dict[str, tuple[str, str]]) -> None:
        super().__init__()
        self._singular = singular
        self._plural = plural

    def gettext(self, message: str) -> str:
        return self._singular.get(message, message)

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        forms = self._plural.get(msgid1)
        if forms is None:
            return msgid1 if n == 1 else msgid2
        return forms[0] if n == 1 else forms[1]


def translations(template: Path) -> _gettext.NullTranslations:
    """The pseudo catalogue generated from `template`; no template (a frozen build): English."""
    if not template.is_file():
        return _gettext.NullTranslations()
    from babel.messages.pofile import read_po  # only testers pay for Babel's reader

    with open(template, "rb") as f:
        catalog = read_po(f)
    singular: dict[str, str] = {}
    plural: dict[str, tuple[str, str]] = {}
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            plural[message.id[0]] = (pseudo(message.id[0]), pseudo(message.id[1]))
        else:
            singular[message.id] = pseudo(message.id)
    return PseudoTranslations(singular, plural)
