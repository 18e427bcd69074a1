"""The registration record and its human summary keep weekdays in week order (Monday first).

Operators read `status` to check a throttling schedule; "Fri, Mon, Thu, Tue, Wed" hides
a missing day where "Mon, Tue, Wed, Thu, Fri" shows it at a glance.
"""

from __future__ import annotations

from wizard.commands.status import describe
from wizard.core.model import RegistrationSettings, ThrottlingSchedule, Weekday
from wizard.core.registration.record import RegistrationRecord, settings_summary


def _record(work_days: list[str]) -> RegistrationRecord:
    summary = settings_summary(RegistrationSettings(throttling=ThrottlingSchedule(enabled=True)))
    summary["throttling"]["work_days"] = work_days
    return RegistrationRecord.from_json({
        "registered_at": "2026-12-01T07:00:00+00:00",
        "vault": {"name": "v", "resource_id": "1", "registration_url": "https://v.example/restapi/machines"},
        "machine": {"name": "m", "id": "1"}, "settings": summary})


def test_summary_lists_work_days_in_week_order() -> None:
    days = frozenset({Weekday.SUNDAY, Weekday.FRIDAY, Weekday.MONDAY, Weekday.WEDNESDAY})
    summary = settings_summary(RegistrationSettings(throttling=ThrottlingSchedule(enabled=True, work_days=days)))
    assert summary["throttling"]["work_days"] == ["monday", "wednesday", "friday", "sunday"]


def test_status_shows_week_order_also_for_records_saved_alphabetically() -> None:
    lines = describe(_record(["friday", "monday", "thursday", "tuesday", "wednesday"]))
    throttling = next(line for line in lines if line.startswith("Throttling:"))
    assert "on Mon, Tue, Wed, Thu, Fri;" in throttling
