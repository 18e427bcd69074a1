from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wizard.core.bandwidth import BandwidthError, format_bandwidth, parse_bandwidth, split_for_display
from wizard.core.limits import KBPS, MAX_BANDWIDTH_BPS, MBPS, MIN_BANDWIDTH_BPS
from wizard.core.validators import parse_bandwidth_text


@pytest.mark.parametrize(("text", "bits"), [
    ("512 Kbps", 512 * KBPS),
    ("2 Mbps", 2 * MBPS),
    ("1,023 Mbps", 1023 * MBPS),
    ("1.5 Mbps", 1536 * KBPS),
    ("524288", 524288),
    ("524288 bps", 524288),
    ("2mbps", 2 * MBPS),
    ("  100 Mbit/s ", 100 * MBPS),
    ("512 kb/s", 512 * KBPS),
    (524288, 524288),
])
def test_parse_accepts_what_people_write(text: str | int, bits: int) -> None:
    assert parse_bandwidth(text) == bits


@pytest.mark.parametrize("text", ["", "fast", "Mbps", "1.5.5 Mbps", "12 parsecs", "1,00 Mbps", "-5 Mbps", "0.1 bps"])
def test_parse_rejects_unreadable_text(text: str) -> None:
    with pytest.raises(BandwidthError) as raised:
        parse_bandwidth(text)
    assert raised.value.code == "throttling.bandwidth_format"


@pytest.mark.parametrize(("text", "suggestion"), [("10 MB/s", "80 Mbps"), ("64 KB/s", "512 Kbps"), ("1 MBps", "8 Mbps")])
def test_byte_units_are_refused_with_the_bit_equivalent(text: str, suggestion: str) -> None:
    with pytest.raises(BandwidthError) as raised:
        parse_bandwidth(text)
    assert raised.value.code == "throttling.bandwidth_bytes"
    assert raised.value.suggestion == suggestion
    assert suggestion in str(raised.value)


@pytest.mark.parametrize(("text", "codes"), [
    ("511 Kbps", ["throttling.bandwidth_range"]),
    ("512 Kbps", []),
    ("1,023 Mbps", []),
    ("1,024 Mbps", ["throttling.bandwidth_range"]),
    ("1 Gbps", ["throttling.bandwidth_range"]),
])
def test_range_edges(text: str, codes: list[str]) -> None:
    _, issues = parse_bandwidth_text("throttling.work_bandwidth", text)
    assert [i.code for i in issues] == codes
    assert all(i.field == "throttling.work_bandwidth" for i in issues)


def test_range_message_names_the_value() -> None:
    _, issues = parse_bandwidth_text("throttling.work_bandwidth", "511 Kbps")
    assert "511 Kbps is below the minimum" in issues[0].message


@pytest.mark.parametrize(("bits", "text"), [
    (2 * MBPS, "2 Mbps"), (1536 * KBPS, "1.5 Mbps"), (1023 * MBPS, "1,023 Mbps"), (512 * KBPS, "512 Kbps"),
    (1000, "1,000 bps"), (1537 * KBPS, "1,537 Kbps"),
])
def test_format_is_readable(bits: int, text: str) -> None:
    assert format_bandwidth(bits) == text


@given(st.integers(min_value=0, max_value=4 * MAX_BANDWIDTH_BPS))
def test_format_then_parse_round_trips(bits: int) -> None:
    assert parse_bandwidth(format_bandwidth(bits)) == bits


@given(st.integers(min_value=MIN_BANDWIDTH_BPS, max_value=MAX_BANDWIDTH_BPS))
def test_display_split_round_trips(bits: int) -> None:
    number, unit = split_for_display(bits)
    assert parse_bandwidth(f"{number} {unit}") == bits
