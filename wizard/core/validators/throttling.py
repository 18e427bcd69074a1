"""Throttling: work days, work hours and two bandwidth limits."""

from __future__ import annotations

import re
from datetime import time

from wizard.core.bandwidth import Bandwidth, BandwidthError, parse_bandwidth, show_bandwidth
from wizard.core.i18n import L_, LazyText, LocalText
from wizard.core.issues import Issue, issue
from wizard.core.limits import MAX_BANDWIDTH_BPS, MIN_BANDWIDTH_BPS
from wizard.core.model import ThrottlingSchedule

_TIME = re.compile(r"^\s*([01]?\d|2[0-3]):([0-5]\d)\s*$")


def parse_time_text(field: str, text: str) -> tuple[time | None, list[Issue]]:
    """24-hour "HH:MM" → time."""
    match = _TIME.match(text)
    if not match:
        return None, [issue(field, "throttling.time_invalid")]
    return time(int(match.group(1)), int(match.group(2))), []


def bandwidth_issues(field: str, value: Bandwidth) -> list[Issue]:
    if value.in_range:
        return []
    shown = LocalText(lambda language: show_bandwidth(value.bits_per_second, language))
    detail = (L_("{value} is below the minimum.", value=shown) if value.bits_per_second < MIN_BANDWIDTH_BPS
              else L_("{value} is above the maximum.", value=shown))
    return [issue(field, "throttling.bandwidth_range", detail)]


def parse_bandwidth_text(field: str, text: str | int) -> tuple[Bandwidth | None, list[Issue]]:
    """Parse and range-check what the user typed; the message names the problem exactly."""
    try:
        value = Bandwidth(parse_bandwidth(text))
    except BandwidthError as error:
        detail = error.text if error.code == "throttling.bandwidth_bytes" else LazyText("({text})", text=error.text)
        return None, [issue(field, error.code, detail)]
    return value, bandwidth_issues(field, value)


def validate_throttling(schedule: ThrottlingSchedule) -> list[Issue]:
    if not schedule.enabled:
        return []
    found: list[Issue] = []
    if not schedule.work_days:
        found.append(issue("throttling.work_days", "throttling.no_work_days"))
    if schedule.work_start == schedule.work_end:
        found.append(issue("throttling.work_end", "throttling.same_start_end"))
    found += bandwidth_issues("throttling.work_bandwidth", schedule.work_bandwidth)
    found += bandwidth_issues("throttling.non_work_bandwidth", schedule.non_work_bandwidth)
    return found


__all__ = ["parse_time_text", "parse_bandwidth_text", "validate_throttling", "bandwidth_issues",
           "MIN_BANDWIDTH_BPS", "MAX_BANDWIDTH_BPS"]
