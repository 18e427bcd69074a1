"""One shape for every benchmark figure: a value beside its floor, the ratio, the goal, met or not.

Why: the benchmarks were written at different times with different outputs; run_all.py
prints them in one table and writes them to one JSON file. Each bench_*.py exposes
`rows(...) -> list[Row]`, measuring its floors in the same run (a noisy, shared machine
moves figure and floor together, so the ratio holds where the absolute value does not).

A goal is on the value (`at_most(8, "ms")`) or on the ratio to the floor
(`at_most(1.5, "x")`); `met` is None for figures that only inform.
"""

from __future__ import annotations

import statistics
from dataclasses import asdict, dataclass, field
from typing import Any, Iterable


@dataclass(frozen=True)
class Goal:
    """`value <op> limit` where value is the figure (unit == the figure's) or its ratio (unit "x")."""

    op: str  # "<=", "<", ">=", "=="
    limit: float
    unit: str

    def text(self) -> str:
        unit = "x floor" if self.unit == "x" else (" " + self.unit if self.unit else "")
        return f"{self.op} {self.limit:g}{unit}"

    def check(self, value: float) -> bool:
        return {"<=": value <= self.limit, "<": value < self.limit, ">=": value >= self.limit,
                "==": value == self.limit}[self.op]


def at_most(limit: float, unit: str) -> Goal:
    return Goal("<=", limit, unit)


def below(limit: float, unit: str) -> Goal:
    return Goal("<", limit, unit)


def at_least(limit: float, unit: str) -> Goal:
    return Goal(">=", limit, unit)


def exactly(limit: float, unit: str) -> Goal:
    return Goal("==", limit, unit)


@dataclass
class Row:
    """One figure. `ratio` = value / floor_value when there is a floor."""

    bench: str
    figure: str
    value: float
    unit: str
    floor_name: str | None = None
    floor_value: float | None = None
    goal: Goal | None = None
    note: str = ""
    ratio: float | None = field(init=False, default=None)
    met: bool | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        if self.floor_value:
            self.ratio = self.value / self.floor_value
        if self.goal is not None:
            measured = self.ratio if self.goal.unit == "x" else self.value
            self.met = None if measured is None else self.goal.check(measured)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["goal"] = self.goal.text() if self.goal else None
        return data


def percentile(values: Iterable[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..1) - enough for a few hundred samples."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def median(values: Iterable[float]) -> float:
    return statistics.median(list(values))


def _number(value: float | None, unit: str = "") -> str:
    if value is None:
        return "-"
    text = f"{value:.3g}" if abs(value) < 100 else f"{value:.0f}"
    return f"{text} {unit}".strip()


def table(rows: list[Row], *, markdown: bool = False) -> str:
    """The rows as an aligned text table, or a Markdown table for the README."""
    header = ["figure", "value", "floor", "floor value", "ratio", "goal", "met"]
    lines = [[f"{r.bench}: {r.figure}", _number(r.value, r.unit), r.floor_name or "-",
              _number(r.floor_value, r.unit) if r.floor_name else "-",
              f"{r.ratio:.2f}x" if r.ratio is not None else "-", r.goal.text() if r.goal else "-",
              {True: "yes", False: "NO", None: "-"}[r.met]] for r in rows]
    if markdown:
        out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        out += ["| " + " | ".join(cell.replace("|", "\\|") for cell in line) + " |" for line in lines]
        return "\n".join(out)
    widths = [max(len(h), *(len(line[i]) for line in lines)) if lines else len(h) for i, h in enumerate(header)]
    fmt = "  ".join(f"{{:{'<' if i in (0, 2, 5) else '>'}{w}}}" for i, w in enumerate(widths))
    return "\n".join([fmt.format(*header), fmt.format(*("-" * w for w in widths))] + [fmt.format(*line) for line in lines])
