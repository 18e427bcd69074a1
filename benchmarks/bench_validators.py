"""Per-keystroke validation cost: all cheap validators of each step, median per call.

Goal (issue 2): under 1 ms per step. The floor, measured in the same run, is a
trivial function call on the same model object, so the ratio says how much of the
cost is ours. Usage: python benchmarks/bench_validators.py [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from datetime import time as clock
from pathlib import Path
from typing import Callable

from _rows import Row, below
from wizard.core.bandwidth import Bandwidth
from wizard.core.limits import MBPS
from wizard.core.model import (EncryptionSettings, MachineSettings, ProxyMode, ProxySettings, RecoveryFolder,
                               ThrottlingSchedule, VaultSettings, WORK_WEEK)
from wizard.core.secret import Secret
from wizard.core.validators import (parse_bandwidth_text, parse_port_text, parse_size_text, passphrase_rules,
                                    validate_encryption, validate_machine, validate_proxy, validate_recovery,
                                    validate_throttling, validate_vault)


def median_us(fn: Callable[[], object], repeats: int = 2000) -> float:
    samples = []
    for _ in range(repeats):
        start = time.perf_counter_ns()
        fn()
        samples.append(time.perf_counter_ns() - start)
    return statistics.median(samples) / 1000


def measure() -> tuple[float, dict[str, float]]:
    """(floor µs, {step: median µs of all its cheap validators})."""
    passphrase = Secret("correct-horse-battery-staple-42")
    proxy = ProxySettings(ProxyMode.CUSTOM, "http://[2001:db8::1]", 3128, "alice", Secret("pw"))
    schedule = ThrottlingSchedule(True, WORK_WEEK, clock(9), clock(18), Bandwidth(2 * MBPS), Bandwidth(100 * MBPS))
    recovery = RecoveryFolder(Path("/var/tmp/recovery"))
    encryption = EncryptionSettings(passphrase, passphrase, Path("/mnt/secure/p.txt"), True)
    # What each page runs per keystroke (wizard/ui/*_page.py): the text parsers of its fields too.
    steps: dict[str, Callable[[], object]] = {
        "proxy": lambda: (validate_machine(MachineSettings("server01")), parse_port_text("3128"),
                          validate_proxy(proxy)),
        "vault": lambda: validate_vault(VaultSettings(Path("/tmp/x.VaultCredentials"))),
        "throttling": lambda: (parse_bandwidth_text("throttling.work_bandwidth", "1,023 Mbps"),
                               parse_bandwidth_text("throttling.non_work_bandwidth", "1.5 Mbps"),
                               validate_throttling(schedule)),
        "recovery": lambda: (parse_size_text("50 GB"), validate_recovery(recovery)),
        "encryption": lambda: (passphrase_rules(passphrase, passphrase), validate_encryption(encryption, recovery)),
    }
    floor = median_us(lambda: proxy.authenticated)
    return floor, {name: median_us(fn) for name, fn in steps.items()}


def rows() -> list[Row]:
    floor, medians = measure()
    slowest = max(medians, key=medians.__getitem__)  # every page's figure is in the script's own report
    return [Row("validators", f"slowest page ({slowest}), all its validators, median", medians[slowest], "µs",
                "a trivial call on the same model", floor, below(1000, "µs"))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    floor, rows = measure()
    print(f"{'step':<12}{'median µs':>12}{'floor µs':>10}{'ratio':>9}   goal < 1000 µs")
    for name, value in rows.items():
        print(f"{name:<12}{value:>12.1f}{floor:>10.2f}{value / floor:>9.0f}   {'ok' if value < 1000 else 'MISSED'}")
    if args.json:
        args.json.write_text(json.dumps({"floor_us": floor, "median_us": rows}, indent=2))


if __name__ == "__main__":
    main()
