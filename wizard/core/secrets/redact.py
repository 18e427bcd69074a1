"""Removing secrets from text that leaves the machine (diagnostics bundles).

Two kinds of removal: known values (this identity's secrets, read from the keyring only
to be removed, in their plain, base64, hex and percent-encoded forms) and secret-shaped
text (a password inside a URL, an Authorization header, a PEM private key, the marked
line of a passphrase file, `password = ...` style assignments, up to the end of the line,
because passphrases contain spaces and punctuation). Documents are redacted
by key name: any key that looks like it names a secret has its value replaced.
"""

from __future__ import annotations

import re
from typing import Any, Iterable

from wizard.core.passphrase_file import MARKER
from wizard.core.secret import text_forms

REDACTED = "<redacted>"

SECRET_KEY = re.compile(r"pass(word|phrase|wd)|secret|token|private|credential|api[_-]?key|auth", re.IGNORECASE)
# Keys that name *where* a secret is, not the secret: kept, because support needs them.
REFERENCE_SUFFIXES = ("_file", "_path", "_ref", "_source", "_env", "_set", "_required", "_saved", "_stored")

_PATTERNS = [
    (re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?(-----END [A-Z ]*PRIVATE KEY-----|\Z)", re.DOTALL),
     "-----PRIVATE KEY " + REDACTED + "-----"),
    (re.compile(r"(?i)(\b[a-z][a-z0-9+.-]*://[^\s:/@]*:)[^\s@/]+@"), r"\1" + REDACTED + "@"),
    (re.compile(r"(?i)((?:proxy-)?authorization\s*[:=]\s*)(\S+(?:[ \t]+[^\s,;]+)?)"), r"\1" + REDACTED),
    (re.compile(r"(?im)^(" + re.escape(MARKER) + r").*$"), r"\1" + REDACTED),
    (re.compile(r"(?i)\b((?:[a-z_]*pass(?:word|phrase)|secret|token)\s*[=:]\s*)(\"[^\"]*\"|'[^']*'|[^\r\n]+)"),
     r"\1" + REDACTED),
]


def value_forms(value: str) -> set[str]:
    """The forms in which `value` could appear in text (`wizard.core.secret.text_forms`)."""
    return text_forms(value)


def redact_text(text: str, known: Iterable[str] = ()) -> str:
    """`text` without known secret values (any form) and without secret-shaped text."""
    for form in sorted({f for value in known if value for f in value_forms(value)}, key=len, reverse=True):
        text = text.replace(form, REDACTED)
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def is_secret_key(key: str) -> bool:
    lowered = key.lower()
    return bool(SECRET_KEY.search(lowered)) and not lowered.endswith(REFERENCE_SUFFIXES)


def redact_document(document: Any, known: Iterable[str] = ()) -> Any:
    """A copy of a JSON-like document with secret-named keys blanked and strings scrubbed."""
    known = list(known)
    if isinstance(document, dict):
        return {k: (REDACTED if is_secret_key(str(k)) and v not in (None, "", False, True)
                    else redact_document(v, known)) for k, v in document.items()}
    if isinstance(document, list):
        return [redact_document(v, known) for v in document]
    if isinstance(document, str):
        return redact_text(document, known)
    return document
