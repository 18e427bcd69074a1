"""Bandwidth values: parse what people write, format what they read, never guess a ×8.

A bandwidth is an exact whole number of bits per second. Units are binary, as in the
original cmdlet (1 Kbps = 1,024 bit/s, 1 Mbps = 1,048,576 bit/s). Byte units such as
"10 MB/s" are refused with a message that gives the bit-per-second equivalent, so a
limit is never silently eight times off.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from wizard.core.i18n import ENGLISH, L_, active_language
from wizard.core.limits import GBPS, KBPS, MAX_BANDWIDTH_BPS, MBPS, MIN_BANDWIDTH_BPS

BIT_UNITS: dict[str, int] = {
    "bps": 1, "b/s": 1, "bit/s": 1,
    "kbps": KBPS, "kb/s": KBPS, "kbit/s": KBPS,
    "mbps": MBPS, "mb/s": MBPS, "mbit/s": MBPS,
    "gbps": GBPS, "gb/s": GBPS, "gbit/s": GBPS,
}
# Written with a capital B they mean bytes: "MBps", "MB/s", "KB/s", "Bps".
_BYTE_UNIT = re.compile(r"^(?:[kmg]?B(?:ps|/s)|[KMG]B(?:ps|/s)|[KMG]iB/s|[kmg]?bytes?/s)$")
_NUMBER_UNIT = re.compile(r"^\s*([0-9][0-9,]*(?:\.[0-9]+)?)\s*([A-Za-z/]*)\s*$")
_GROUPED = re.compile(r"^[0-9]{1,3}(?:,[0-9]{3})*(?:\.[0-9]+)?$|^[0-9]+(?:\.[0-9]+)?$")

# Units the wizard offers beside its number field.
DISPLAY_UNITS: tuple[tuple[str, int], ...] = (("Kbps", KBPS), ("Mbps", MBPS))


class BandwidthError(ValueError):
    """`code` is the catalogue code; `suggestion` is an equivalent the user could write."""

    def __init__(self, code: str, text: str, suggestion: str | None = None) -> None:
        self.code = code
        self.suggestion = suggestion
        self.text = text  # a LazyText: `str(error)` would keep only its English
        super().__init__(text)


@dataclass(frozen=True, order=True)
class Bandwidth:
    bits_per_second: int

    def __str__(self) -> str:
        return format_bandwidth(self.bits_per_second)

    @classmethod
    def parse(cls, text: str) -> "Bandwidth":
        return cls(parse_bandwidth(text))

    @property
    def in_range(self) -> bool:
        return MIN_BANDWIDTH_BPS <= self.bits_per_second <= MAX_BANDWIDTH_BPS


def parse_bandwidth(text: str | int) -> int:
    """Bits per second from "512 Kbps", "1,023 Mbps", "1.5 Mbps", "524288" or an int."""
    if isinstance(text, bool):
        raise BandwidthError("throttling.bandwidth_format", L_("a bandwidth is a number with a unit"))
    if isinstance(text, int):
        if text < 0:
            raise BandwidthError("throttling.bandwidth_format", L_("a bandwidth cannot be negative"))
        return text
    match = _NUMBER_UNIT.match(text)
    if not match or not _GROUPED.match(match.group(1)):
        raise BandwidthError("throttling.bandwidth_format",
                             L_("{text} is not a number followed by a unit", text=repr(text.strip())))
    number_text, unit = match.group(1).replace(",", ""), match.group(2)
    from decimal import Decimal, InvalidOperation  # exact decimals; imported on first use, not at start-up

    try:
        number = Decimal(number_text)
    except InvalidOperation:  # pragma: no cover - the pattern already restricts the text
        raise BandwidthError("throttling.bandwidth_format", L_("{text} is not a number", text=repr(number_text))) from None
    if unit and _BYTE_UNIT.match(unit):
        multiplier = _byte_multiplier(unit)
        bits = number * multiplier * 8
        suggestion = format_bandwidth(int(bits)) if bits == bits.to_integral_value() else None
        hint = (L_("{text} is {suggestion}.", text=text.strip(), suggestion=suggestion) if suggestion
                else L_("Multiply bytes by 8 to get bits."))
        raise BandwidthError("throttling.bandwidth_bytes", hint, suggestion)
    multiplier = BIT_UNITS.get(unit.lower(), None) if unit else 1
    if multiplier is None:
        raise BandwidthError("throttling.bandwidth_format", L_("unknown unit {unit}; use Kbps or Mbps", unit=repr(unit)))
    bits = number * multiplier
    if bits != bits.to_integral_value():
        raise BandwidthError("throttling.bandwidth_format",
                             L_("{text} is not a whole number of bits per second", text=text.strip()))
    return int(bits)


def _byte_multiplier(unit: str) -> int:
    first = unit[0].upper()
    return {"K": 1024, "M": 1024 ** 2, "G": 1024 ** 3}.get(first, 1)


def format_bandwidth(bits_per_second: int) -> str:
    """The exact, shortest readable form: "2 Mbps", "1.5 Mbps", "1,536 Kbps", "1,000 bps".

    Always parses back to the same number (a property test checks it).
    """
    # Integer arithmetic, no `decimal`: the field registry formats the limits at import, which is
    # on the wizard's start-up path (tests/ui/test_startup_and_demo.py keeps decimal off it).
    for unit_name, size in (("Mbps", MBPS), ("Kbps", KBPS)):
        if bits_per_second >= size:
            if bits_per_second % size == 0:
                return f"{bits_per_second // size:,} {unit_name}"
            if (bits_per_second * 1000) % size == 0:
                whole, thousandths = divmod(bits_per_second * 1000 // size, 1000)
                return f"{whole:,}.{thousandths:03d}".rstrip("0") + f" {unit_name}"
    return f"{bits_per_second:,} bps"


def show_bandwidth(bits_per_second: int, language: str | None = None) -> str:
    """`format_bandwidth` for people: the same unit, the number with the language's separators
    ("1,536 Kbps" / "1.536 Kbps", "1.5 Mbps" / "1,5 Mbps"). Answer files keep `format_bandwidth`'s
    form, which parses back whatever the machine's language."""
    if (language or active_language()) == ENGLISH:
        return format_bandwidth(bits_per_second)  # the same text; no Babel on a keystroke's path
    from decimal import Decimal

    from wizard.core.i18n import format_number

    number, unit = format_bandwidth(bits_per_second).rsplit(" ", 1)
    return f"{format_number(Decimal(number.replace(',', '')), language)} {unit}"


def split_for_display(bits_per_second: int) -> tuple[str, str]:
    """(number text, unit) for a number field + unit selector: prefers Mbps, then Kbps."""
    text = format_bandwidth(bits_per_second)
    number, unit = text.rsplit(" ", 1)
    return number.replace(",", ""), unit
