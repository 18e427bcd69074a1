"""Checking a vault credentials file: median cost, against floors measured in the same run.

Goal (issue 3): checking a valid file takes a median under 10 ms. Floors:
  * io+xml   — reading the file's bytes and parsing them with defusedxml: the least any
               reader must do, so `check / io+xml` is the cost of everything we add;
  * pkcs12   — cryptography's own PKCS#12 loader on the same bundle alone: what the check
               would cost at least without the plain-bundle fast path (it re-validates the RSA
               key, ~30 ms), so `check / pkcs12` below 1 is the fast path's saving.
Also timed: a Windows-style bundle (encrypted with an empty password: the full-loader path),
every case of the hostile corpus (issue: each under 100 ms), and issuing a file (RSA 2048
key generation dominates). Memory: peak traced allocation of one check and of the 50 MB case.

Usage: .venv/bin/python benchmarks/bench_credentials.py [--repeats N] [--json FILE]
"""

from __future__ import annotations

import argparse
import base64
import json
import re
import statistics
import sys
import tempfile
import time
import tracemalloc
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from _rows import Row, below

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the hostile corpus and the independent builders live in tests/

from cryptography.hazmat.primitives.serialization import pkcs12  # noqa: E402
from defusedxml.ElementTree import fromstring  # noqa: E402

from tests.core.credentials import builders  # noqa: E402
from tests.core.credentials.hostile import CORPUS, NAME  # noqa: E402
from wizard.core.credentials import issue_credentials, read_credentials, write_credentials_file  # noqa: E402
from wizard.core.errors import RegisterServerError  # noqa: E402

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=timezone.utc)
VAULT = dict(
    vault_name="contoso-vault", subscription_id="3c8f1b5e-6a2d-4f7b-9e0c-1d2e3f4a5b6c", resource_group="backup-rg",
    location="westeurope", resource_id=7205759403792793, tenant_id="72f988bf-86f1-41af-91ab-2d7cd011db47",
    client_id="0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", authority_url="https://127.0.0.1:8443/aad",
    rest_endpoint="https://127.0.0.1:8443/restapi/",
)


def median_ms(fn: Callable[[], object], repeats: int) -> float:
    fn()  # warm-up: imports, caches
    samples = []
    for _ in range(repeats):
        start = time.perf_counter_ns()
        fn()
        samples.append(time.perf_counter_ns() - start)
    return statistics.median(samples) / 1e6


def expect_error(path: Path) -> Callable[[], object]:
    def run() -> object:
        try:
            read_credentials(path, now=NOW)
        except RegisterServerError as error:
            return error
        raise AssertionError(f"{path} was accepted")
    return run


def peak_kib(fn: Callable[[], object]) -> float:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 1024
    finally:
        tracemalloc.stop()


def measure(repeats: int = 200, say: Callable[..., None] = lambda *a: None) -> dict[str, object]:
    """Every figure of this benchmark (ms / KiB); `say` receives the human-readable lines."""
    results: dict[str, object] = {}

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        issued = issue_credentials(**VAULT, now=NOW)
        path = write_credentials_file(issued, folder)
        bundle = base64.b64decode(re.search(rb"<ManagementCert>(.*?)</ManagementCert>", issued.xml).group(1))

        check = median_ms(lambda: read_credentials(path, now=NOW), repeats)
        floor_xml = median_ms(lambda: fromstring(path.read_bytes(), forbid_dtd=True), repeats)
        floor_pkcs12 = median_ms(lambda: pkcs12.load_key_and_certificates(bundle, None), max(20, repeats // 10))
        results.update(check_ms=check, floor_io_xml_ms=floor_xml, floor_pkcs12_ms=floor_pkcs12,
                       ratio_to_io_xml=check / floor_xml, ratio_to_pkcs12=check / floor_pkcs12)
        say(f"check valid file (ours)        median {check:7.3f} ms   goal < 10 ms: "
              f"{'met' if check < 10 else 'NOT met'}")
        say(f"floor: read + defusedxml parse median {floor_xml:7.3f} ms   check is {check / floor_xml:5.1f}x this")
        say(f"floor: cryptography PKCS#12    median {floor_pkcs12:7.3f} ms   check is {check / floor_pkcs12:5.2f}x this")

        windows_b64 = (ROOT / "tests/core/credentials/data/windows_style_empty_password.pfx.b64").read_text()
        windows = folder / "windows.VaultCredentials"
        windows.write_bytes(builders.document(builders.values(windows_b64.replace("\n", ""))))
        later = datetime(2027, 1, 1, tzinfo=timezone.utc)
        encrypted = median_ms(lambda: read_credentials(windows, now=later), max(20, repeats // 10))
        results["check_windows_style_ms"] = encrypted
        say(f"check Windows-style file       median {encrypted:7.3f} ms   (encrypted bundle: full loader)")

        issue = median_ms(lambda: issue_credentials(**VAULT, now=NOW), 10)
        results["issue_ms"] = issue
        say(f"issue a file (RSA 2048 keygen) median {issue:7.3f} ms")

        results["check_peak_kib"] = peak_kib(lambda: read_credentials(path, now=NOW))
        say(f"peak memory of one check       {results['check_peak_kib']:8.0f} KiB")

        say("hostile corpus (median per case):")
        hostile: dict[str, float] = {}
        for name, (build, _code, _reason) in sorted(CORPUS.items()):
            case_dir = folder / f"case-{name}"
            case_dir.mkdir()
            case_path = build(case_dir, NOW)
            hostile[name] = median_ms(expect_error(case_path), 15)
            say(f"  {name:28s} {hostile[name]:7.3f} ms")
        slowest = max(hostile, key=hostile.__getitem__)
        results["hostile_ms"] = hostile
        say(f"slowest hostile case: {slowest} {hostile[slowest]:.3f} ms   goal < 100 ms: "
              f"{'met' if hostile[slowest] < 100 else 'NOT met'}")
        big = folder / "case-fifty_megabytes" / NAME
        results["fifty_mb_peak_kib"] = peak_kib(expect_error(big))
        say(f"peak memory, 50 MB file        {results['fifty_mb_peak_kib']:8.0f} KiB")

    return results


def rows(repeats: int = 200) -> list[Row]:
    r = measure(repeats)
    hostile: dict[str, float] = r["hostile_ms"]  # type: ignore[assignment]
    slowest = max(hostile, key=hostile.__getitem__)
    return [
        Row("credentials", "check a valid file, median", r["check_ms"], "ms", "read + defusedxml parse",
            r["floor_io_xml_ms"], below(10, "ms")),
        Row("credentials", "check a valid file, median", r["check_ms"], "ms", "cryptography PKCS#12 load alone",
            r["floor_pkcs12_ms"], note="below 1x: the plain-bundle fast path"),
        Row("credentials", "check a Windows-style (encrypted) file", r["check_windows_style_ms"], "ms",
            "cryptography PKCS#12 load alone", r["floor_pkcs12_ms"]),
        Row("credentials", f"slowest hostile file ({slowest})", hostile[slowest], "ms", "read + defusedxml parse",
            r["floor_io_xml_ms"], below(100, "ms")),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=200)
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    results = measure(args.repeats, say=print)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
