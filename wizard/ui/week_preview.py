"""A 7 x 24 grid painting which bandwidth limit applies in each hour of the week.

Each cell asks the core's `ThrottlingSchedule.limit_at()` for the middle of its hour, so
the picture is the rule, not a second copy of it (overnight windows included).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from wizard.core.model import ThrottlingSchedule, Weekday

WORK_COLOUR = QColor("#2b6cb0")
OTHER_COLOUR = QColor("#bee3f8")
OFF_COLOUR = QColor("#e2e8f0")
# A Monday to anchor the week; only weekday and time of day matter.
_MONDAY = datetime(2024, 1, 1)
_DAY_LABELS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def week_grid(schedule: ThrottlingSchedule) -> list[list[bool | None]]:
    """[day][hour]: True = work-hour limit, False = non-work limit, None = throttling off.

    An hour is painted as work time when its midpoint is; with half-hour boundaries the
    preview is an approximation of the exact rule, which the legend says.
    """
    grid: list[list[bool | None]] = []
    for day in Weekday:
        row: list[bool | None] = []
        for hour in range(24):
            moment = _MONDAY + timedelta(days=int(day), hours=hour, minutes=30)
            row.append(None if not schedule.enabled else schedule.in_work_hours(moment))
        grid.append(row)
    return grid


class WeekPreview(QWidget):
    """Paints `week_grid`; repaint with `set_schedule` whenever the page's fields change."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("throttling.week_preview")
        self.setAccessibleName("throttling.week_preview")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self._grid: list[list[bool | None]] = week_grid(ThrottlingSchedule())
        self.setMinimumHeight(self.sizeHint().height())

    def sizeHint(self) -> QSize:
        line = self.fontMetrics().height()
        return QSize(420, 7 * (line + 2) + line + 6)

    def set_schedule(self, schedule: ThrottlingSchedule) -> None:
        grid = week_grid(schedule)
        if grid != self._grid:
            self._grid = grid
            self.update()
        self.setAccessibleDescription(self.describe(schedule))

    def grid(self) -> list[list[bool | None]]:
        return self._grid

    @staticmethod
    def describe(schedule: ThrottlingSchedule) -> str:
        if not schedule.enabled:
            return "Throttling is off: backups use all available bandwidth."
        days = ", ".join(d.key.capitalize() for d in sorted(schedule.work_days)) or "no days"
        return (f"{schedule.work_bandwidth} on {days} from {schedule.work_start:%H:%M} to {schedule.work_end:%H:%M}; "
                f"{schedule.non_work_bandwidth} at all other times.")

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        metrics = self.fontMetrics()
        label_width = max(metrics.horizontalAdvance(d) for d in _DAY_LABELS) + 8
        header = metrics.height() + 2
        cell_w = (self.width() - label_width - 1) / 24
        cell_h = (self.height() - header - 1) / 7
        painter.setPen(self.palette().color(self.foregroundRole()))
        for hour in range(0, 24, 3):
            x = label_width + hour * cell_w
            painter.drawText(QRectF(x, 0, cell_w * 3, header), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                             f"{hour:02d}")
        grid_pen = QPen(QColor("#ffffff"))
        for day, row in enumerate(self._grid):
            y = header + day * cell_h
            painter.setPen(self.palette().color(self.foregroundRole()))
            painter.drawText(QRectF(0, y, label_width, cell_h), Qt.AlignmentFlag.AlignVCenter, _DAY_LABELS[day])
            for hour, value in enumerate(row):
                colour = OFF_COLOUR if value is None else WORK_COLOUR if value else OTHER_COLOUR
                rect = QRectF(label_width + hour * cell_w, y, cell_w, cell_h)
                painter.fillRect(rect, colour)
                painter.setPen(grid_pen)
                painter.drawRect(rect)
        painter.end()
