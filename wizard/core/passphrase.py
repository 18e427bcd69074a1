"""Generating passphrases and estimating their strength.

A generated passphrase draws from the printable ASCII alphabet minus characters that
are easily confused when read back from paper (0/O, 1/l/I, quotes, backquote, space):
32 characters of a 86-symbol alphabet is over 200 bits, and it always passes every
rule in `wizard.core.validators.encryption` (a property test checks it).
"""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass

from wizard.core.i18n import N_, gettext
from wizard.core.limits import GENERATED_PASSPHRASE_LENGTH
from wizard.core.secret import Secret

_CONFUSABLE = set("0O1lI'\"` ")
ALPHABET = "".join(c for c in string.ascii_letters + string.digits + string.punctuation if c not in _CONFUSABLE)
STRENGTH_LABELS = (N_("Very weak"), N_("Weak"), N_("Fair"), N_("Strong"), N_("Very strong"))


def generate_passphrase(length: int = GENERATED_PASSPHRASE_LENGTH) -> Secret:
    """Cryptographically random; contains at least one lower, upper, digit and symbol."""
    while True:
        value = "".join(secrets.choice(ALPHABET) for _ in range(length))
        if (any(c.islower() for c in value) and any(c.isupper() for c in value)
                and any(c.isdigit() for c in value) and any(c in string.punctuation for c in value)):
            return Secret(value)


@dataclass(frozen=True)
class Strength:
    score: int          # 0 (very weak) to 4 (very strong), zxcvbn's scale
    label: str
    feedback: str       # one sentence of advice, or ""


def estimate_strength(passphrase: Secret) -> Strength:
    """zxcvbn's estimate (imported lazily: it is only needed on the Encryption page)."""
    value = passphrase.reveal()
    if not value:
        return Strength(0, gettext(STRENGTH_LABELS[0]), "")
    from zxcvbn import zxcvbn  # noqa: PLC0415 - deliberately lazy

    result = zxcvbn(value[:100])  # zxcvbn is quadratic in length; 100 characters say enough
    score = int(result["score"])
    feedback = result.get("feedback", {}) or {}
    advice = feedback.get("warning") or " ".join(feedback.get("suggestions") or [])
    # zxcvbn's advice is its own English sentence (it ships no translations): shown as it is.
    return Strength(score, gettext(STRENGTH_LABELS[score]), advice)
