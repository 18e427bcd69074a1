"""Start-up of the frozen Linux app against running the same code from source, same run.

    python benchmarks/bench_frozen_startup.py [--runs N] [--app PATH]

Three workloads, each a whole process that exits by itself (offscreen Qt, no D-Bus):
  version   `register-server --version`: interpreter and CLI start-up, no Qt
  paint     `--self-test` limited to its Qt check: process start until the product's wizard
            is built and painted once, then exit (time to first painted page, plus teardown)
  selftest  the full `--self-test` (Qt, SVG, cryptography, TLS, keyring)
Each runs from source (`python -m wizard`, bytecode cached as an installed product has it)
and frozen (the one-folder build), interleaved N times; the script prints medians and the
ratio frozen / source (goal: at most 1.1). It builds the frozen app first when --app does not
exist. Exit status is always 0: benchmarks report, tests decide.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_APP = ROOT / "packaging/out/linux/register-server/register-server"
WORKLOADS = {
    "version": (["--version"], {}),
    "paint": (["--self-test"], {"REGISTER_SERVER_SELF_TEST_CHECKS": "qt"}),
    "selftest": (["--self-test"], {}),
}


def run_once(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} exited {result.returncode}: {result.stdout}{result.stderr}")
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=11)
    parser.add_argument("--app", type=Path, default=DEFAULT_APP, help="the frozen executable")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if not args.app.exists():
        print(f"building the frozen app ({args.app} is missing)", file=sys.stderr)
        subprocess.run([str(ROOT / "packaging/build_linux.sh"), "--no-self-test"], cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL)

    cache = tempfile.mkdtemp(prefix="bench-frozen-pyc-")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", DBUS_SESSION_BUS_ADDRESS="disabled:",
               REGISTER_SERVER_HOME=str(Path(cache) / "home"), PYTHONPYCACHEPREFIX=cache)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    modes = {"source": [sys.executable, "-m", "wizard"], "frozen": [str(args.app)]}
    times: dict[str, dict[str, list[float]]] = {w: {m: [] for m in modes} for w in WORKLOADS}
    for workload, (extra, extra_env) in WORKLOADS.items():  # warm caches (and write .pyc), untimed
        for mode, base in modes.items():
            run_once(base + extra, {**env, **extra_env})
    for _ in range(args.runs):
        for workload, (extra, extra_env) in WORKLOADS.items():
            for mode, base in modes.items():
                times[workload][mode].append(run_once(base + extra, {**env, **extra_env}))

    summary = {w: {m: statistics.median(t) for m, t in by_mode.items()} for w, by_mode in times.items()}
    ratios = {w: s["frozen"] / s["source"] for w, s in summary.items()}
    if args.json:
        print(json.dumps({"runs": args.runs, "median_s": summary, "ratio_frozen_vs_source": ratios}, indent=2))
        return 0
    print(f"frozen one-folder app vs source, offscreen, medians of {args.runs} interleaved runs")
    for workload, row in summary.items():
        print(f"  {workload:9s} source {row['source'] * 1000:7.1f} ms   frozen {row['frozen'] * 1000:7.1f} ms"
              f"   ratio {ratios[workload]:.2f}x  (goal <= 1.1x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
