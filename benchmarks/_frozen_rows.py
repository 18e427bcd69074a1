"""Rows for run_all from bench_frozen_startup.py (the packaging helper's script, called unchanged).

Why a wrapper: that script belongs to packaging and is still changing; run_all reads its
`--json` output rather than importing its internals.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from _rows import Row, at_most

HERE = Path(__file__).resolve().parent


def rows(runs: int = 7) -> list[Row]:
    out = subprocess.run([sys.executable, str(HERE / "bench_frozen_startup.py"), "--json", "--runs", str(runs)],
                         cwd=HERE.parent, capture_output=True, text=True, check=True, timeout=540).stdout
    data = json.loads(out[out.index("{"):])
    labels = {"version": "--version", "paint": "process start to first painted page (self-test qt)",
              "selftest": "full --self-test"}
    return [Row("frozen app", f"{labels.get(name, name)}, median", medians["frozen"] * 1000, "ms",
                "same from source (python -m wizard)", medians["source"] * 1000, at_most(1.1, "x"),
                note="packaging's goal and build (bench_frozen_startup.py)" if name == "version" else "")
            for name, medians in data["median_s"].items()]
