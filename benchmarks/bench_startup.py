"""Start-up: process start to the first painted wizard page, against floors measured in the same run.

    python benchmarks/bench_startup.py [--runs N]

Three kinds of child process, run interleaved N times each (offscreen Qt):
  import   `import PySide6.QtWidgets` and exit (the cost of Qt itself)
  bare     a bare 6-page QWizard, shown, until its first page is painted (the floor)
  wizard   `register-server` (wizard.cli.main with no arguments), until its first page is painted
  ui-only  the same wizard started through wizard.ui.app.run_wizard (shows what the CLI adds)
  bare-app, wizard-app  bare and wizard again, watched by an application-wide event filter
           (for comparison only: that observer costs the wizard more than the bare QWizard)

The parent times each child from spawn to the child's "painted" line, so interpreter
start-up is included, as a user would feel it. Each child also reports its peak RSS.
Prints medians and the ratio wizard / bare (goal: at most 1.5). Exit status is always 0:
benchmarks report, tests decide.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from _rows import Row, at_most

ROOT = Path(__file__).resolve().parent.parent

# How a child learns its first page was painted. The observer changes what it measures, so it
# must be the cheapest one that still sees the paint:
#  - "page" (the ratio's observer): an event filter on each QWizardPage only, installed from a
#    patched QWizard.show. Only the pages' own events cross into Python.
#  - "app" (shown for comparison, no floor): one application-wide event filter. Every event of
#    every object then crosses into Python, and the first event for an object of a private Qt
#    class (an item view's internals, say the step list's QListWidget) makes Shiboken resolve
#    all of QtCore's lazy types: 30-140 ms and 167 enum types that the real product, which
#    installs no such filter, never pays.
_OBSERVER = r"""
import os, resource, sys
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication, QWizard, QWizardPage

class FirstPaint(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint and isinstance(obj, QWizardPage):
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            sys.stdout.write("painted %d\n" % rss)
            sys.stdout.flush()
            os._exit(0)
        return False

app = QApplication.instance() or QApplication(sys.argv[:1])
hook = FirstPaint()
if OBSERVER == "app":
    app.installEventFilter(hook)
else:
    _show = QWizard.show

    def _show_observed(wizard):
        for page_id in wizard.pageIds():
            wizard.page(page_id).installEventFilter(hook)
        _show(wizard)

    QWizard.show = _show_observed
"""


def _observed(body: str, observer: str = "page") -> str:
    return f"OBSERVER = {observer!r}\n" + _OBSERVER + body


_BARE = r"""
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWizard
wizard = QWizard()
wizard.setWizardStyle(QWizard.WizardStyle.ModernStyle)
for n in range(6):
    page = QWizardPage()
    page.setTitle("Page %d" % n)
    QVBoxLayout(page).addWidget(QLabel("text"))
    wizard.addPage(page)
wizard.show()
app.exec()
"""
_WIZARD = r"""
from wizard.cli import main
main([])
"""

CHILDREN = {
    "import": "import resource, sys\nimport PySide6.QtWidgets\n"
              "sys.stdout.write('painted %d\\n' % resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n",
    "bare": _observed(_BARE),
    "wizard": _observed(_WIZARD),
    # The same wizard without the command line in front (argparse + discovering every subcommand).
    "ui-only": _observed(r"""
from wizard.ui.app import run_wizard
run_wizard()
"""),
    # The application-wide observer, for comparison (see _OBSERVER).
    "bare-app": _observed(_BARE, "app"),
    "wizard-app": _observed(_WIZARD, "app"),
}


def run_child(kind: str, env: dict[str, str]) -> tuple[float, int]:
    start = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-c", CHILDREN[kind]], stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True, env=env, cwd=ROOT)
    assert process.stdout is not None
    line = process.stdout.readline()
    elapsed = time.perf_counter() - start
    process.wait(timeout=30)
    if not line.startswith("painted"):
        raise RuntimeError(f"{kind}: child did not report a paint")
    return elapsed, int(line.split()[1])


def measure(runs: int = 15) -> dict[str, dict[str, float]]:
    """{kind: {median_s, p90_s, peak_rss_mib}} for every child kind, interleaved `runs` times."""
    import tempfile

    # Bytecode as an installed or frozen product has it: cached .pyc files (written to a
    # private prefix by the untimed warm-up run, so the source tree stays clean), even
    # when the calling environment sets PYTHONDONTWRITEBYTECODE.
    cache = tempfile.mkdtemp(prefix="bench-startup-pyc-")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", REGISTER_SERVER_HOME=str(Path(cache) / "home"),
               PYTHONPYCACHEPREFIX=cache)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    results: dict[str, list[tuple[float, int]]] = {kind: [] for kind in CHILDREN}
    for kind in CHILDREN:  # warm the file cache once, untimed
        run_child(kind, env)
    for _ in range(runs):
        for kind in CHILDREN:
            results[kind].append(run_child(kind, env))
    return {kind: {"median_s": statistics.median(t for t, _ in rows),
                   "p90_s": sorted(t for t, _ in rows)[int(0.9 * (len(rows) - 1))],
                   "peak_rss_mib": statistics.median(m for _, m in rows) / 1024}
            for kind, rows in results.items()}


def rows(runs: int = 15) -> list[Row]:
    s = measure(runs)
    wizard, bare, imp = s["wizard"], s["bare"], s["import"]
    return [
        Row("start-up", "register-server to first painted page, median", wizard["median_s"] * 1000, "ms",
            "bare 6-page QWizard, first paint", bare["median_s"] * 1000, at_most(1.5, "x")),
        Row("start-up", "register-server to first painted page, median", wizard["median_s"] * 1000, "ms",
            "import PySide6.QtWidgets", imp["median_s"] * 1000),
        Row("start-up", "wizard without the CLI (run_wizard), median", s["ui-only"]["median_s"] * 1000, "ms",
            "bare 6-page QWizard, first paint", bare["median_s"] * 1000),
        Row("start-up", "peak memory (RSS) at first paint", wizard["peak_rss_mib"], "MiB",
            "bare 6-page QWizard", bare["peak_rss_mib"]),
        # Both watched by an application-wide event filter: what that observer adds (no floor).
        Row("start-up", "register-server, app-wide paint observer, median", s["wizard-app"]["median_s"] * 1000,
            "ms", "bare 6-page QWizard, app-wide observer", s["bare-app"]["median_s"] * 1000),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    summary = measure(args.runs)
    ratio = summary["wizard"]["median_s"] / summary["bare"]["median_s"]
    if args.json:
        print(json.dumps({"runs": args.runs, "results": summary, "ratio_wizard_vs_bare": ratio}, indent=2))
        return 0
    print(f"start-up to first painted page, offscreen, medians of {args.runs} interleaved runs")
    for kind, row in summary.items():
        print(f"  {kind:7s} {row['median_s'] * 1000:7.1f} ms   (p90 {row['p90_s'] * 1000:6.1f} ms)   "
              f"peak RSS {row['peak_rss_mib']:5.1f} MiB")
    print(f"  ratio wizard / bare QWizard: {ratio:.2f}x  (goal <= 1.5x)")
    print(f"  ratio with the app-wide observer (no goal): "
          f"{summary['wizard-app']['median_s'] / summary['bare-app']['median_s']:.2f}x")
    print(f"  ratio wizard / import PySide6.QtWidgets: "
          f"{summary['wizard']['median_s'] / summary['import']['median_s']:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
