"""A 7 x 24 grid painting which bandwidth limit applies in each hour of the week.

Each cell asks the core's `ThrottlingSchedule.limit_at()` for the middle of its hour, so
the picture is the rule, not a second copy of it (overnight windows included).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from functools import lru_cache

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QPainter, QPaintEvent, QPen, QPixmap
from PySide6.QtWidgets import QSizePolicy, QWidget

from wizard.core.i18n import _
from wizard.core.model import ThrottlingSchedule, Weekday
from wizard.ui.contrast import scheme_for

# A Monday to anchor the week; only weekday and time of day matter.
_MONDAY = datetime(2024, 1, 1)
ANNOUNCE_PAUSE_MS = 600  # the summary is announced once the schedule has stopped changing this long


def week_grid(schedule: ThrottlingSchedule) -> list[list[bool | None]]:
    """[day][hour]: True = work-hour limit, False = non-work limit, None = throttling off.

    An hour is painted as work time when its midpoint is; with half-hour boundaries the
    preview is an approximation of the exact rule, which the legend says. The grid does
    not depend on the bandwidths, so it is cached on the rest (typing a bandwidth is cheap).
    """
    return [list(row) for row in _grid_for(schedule.enabled, schedule.work_days, schedule.work_start,
                                           schedule.work_end)]


@lru_cache(maxsize=64)
def _grid_for(enabled: bool, work_days: frozenset[Weekday], work_start: time,
              work_end: time) -> tuple[tuple[bool | None, ...], ...]:
    schedule = ThrottlingSchedule(enabled=enabled, work_days=work_days, work_start=work_start, work_end=work_end)
    grid: list[tuple[bool | None, ...]] = []
    for day in Weekday:
        row: list[bool | None] = []
        for hour in range(24):
            moment = _MONDAY + timedelta(days=int(day), hours=hour, minutes=30)
            row.append(None if not schedule.enabled else schedule.in_work_hours(moment))
        grid.append(tuple(row))
    return tuple(grid)


def local_zone_name() -> str:
    """This server's time zone as shown next to times: work hours are the server's local time."""
    from datetime import datetime

    return datetime.now().astimezone().strftime("%Z") or _("local time")


class WeekPreview(QWidget):
    """Paints `week_grid`; repaint with `set_schedule` whenever the page's fields change."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("throttling.week_preview")
        self.setAccessibleName(_("Week preview"))
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self._grid: list[list[bool | None]] = week_grid(ThrottlingSchedule())
        self._announced: str | None = None
        from PySide6.QtCore import QTimer

        self._announce_timer = QTimer(self)
        self._announce_timer.setSingleShot(True)
        self._announce_timer.setInterval(ANNOUNCE_PAUSE_MS)
        self._announce_timer.timeout.connect(self._announce)
        self.setMinimumHeight(self.sizeHint().height())

    def sizeHint(self) -> QSize:
        line = self.fontMetrics().height()
        return QSize(420, 7 * (line + 2) + line + 6)

    def set_schedule(self, schedule: ThrottlingSchedule) -> None:
        grid = week_grid(schedule)
        if grid != self._grid:
            self._grid = grid
            self.update()
        summary = self.describe(schedule)
        if summary != self.accessibleDescription():
            # The grid's text alternative, kept live: the description changes at once (a reader
            # looking at the grid reads the new one) and is announced once the user pauses, so
            # typing "10 MB/s" says one summary, not one a keystroke.
            self.setAccessibleDescription(summary)
            if self._announced is not None:
                self._announce_timer.start()
            else:
                self._announced = summary  # the first summary is the page's, not a change

    def _announce(self) -> None:
        summary = self.accessibleDescription()
        if summary != self._announced and self.isVisible():
            self._announced = summary
            from wizard.ui.accessible import announce

            announce(self, summary)

    def grid(self) -> list[list[bool | None]]:
        return self._grid

    @staticmethod
    def describe(schedule: ThrottlingSchedule) -> str:
        if not schedule.enabled:
            return _("Throttling is off: backups use all available bandwidth.")
        days = ", ".join(d.title() for d in sorted(schedule.work_days)) or _("no days")
        return _("{work} on {days}, {hours} ({zone}); {other} at all other times.").format(
            work=schedule.work_bandwidth, days=days, hours=schedule.work_hours_text, zone=local_zone_name(),
            other=schedule.non_work_bandwidth)

    def paintEvent(self, event: QPaintEvent) -> None:
        """Blit a cached rendering; re-render only when the grid, size or palette changed."""
        key = (self._grid_key(), self.width(), self.height(), self.devicePixelRatioF(), self.isEnabled(),
               self.palette().color(self.backgroundRole()).rgb())
        if getattr(self, "_cache_key", None) != key:
            ratio = self.devicePixelRatioF()
            pixmap = QPixmap(int(self.width() * ratio), int(self.height() * ratio))
            pixmap.setDevicePixelRatio(ratio)
            pixmap.fill(self.palette().color(self.backgroundRole()))
            self._render(pixmap)
            self._cache, self._cache_key = pixmap, key
        painter = QPainter(self)
        painter.drawPixmap(0, 0, self._cache)
        painter.end()

    def _grid_key(self) -> tuple[tuple[bool | None, ...], ...]:
        return tuple(tuple(row) for row in self._grid)

    def _render(self, device: QPixmap) -> None:
        painter = QPainter(device)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        metrics = self.fontMetrics()
        day_labels = [day.short() for day in Weekday]
        label_width = max(metrics.horizontalAdvance(d) for d in day_labels) + 8
        header = metrics.height() + 2
        cell_w = (self.width() - label_width - 1) / 24
        cell_h = (self.height() - header - 1) / 7
        painter.setPen(self.palette().color(self.foregroundRole()))
        for hour in range(0, 24, 3):
            x = label_width + hour * cell_w
            painter.drawText(QRectF(x, 0, cell_w * 3, header), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                             f"{hour:02d}")
        scheme = scheme_for(self.palette())  # white on black gets its own cell colours (contrast.py)
        grid_pen = QPen(scheme.week_lines)
        for day, row in enumerate(self._grid):
            y = header + day * cell_h
            painter.setPen(self.palette().color(self.foregroundRole()))
            painter.drawText(QRectF(0, y, label_width, cell_h), Qt.AlignmentFlag.AlignVCenter, day_labels[day])
            for hour, value in enumerate(row):
                colour = scheme.week_off if value is None else scheme.week_work if value else scheme.week_other
                rect = QRectF(label_width + hour * cell_w, y, cell_w, cell_h)
                painter.fillRect(rect, colour)
                painter.setPen(grid_pen)
                painter.drawRect(rect)
        painter.end()
