"""Run every benchmark; print one table (each figure beside its floor, ratio and goal); write JSON.

    .venv/bin/python benchmarks/run_all.py [--quick] [--only NAME ...] [--json FILE] [--markdown]

Each benchmark runs in its own child process (a fresh interpreter: its own Qt application,
its own private keyring and D-Bus, no state left over from the one before) and hands back
its rows as JSON; the floors are measured inside each benchmark, in the same run. Results
go to benchmarks/results/latest.json (git-ignored). The frozen-app benchmark runs only when
the packaging build (packaging/out/linux) exists; it is never built from here.

Takes about 2-3 minutes on a 2-core machine (--quick: under a minute). Exit status is 0
whether or not goals are met: benchmarks report, tests decide.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from _rows import Goal, Row, table  # noqa: E402

FROZEN_APP = ROOT / "packaging/out/linux/register-server/register-server"

# name -> (module, keyword arguments for rows(), the same for --quick)
BENCHMARKS: dict[str, tuple[str, dict[str, Any], dict[str, Any]]] = {
    "validators": ("bench_validators", {}, {}),
    "credentials": ("bench_credentials", {"repeats": 200}, {"repeats": 30}),
    "storage": ("bench_storage", {"repeats": 200}, {"repeats": 50}),
    "keystroke": ("bench_keystroke", {"keys": 600}, {"keys": 150}),
    # start-up children vary +-30% from run to run on a shared host: 31 interleaved rounds keep
    # the median's own noise near +-5%
    "startup": ("bench_startup", {"runs": 31}, {"runs": 5}),
    "gui_stall": ("bench_gui_stall", {"runs": 5}, {"runs": 2}),
    "proxy_sign_in": ("bench_proxy_sign_in", {"runs": 15}, {"runs": 3}),
    "fleet": ("bench_fleet", {"machines": 200, "concurrency": 50}, {"machines": 200, "concurrency": 50}),
    "frozen_startup": ("_frozen_rows", {"runs": 15}, {"runs": 3}),
}
MARK = "@@rows@@ "


def _child(module: str, kwargs: dict[str, Any]) -> None:
    """In the child process: import the benchmark, measure, print the rows on one marked line."""
    sys.path.insert(0, str(ROOT))
    rows = __import__(module).rows(**kwargs)
    sys.stdout.write(MARK + json.dumps([r.as_dict() for r in rows]) + "\n")
    sys.stdout.flush()
    os._exit(0)  # skip Qt's and the keyring's teardown: the figures are out


def _from_dict(data: dict[str, Any]) -> Row:
    goal = None
    if data["goal"]:
        op, rest = data["goal"].split(" ", 1)
        number, _, unit = rest.partition(" ")
        number, unit = (number[:-len("x")], "x") if unit == "floor" else (number, unit)
        goal = Goal(op, float(number), unit)
    return Row(data["bench"], data["figure"], data["value"], data["unit"], data["floor_name"], data["floor_value"],
               goal, data["note"])


def run_one(name: str, quick: bool) -> tuple[list[Row], str | None, float]:
    """(rows, error text or None, seconds) of one benchmark in a child process."""
    module, kwargs, quick_kwargs = BENCHMARKS[name]
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    start = time.perf_counter()
    result = subprocess.run([sys.executable, __file__, "--child", module, json.dumps(quick_kwargs if quick else kwargs)],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    took = time.perf_counter() - start
    lines = [line for line in result.stdout.splitlines() if line.startswith(MARK)]
    if not lines:
        tail = (result.stderr or result.stdout).strip().splitlines()[-5:]
        return [], f"exit {result.returncode}: " + " / ".join(tail), took
    return [_from_dict(d) for d in json.loads(lines[-1][len(MARK):])], None, took


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats: a smoke run, noisier figures")
    parser.add_argument("--only", nargs="+", choices=sorted(BENCHMARKS), help="run only these")
    parser.add_argument("--json", type=Path, default=HERE / "results" / "latest.json")
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown (for the README)")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(args.child[0], json.loads(args.child[1]))

    names = args.only or list(BENCHMARKS)
    rows: list[Row] = []
    report: dict[str, Any] = {"started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                              "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                                          "platform": platform.platform(), "load_avg_at_start": os.getloadavg()},
                              "quick": args.quick, "benchmarks": {}}
    total = time.perf_counter()
    for name in names:
        if name == "frozen_startup" and not FROZEN_APP.exists():
            print(f"[{name}] skipped: no frozen app at {FROZEN_APP.relative_to(ROOT)} (packaging/build_linux.sh)",
                  file=sys.stderr)
            report["benchmarks"][name] = {"skipped": "no frozen app built"}
            continue
        print(f"[{name}] running ...", file=sys.stderr, flush=True)
        got, error, took = run_one(name, args.quick)
        print(f"[{name}] {took:.1f} s" + (f"  FAILED: {error}" if error else ""), file=sys.stderr, flush=True)
        rows += got
        report["benchmarks"][name] = {"seconds": round(took, 1), "error": error, "rows": [r.as_dict() for r in got]}
    report["seconds"] = round(time.perf_counter() - total, 1)
    report["load_avg_at_end"] = os.getloadavg()
    missed = [r for r in rows if r.met is False]
    report["goals_missed"] = [f"{r.bench}: {r.figure}" for r in missed]

    print(table(rows, markdown=args.markdown))
    notes = [r for r in rows if r.note]
    if notes:
        print("\nnotes:")
        for r in notes:
            print(f"  {r.bench}: {r.figure}: {r.note}")
    load = report["load_avg_at_end"]
    print(f"\n{len(rows)} figures in {report['seconds']:.0f} s; goals missed: {len(missed)}; "
          f"load average {load[0]:.1f} on {os.cpu_count()} CPUs")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=2) + "\n")
    print(f"JSON: {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
