"""A string that refuses to be printed.

Passphrases and passwords travel through the program inside `Secret` so that an
f-string, a log call, a traceback or a dataclass repr shows `<secret>` instead of the
value. Only `reveal()` returns it, which makes every use easy to find in review.
"""

from __future__ import annotations

from typing import NoReturn

REDACTED = "<secret>"
MIN_FORM_LENGTH = 4  # shorter forms would match ordinary words


class Secret:
    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        if not isinstance(value, str):
            raise TypeError("Secret wraps a str")
        self._value = value

    def reveal(self) -> str:
        """The value itself: call only where it must leave the process or be checked."""
        return self._value

    def __len__(self) -> int:
        return len(self._value)

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        import hmac  # here, not at import: it loads OpenSSL's libcrypto, off the wizard's start-up path

        return hmac.compare_digest(self._value.encode(), other._value.encode())

    def __hash__(self) -> int:
        return hash((Secret, len(self._value)))

    def __repr__(self) -> str:
        return f"Secret({REDACTED!r})"

    def __str__(self) -> str:
        return REDACTED

    def __format__(self, spec: str) -> str:
        return REDACTED

    def __reduce__(self) -> NoReturn:
        raise TypeError("a Secret cannot be pickled")


def text_forms(value: str) -> set[str]:
    """The forms in which `value` can turn up in text: plain, hex, percent- and base64-encoded.

    Why: a value leaks just as badly as `Proxy-Authorization: Basic base64(user:pass)`,
    percent-encoded inside a proxy URL or hex-dumped by a debug line. Base64 is covered at
    the three byte alignments a value can have inside a larger encoded buffer (only the
    characters that depend on the value alone), in the standard and URL-safe alphabets.
    Also the lower-case percent form and the form inside a JSON string. The log filter
    and the diagnostics bundle both remove every one of these forms.
    """
    import base64  # here, not at the top: this module is on the wizard's start-up path
    import json
    import re
    from urllib.parse import quote, quote_plus

    raw = value.encode("utf-8")
    percent = quote(value, safe="")
    forms = {value, raw.hex(), raw.hex().upper(), percent, quote_plus(value, safe=""),
             re.sub("%[0-9A-F]{2}", lambda m: m.group(0).lower(), percent),  # some libraries write %2f
             json.dumps(value)[1:-1]}  # inside a JSON string: quotes and backslashes escaped
    for align in range(3):
        encoded = base64.b64encode(b"\0" * align + raw).decode("ascii")
        fragment = encoded[(0, 2, 3)[align]:((align + len(raw)) // 3) * 4]
        if len(fragment) >= 8:  # shorter fragments would match unrelated base64
            forms.add(fragment)
            forms.add(fragment.replace("+", "-").replace("/", "_"))
    return {form for form in forms if len(form) >= MIN_FORM_LENGTH}
