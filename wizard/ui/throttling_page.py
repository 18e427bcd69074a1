"""Step 3, Throttling Setting: work days, work hours and two bandwidth limits, with a week preview."""

from __future__ import annotations

from dataclasses import replace
from datetime import time

from PySide6.QtCore import QEvent, QObject, QTime, QTimer
from PySide6.QtGui import QColor, QPixmap
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QDateTimeEdit, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QTimeEdit, QVBoxLayout,
    QWidget,
)

from wizard.core.bandwidth import DISPLAY_UNITS, Bandwidth, split_for_display
from wizard.core.fields import caption, label
from wizard.core.flow import Step
from wizard.core.i18n import N_, _
from wizard.core.issues import Issue
from wizard.core.model import RegistrationSettings, ThrottlingSchedule, Weekday
from wizard.core.validators import parse_bandwidth_text, validate_throttling
from wizard.ui.page_base import StepPage, content_layout, name_input
from wizard.ui.contrast import scheme_for
from wizard.ui.week_preview import WeekPreview, local_zone_name

# The day boxes' texts with their mnemonics (each language picks its own letters), translated when shown.
_DAY_TEXT = {
    Weekday.MONDAY: N_("&Mon"), Weekday.TUESDAY: N_("&Tue"), Weekday.WEDNESDAY: N_("&Wed"), Weekday.THURSDAY: N_("T&hu"),
    Weekday.FRIDAY: N_("F&ri"), Weekday.SATURDAY: N_("S&at"), Weekday.SUNDAY: N_("S&un"),
}


class BandwidthInput(QWidget):
    """A number field and a unit list; the text the core parses is "<number> <unit>"."""

    def __init__(self, key: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.number = QLineEdit(self)
        self.number.setMaximumWidth(110)
        self.unit = QComboBox(self)
        for name, _bps in DISPLAY_UNITS:
            self.unit.addItem(name)
        name_input(self.unit, f"{key}.unit")
        layout.addWidget(self.number)
        layout.addWidget(self.unit)
        layout.addStretch(1)

    def text(self) -> str:
        """What the core parses. A unit typed into the number field wins over the list."""
        typed = self.number.text().strip()
        if any(c.isalpha() for c in typed):
            return typed
        return f"{typed} {self.unit.currentText()}"

    def set_value(self, value: Bandwidth) -> None:
        number, unit = split_for_display(value.bits_per_second)
        if self.unit.findText(unit) < 0:  # bps: show as a typed value
            self.number.setText(f"{number} {unit}")
            return
        self.number.setText(number)
        self.unit.setCurrentText(unit)


class TimeBox(QTimeEdit):
    """A 24-hour HH:mm box that takes typed digits after a click.

    Why: a plain QTimeEdit leaves the text cursor where the click landed, usually after the
    digits, and rejects every digit typed there ("09:00" + "2" is no time). Selecting the
    section under the click (hours or minutes) makes "2230" type 22:30, as people expect.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setDisplayFormat("HH:mm")
        self.lineEdit().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.lineEdit() and event.type() in (QEvent.Type.MouseButtonRelease, QEvent.Type.FocusIn):
            QTimer.singleShot(0, self._select_section_at_cursor)
        return super().eventFilter(watched, event)

    def _select_section_at_cursor(self) -> None:
        position = self.lineEdit().cursorPosition()
        hours = position <= self.displayFormat().index(":")
        self.setSelectedSection(QDateTimeEdit.Section.HourSection if hours else QDateTimeEdit.Section.MinuteSection)


def _swatch(colour: QColor) -> QLabel:
    pixmap = QPixmap(12, 12)
    pixmap.fill(colour)
    label = QLabel()
    label.setPixmap(pixmap)
    return label


class ThrottlingPage(StepPage):
    step = Step.THROTTLING

    def subtitle(self) -> str:
        return _("Optionally limit the bandwidth backups use during work hours and at other times.")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        outer = content_layout(self)  # inside the frame named for readers (page_base)
        self.enabled = QCheckBox(label("throttling.enabled"), self)
        self.watch("throttling.enabled", self.enabled)
        outer.addWidget(self.enabled)

        self.details = QWidget(self)
        form = QFormLayout(self.details)
        # A row whose label and field do not fit side by side (seven day boxes beside a long label,
        # in German or the pseudo-locale) puts its label above the field instead of squeezing it.
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.setContentsMargins(20, 0, 0, 0)
        form.setVerticalSpacing(4)
        days_row = QWidget(self.details)
        days_layout = QHBoxLayout(days_row)
        days_layout.setContentsMargins(0, 0, 0, 0)
        name_input(days_row, "throttling.work_days")
        self.days: dict[Weekday, QCheckBox] = {}
        for day in Weekday:
            box = QCheckBox(_(_DAY_TEXT[day]), days_row)
            box.setMinimumWidth(box.sizeHint().width())  # never narrower than its text
            name_input(box, f"throttling.work_days.{day.key}")
            box.setToolTip(day.title())
            self.days[day] = box
            days_layout.addWidget(box)
            box.toggled.connect(lambda _checked: self.touch("throttling.work_days"))
        days_layout.addStretch(1)
        form.addRow(QLabel(caption("throttling.work_days"), self.details), days_row)
        form.addRow("", self.watch("throttling.work_days", days_row))

        hours = QWidget(self.details)
        hours_layout = QHBoxLayout(hours)
        hours_layout.setContentsMargins(0, 0, 0, 0)
        self.start = TimeBox(hours)
        self.end = TimeBox(hours)
        for edit in (self.start, self.end):
            edit.timeChanged.connect(self.refresh)
        start_label = QLabel(caption("throttling.work_start"), hours)
        start_label.setBuddy(self.start)
        end_label = QLabel(caption("throttling.work_end"), hours)
        end_label.setBuddy(self.end)
        # What the two boxes mean together, with the time zone: "22:00 – 06:00, overnight (UTC)".
        self.hours_note = QLabel(hours)
        self.hours_note.setObjectName("throttling.work_hours")
        self.hours_note.setWordWrap(True)
        for widget in (start_label, self.start, end_label, self.end):
            hours_layout.addWidget(widget)
        hours_layout.addStretch(1)
        form.addRow(QLabel(caption("throttling.work_hours"), self.details), hours)
        # Under the boxes, not beside them: a wrapped note beside them was cut to one line when a
        # longer language (German, the pseudo-locale) made it two.
        form.addRow("", self.hours_note)
        self.watch("throttling.work_start", self.start)
        self.watch("throttling.work_end", self.end)
        form.addRow("", self.message_for("throttling.work_start"))
        form.addRow("", self.message_for("throttling.work_end"))

        self.work_bandwidth = BandwidthInput("throttling.work_bandwidth", self.details)
        self.add_row(form, "throttling.work_bandwidth", self.work_bandwidth,
                     input_widget=self.work_bandwidth.number)
        self.non_work_bandwidth = BandwidthInput("throttling.non_work_bandwidth", self.details)
        self.add_row(form, "throttling.non_work_bandwidth", self.non_work_bandwidth,
                     input_widget=self.non_work_bandwidth.number)
        # A mistake in a limit is named once typing pauses (not only when the field is left), so
        # "10 MB/s" never disables Next without saying why ("10 MB/s is 80 Mbps").
        self._typing_pause = QTimer(self)
        self._typing_pause.setSingleShot(True)
        self._typing_pause.setInterval(500)
        self._typed: set[str] = set()
        self._typing_pause.timeout.connect(self._show_typed)
        for key, widget in (("throttling.work_bandwidth", self.work_bandwidth),
                            ("throttling.non_work_bandwidth", self.non_work_bandwidth)):
            widget.number.textChanged.connect(self.refresh)
            widget.number.textEdited.connect(lambda _text, key=key: self._typing(key))
            widget.unit.currentIndexChanged.connect(self.refresh)
        outer.addWidget(self.details)

        self.preview = WeekPreview(self)
        legend = QHBoxLayout()
        preview_title = QLabel(_("Week preview, hour by hour:"), self)
        preview_title.setToolTip(_("Each square shows the limit that applies at the middle of that hour."))
        preview_title.setWordWrap(True)  # beside the legend: wraps in a longer language rather than cut
        legend.addWidget(preview_title, 1)
        legend.addWidget(_swatch(scheme_for(self.palette()).week_work))
        legend.addWidget(QLabel(_("work-hours limit"), self))
        legend.addSpacing(12)
        legend.addWidget(_swatch(scheme_for(self.palette()).week_other))
        legend.addWidget(QLabel(_("other times"), self))
        outer.addSpacing(6)
        outer.addLayout(legend)
        outer.addWidget(self.preview)
        self.summary = QLabel(self)
        self.summary.setObjectName("throttling.summary")
        self.summary.setWordWrap(True)
        # Two lines, always: a summary that changes with every keystroke must not relayout the page.
        self.summary.setFixedHeight(2 * self.summary.fontMetrics().lineSpacing() + 2)
        outer.addWidget(self.summary)
        outer.addStretch(1)
        self.enabled.toggled.connect(self._enabled_changed)

    def _typing(self, key: str) -> None:
        self._typed.add(key)
        self._typing_pause.start()

    def _show_typed(self) -> None:
        typed, self._typed = self._typed, set()
        if typed:
            self.touch(*typed)

    def _enabled_changed(self, *_args: object) -> None:
        self.details.setEnabled(self.enabled.isChecked())
        self.refresh()

    def load(self, settings: RegistrationSettings) -> None:
        schedule = settings.throttling
        self.enabled.setChecked(schedule.enabled)
        for day, box in self.days.items():
            box.setChecked(day in schedule.work_days)
        self.start.setTime(QTime(schedule.work_start.hour, schedule.work_start.minute))
        self.end.setTime(QTime(schedule.work_end.hour, schedule.work_end.minute))
        self.work_bandwidth.set_value(schedule.work_bandwidth)
        self.non_work_bandwidth.set_value(schedule.non_work_bandwidth)
        self._enabled_changed()

    def _build(self) -> tuple[ThrottlingSchedule, list[Issue]]:
        defaults = ThrottlingSchedule()
        work, work_issues = parse_bandwidth_text("throttling.work_bandwidth", self.work_bandwidth.text())
        other, other_issues = parse_bandwidth_text("throttling.non_work_bandwidth", self.non_work_bandwidth.text())
        start, end = self.start.time(), self.end.time()
        schedule = ThrottlingSchedule(
            enabled=self.enabled.isChecked(),
            work_days=frozenset(day for day, box in self.days.items() if box.isChecked()),
            work_start=time(start.hour(), start.minute()),
            work_end=time(end.hour(), end.minute()),
            work_bandwidth=work or defaults.work_bandwidth,
            non_work_bandwidth=other or defaults.non_work_bandwidth,
        )
        parse_issues = work_issues + other_issues if schedule.enabled else []
        return schedule, parse_issues

    def collect_issues(self) -> list[Issue]:
        schedule, parse_issues = self._build()
        self.preview.set_schedule(schedule)
        self.summary.setText(self.preview.describe(schedule))
        self.hours_note.setText(f"{schedule.work_hours_text} ({local_zone_name()})")
        parsed_fields = {i.field for i in parse_issues}
        return parse_issues + [i for i in validate_throttling(schedule) if i.field not in parsed_fields]

    def apply(self, settings: RegistrationSettings) -> RegistrationSettings:
        schedule, _issues = self._build()
        return replace(settings, throttling=schedule)
