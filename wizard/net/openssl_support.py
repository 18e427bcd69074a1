"""Whether an OpenSSL release line still gets security fixes, from OpenSSL's published policy.

Why: the Windows build ships python.org's embeddable CPython, whose `_ssl` links the OpenSSL
it bundles; a line past its end of life gets no published fixes, so the build must not ship
one. `--self-test` names the line's status and the Windows installer test fails on an
unsupported one. Distribution builds (Debian's 3.0) are patched by the distribution, so only
the release-line dates are stated here, not a verdict about a distribution's package.
Dates: https://openssl-library.org/policies/releasestrat/ (3.5 is the LTS line).
"""

from __future__ import annotations

import datetime
import re

END_OF_LIFE: dict[tuple[int, int], datetime.date] = {
    (1, 1): datetime.date(2023, 9, 11),
    (3, 0): datetime.date(2026, 9, 7),
    (3, 1): datetime.date(2025, 3, 14),
    (3, 2): datetime.date(2025, 11, 23),
    (3, 3): datetime.date(2026, 4, 9),
    (3, 4): datetime.date(2026, 10, 22),
    (3, 5): datetime.date(2030, 4, 8),  # LTS
    (3, 6): datetime.date(2026, 11, 1),
}


def release_line(version_text: str) -> tuple[int, int] | None:
    """(3, 0) from ``OpenSSL 3.0.13 30 Jan 2024``; None when it is not OpenSSL."""
    match = re.match(r"OpenSSL (\d+)\.(\d+)\.", version_text)
    return (int(match.group(1)), int(match.group(2))) if match else None


def line_status(version_text: str, today: datetime.date | None = None) -> tuple[bool, str]:
    """(supported, words): a line newer than the table is assumed supported."""
    line = release_line(version_text)
    if line is None:
        return True, "not OpenSSL"
    day = today or datetime.date.today()
    end = END_OF_LIFE.get(line)
    if end is None:
        older = line < min(END_OF_LIFE)
        return (not older, "past its end of life" if older else "a line newer than this build knows")
    if day > end:
        return False, f"line {line[0]}.{line[1]} past its end of life ({end.isoformat()})"
    return True, f"line {line[0]}.{line[1]} supported until {end.isoformat()}"
