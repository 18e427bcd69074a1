from __future__ import annotations

from datetime import datetime, time, timedelta

from hypothesis import given
from hypothesis import strategies as st

from wizard.core.bandwidth import Bandwidth
from wizard.core.limits import MBPS
from wizard.core.model import ThrottlingSchedule, Weekday, WORK_WEEK
from wizard.core.validators import validate_throttling

WORK, OFF = Bandwidth(2 * MBPS), Bandwidth(100 * MBPS)


def schedule(days=WORK_WEEK, start=time(9), end=time(18), enabled=True) -> ThrottlingSchedule:
    return ThrottlingSchedule(enabled, frozenset(days), start, end, WORK, OFF)


def reference_in_work_hours(s: ThrottlingSchedule, moment: datetime) -> bool:
    """Brute force: build every work window that could contain `moment` as real intervals."""
    for back in range(3):
        day = (moment - timedelta(days=back)).date()
        if Weekday(day.weekday()) not in s.work_days:
            continue
        opens = datetime.combine(day, s.work_start)
        closes = datetime.combine(day, s.work_end)
        if closes <= opens:
            closes += timedelta(days=1)
        if opens <= moment < closes:
            return True
    return False


def test_disabled_means_no_limit() -> None:
    assert schedule(enabled=False).limit_at(datetime(2026, 11, 25, 10)) is None


def test_day_window_edges() -> None:
    s = schedule()
    wednesday = datetime(2026, 11, 25)
    assert s.limit_at(wednesday.replace(hour=9)) == WORK
    assert s.limit_at(wednesday.replace(hour=8, minute=59)) == OFF
    assert s.limit_at(wednesday.replace(hour=17, minute=59)) == WORK
    assert s.limit_at(wednesday.replace(hour=18)) == OFF
    assert s.limit_at(datetime(2026, 11, 28, 10)) == OFF  # Saturday


def test_overnight_window_runs_into_the_next_day() -> None:
    s = schedule(days={Weekday.FRIDAY}, start=time(22), end=time(6))
    assert s.limit_at(datetime(2026, 11, 27, 23)) == WORK      # Friday night
    assert s.limit_at(datetime(2026, 11, 28, 5, 59)) == WORK   # Saturday early morning
    assert s.limit_at(datetime(2026, 11, 28, 6)) == OFF
    assert s.limit_at(datetime(2026, 11, 27, 5)) == OFF        # Friday early: Thursday is not a work day


times = st.builds(time, st.integers(0, 23), st.sampled_from([0, 15, 30, 59]))


@given(
    days=st.frozensets(st.sampled_from(list(Weekday))),
    start=times, end=times,
    moment=st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 12, 31)),
)
def test_limit_at_agrees_with_brute_force(days, start, end, moment) -> None:
    s = schedule(days=days, start=start, end=end)
    if start == end:
        assert [i.code for i in validate_throttling(s) if i.code == "throttling.same_start_end"]
        return
    expected = WORK if reference_in_work_hours(s, moment) else OFF
    assert s.limit_at(moment) == expected


def test_validation_codes() -> None:
    assert validate_throttling(schedule()) == []
    assert [i.code for i in validate_throttling(schedule(days=set()))] == ["throttling.no_work_days"]
    assert [i.code for i in validate_throttling(schedule(start=time(9), end=time(9)))] == ["throttling.same_start_end"]
    assert validate_throttling(schedule(days=set(), enabled=False)) == []
    assert validate_throttling(schedule(start=time(22), end=time(6))) == []
