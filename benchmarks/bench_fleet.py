"""Fleet throughput: 200 machines register, 50 at a time, with one local vault through a real proxy.

Starts its own vault service (`register-server vault serve`, a subprocess) and an
authenticated squid (or tinyproxy with --proxy tinyproxy), creates a vault with room for the fleet, issues one credentials
file, then runs the full `run_registration` procedure in 50 threads, each machine with
its own state directory (home), name and passphrase file, and the real Secret Service
(a private gnome-keyring on its own D-Bus, as in the e2e tests).

Reports registrations/s (goal: >= 50 on 2 cores), errors, distinct records, and the
per-registration round trip p50/p99 against a floor measured in the same run: a bare
HTTPS GET through the same proxy with a fresh connection (what one registration's
connect step costs at minimum). Also reports the protocol alone (token + register over
one kept-alive connection, machine-side crypto excluded) to separate the vault's cost
from the machines' own work (scrypt verifier, key generation, keyring), which a real fleet
spreads over its machines' CPUs and keyrings. A third floor, the keyring alone (the three
secrets one registration stores, sequentially, in the one shared Secret Service), shows
the ceiling that the single gnome-keyring daemon puts on the in-process full procedure.

Usage: .venv/bin/python benchmarks/bench_fleet.py [--machines 200] [--concurrency 50] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.fixtures_proxy import (PROXY_PASSWORD, PROXY_USER, _squid, _tinyproxy,  # noqa: E402
                                          die_with_parent,
                                          free_port, wait_for_port)
from tests.support.fixtures_vault import start_vault_service  # noqa: E402

from _rows import Row, at_least, at_most, exactly  # noqa: E402


def _start_keyring(directory: Path) -> Any:
    """A private, unlocked gnome-keyring on its own D-Bus, as the e2e tests use (the product
    accepts only OS-protected keyrings, so the benchmark pays for the real one)."""
    import os

    from tests.support.fixtures_keyring import KEYRING_PASSWORD, reset_keyring_choice
    from tests.support.secret_service import SecretService

    directory.mkdir(parents=True)
    service = SecretService(directory, KEYRING_PASSWORD).start()
    config = directory / "keyring-config"
    config.mkdir()
    os.environ["DBUS_SESSION_BUS_ADDRESS"] = service.address
    os.environ["XDG_CONFIG_HOME"] = str(config)
    os.environ.pop("PYTHON_KEYRING_BACKEND", None)
    reset_keyring_choice()
    return service


def _keyring_items() -> int:
    """How many items the shared keyring's default collection holds (gnome-keyring's cost per write grows with it)."""
    import secretstorage

    with secretstorage.dbus_init() as connection:
        return len(list(secretstorage.get_default_collection(connection).get_all_items()))


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def timed_pool(count: int, concurrency: int, job: Callable[[int], Any]) -> tuple[float, list[float], list[Any]]:
    durations: list[float] = [0.0] * count
    results: list[Any] = [None] * count

    def run(i: int) -> None:
        start = time.perf_counter()
        try:
            results[i] = job(i)
        except Exception as exc:  # noqa: BLE001 - counted and reported as an error
            results[i] = exc
        durations[i] = time.perf_counter() - start

    begin = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(run, range(count)))
    return time.perf_counter() - begin, durations, results


def measure(machines: int = 200, concurrency: int = 50, proxy_kind: str = "squid") -> dict[str, Any]:
    """Every figure of the fleet run, as a nested dict (see main for what each part means)."""
    import httpx
    from types import SimpleNamespace

    args = SimpleNamespace(machines=machines, concurrency=concurrency, proxy=proxy_kind)

    from wizard.core.credentials import read_credentials
    from wizard.core.model import (EncryptionSettings, MachineSettings, ProxyMode, ProxySettings,
                                   RecoveryFolder, RegistrationSettings, VaultSettings)
    from wizard.registration import run_registration
    from wizard.core.registration.protocol import RegistrationClient, new_machine_key, passphrase_verifier
    from wizard.core.secret import Secret
    from wizard.net.client import VaultHttp, open_client
    from wizard.net.proxy import proxy_for
    from wizard.net.tls import ssl_context

    work = Path(tempfile.mkdtemp(prefix="bench-fleet-"))
    keyring_service = _start_keyring(work / "keyring")
    service = start_vault_service(work / "vault")
    proxy_dir = work / "proxy"
    proxy_dir.mkdir()
    os.chmod(work, 0o755)  # squid's auth helper runs as the `proxy` user and must read its password file
    os.chmod(proxy_dir, 0o755)
    port = free_port()
    build = _squid if args.proxy == "squid" else _tinyproxy
    with open(proxy_dir / "proxy.log", "wb") as log:
        proxy = subprocess.Popen(build(proxy_dir, port, (PROXY_USER, PROXY_PASSWORD), ()),
                                 stdout=subprocess.DEVNULL, stderr=log, cwd=proxy_dir, preexec_fn=die_with_parent)
    try:
        wait_for_port(port, proxy)
        total = args.machines * 4 + 100  # the fleet, the client-work and protocol-only runs, one-at-a-time
        vault = service.create_vault("fleet", max_machines=total)
        creds_file = service.issue(vault, work / "creds")
        proxy_settings = ProxySettings(mode=ProxyMode.CUSTOM, host="127.0.0.1", port=port, username=PROXY_USER,
                                       password=Secret(PROXY_PASSWORD))

        # Floor: a bare HTTPS GET through the same proxy, fresh connection each time.
        def floor(i: int) -> int:
            with httpx.Client(verify=ssl_context(service.ca_file), proxy=proxy_for(proxy_settings, service.url),
                              trust_env=False) as c:
                return c.get(service.url + "/health").status_code

        timed_pool(20, 10, floor)  # warm up
        _, floor_times, floor_results = timed_pool(args.machines, args.concurrency, floor)

        # The full procedure, one home per machine; time spent in each step, summed over machines.
        step_time: dict[str, float] = {}
        step_lock = threading.Lock()

        def register(i: int, prefix: str = "srv") -> str:
            marks: list[tuple[str, float]] = []

            def on_progress(event: Any) -> None:
                marks.append((event.step, time.perf_counter()))

            settings = RegistrationSettings(
                machine=MachineSettings(name=f"{prefix}{i:04d}"), proxy=proxy_settings,
                vault=VaultSettings(credentials_file=creds_file, ca_bundle=service.ca_file),
                recovery=RecoveryFolder(work / "recovery", create=True),
                encryption=EncryptionSettings(passphrase=Secret(f"fleet passphrase number {i:05d}"),
                                              save_to=work / "pass" / f"{prefix}{i:04d}.txt", stored_safely=True))
            machine_id = run_registration(settings, home=work / "homes" / f"{prefix}{i:04d}",
                                          on_progress=on_progress).machine_id
            marks.append(("end", time.perf_counter()))
            with step_lock:
                if prefix != "srv":
                    return machine_id
                for (step, began), (_, ended) in zip(marks, marks[1:]):
                    step_time[step] = step_time.get(step, 0.0) + ended - began
            return machine_id

        (work / "pass").mkdir()
        # One machine at a time, first, while the shared keyring is nearly empty as a single
        # server's is (gnome-keyring rewrites its whole file on every write: a full keyring is slower):
        # the round trip a single server's administrator waits for.
        _, solo_times, solo_results = timed_pool(20, 1, lambda i: register(i, prefix="solo"))
        _, solo_floor_times, _ = timed_pool(20, 1, floor)

        # Keyring floor: the three secrets one registration stores (passphrase, proxy password,
        # machine-key protection), one machine after another, in the one shared Secret Service.
        from wizard.core.secrets.store import SecretStore

        def keyring_machine(i: int) -> None:
            store = SecretStore(f"bench-floor-{i}")
            for name in ("backup-passphrase", "proxy-password", "machine-key"):
                store.set(name, Secret("x" * 32))

        small_wall, _, _ = timed_pool(10, 1, lambda i: keyring_machine(1000 + i))
        items_small = _keyring_items()

        wall, reg_times, reg_results = timed_pool(args.machines, args.concurrency, register)
        errors = [r for r in reg_results if isinstance(r, Exception)]
        errors += [r for r in solo_results if isinstance(r, Exception)]

        # The protocol alone: machine-side crypto prepared up front, one kept-alive client per thread.
        credentials = read_credentials(creds_file)
        prepared = []
        for i in range(args.machines):
            name = f"proto{i:04d}"
            prepared.append((name, new_machine_key(name).csr_pem,
                             passphrase_verifier(Secret("p" * 20), resource_id=credentials.resource_id,
                                                 machine_name=name)))
        local = threading.local()

        def protocol(i: int) -> str:
            if not hasattr(local, "client"):
                local.client = RegistrationClient(VaultHttp(
                    open_client(proxy_settings, target_url=service.url, ca_bundle=service.ca_file), via_proxy=True))
            name, csr, verifier = prepared[i]
            token = local.client.token(credentials, now=datetime.now(timezone.utc))
            return local.client.register(credentials, token, machine_name=name, csr_pem=csr,
                                         verifier=verifier).machine_id

        proto_wall, proto_times, proto_results = timed_pool(args.machines, args.concurrency, protocol)

        # Each machine's own work without its keyring and state files: check the credentials file,
        # generate the key and the scrypt verifier, a fresh HTTPS connection through the proxy, token,
        # register. In a real fleet this CPU work runs on each machine; here all of it shares 2 cores
        # with the vault and the proxy, so this is a lower bound on what one vault sustains.
        def client_work(i: int, prefix: str = "work") -> str:
            name = f"{prefix}{i:04d}"
            if prefix == "work":
                creds = read_credentials(creds_file)
                csr = new_machine_key(name).csr_pem
                verifier = passphrase_verifier(Secret(f"fleet passphrase number {i:05d}"),
                                               resource_id=creds.resource_id, machine_name=name)
            else:  # the machine's CPU work done beforehand, as each machine would on its own CPU
                creds = credentials
                _, csr, verifier = prepared_conn[i]
            with open_client(proxy_settings, target_url=service.url, ca_bundle=service.ca_file) as http:
                client = RegistrationClient(VaultHttp(http, via_proxy=True))
                token = client.token(creds, now=datetime.now(timezone.utc))
                return client.register(creds, token, machine_name=name, csr_pem=csr, verifier=verifier).machine_id

        work_wall, work_times, work_results = timed_pool(args.machines, args.concurrency, client_work)
        work_errors = [r for r in work_results if isinstance(r, Exception)]
        prepared_conn = [(f"conn{i:04d}", new_machine_key(f"conn{i:04d}").csr_pem,
                          passphrase_verifier(Secret("p" * 20), resource_id=credentials.resource_id,
                                              machine_name=f"conn{i:04d}")) for i in range(args.machines)]
        conn_wall, conn_times, conn_results = timed_pool(args.machines, args.concurrency,
                                                         lambda i: client_work(i, prefix="conn"))
        conn_errors = [r for r in conn_results if isinstance(r, Exception)]

        keyring_wall, _, keyring_results = timed_pool(20, 1, keyring_machine)
        keyring_ms = keyring_wall / 20 * 1000
        items_full = _keyring_items()
        proto_errors = [r for r in proto_results if isinstance(r, Exception)]
        machines = service.admin.machines(vault)
        registered_names = {m.name for m in machines if m.name.startswith("srv")}

        report = {
            "machines": args.machines, "concurrency": args.concurrency, "proxy": args.proxy,
            "procedure": {
                "wall_s": round(wall, 3), "registrations_per_s": round(args.machines / wall, 1),
                "errors": len(errors), "distinct_records": len(registered_names),
                "distinct_machine_ids": len({r for r in reg_results if isinstance(r, str)}),
                "p50_ms": round(statistics.median(reg_times) * 1000, 1),
                "p99_ms": round(percentile(reg_times, 0.99) * 1000, 1),
                "first_error": repr(errors[0]) if errors else None,
                "mean_ms_per_step": {k: round(v / args.machines * 1000, 1) for k, v in step_time.items()},
            },
            "client_work_no_keyring": {
                "wall_s": round(work_wall, 3), "registrations_per_s": round(args.machines / work_wall, 1),
                "errors": len(work_errors), "first_error": repr(work_errors[0]) if work_errors else None,
                "p50_ms": round(statistics.median(work_times) * 1000, 1),
                "p99_ms": round(percentile(work_times, 0.99) * 1000, 1),
            },
            "fresh_connection_per_machine": {
                "wall_s": round(conn_wall, 3), "registrations_per_s": round(args.machines / conn_wall, 1),
                "errors": len(conn_errors), "first_error": repr(conn_errors[0]) if conn_errors else None,
                "p50_ms": round(statistics.median(conn_times) * 1000, 1),
                "p99_ms": round(percentile(conn_times, 0.99) * 1000, 1),
            },
            "protocol_only": {
                "wall_s": round(proto_wall, 3), "registrations_per_s": round(args.machines / proto_wall, 1),
                "errors": len(proto_errors),
                "p50_ms": round(statistics.median(proto_times) * 1000, 1),
                "p99_ms": round(percentile(proto_times, 0.99) * 1000, 1),
            },
            "single_machine": {
                "p50_ms": round(statistics.median(solo_times) * 1000, 1),
                "p99_ms": round(percentile(solo_times, 0.99) * 1000, 1),
                "floor_p50_ms": round(statistics.median(solo_floor_times) * 1000, 1),
            },
            "keyring_floor": {
                "ms_per_machine_3_sets": round(keyring_ms, 1),
                "items_in_keyring": items_full,
                "nearly_empty_ms_per_machine_3_sets": round(small_wall / 10 * 1000, 1),
                "nearly_empty_items": items_small,
                "ceiling_registrations_per_s": round(1000 / keyring_ms, 1),
                "errors": sum(1 for r in keyring_results if isinstance(r, Exception)),
            },
            "floor_https_get_via_proxy": {
                "errors": sum(1 for r in floor_results if r != 200),
                "p50_ms": round(statistics.median(floor_times) * 1000, 1),
                "p99_ms": round(percentile(floor_times, 0.99) * 1000, 1),
            },
        }
        report["procedure"]["p50_vs_floor"] = round(report["procedure"]["p50_ms"] /
                                                    max(report["floor_https_get_via_proxy"]["p50_ms"], 0.001), 1)
        return report
    finally:
        proxy.terminate()
        proxy.wait(timeout=10)
        service.stop()
        keyring_service.stop()
        shutil.rmtree(work, ignore_errors=True)


def rows(machines: int = 200, concurrency: int = 50) -> list[Row]:
    r = measure(machines, concurrency)
    p, w, o, f = r["procedure"], r["client_work_no_keyring"], r["protocol_only"], r["floor_https_get_via_proxy"]
    c = r["fresh_connection_per_machine"]
    one, k = r["single_machine"], r["keyring_floor"]
    fleet = f"{machines} machines, {concurrency} concurrent"
    return [
        Row("registration", "one machine, loopback via squid, p50", one["p50_ms"], "ms",
            "HTTPS GET via the proxy, p50", one["floor_p50_ms"]),
        Row("registration", "one machine, loopback via squid, p99", one["p99_ms"], "ms",
            "HTTPS GET via the proxy, p50", one["floor_p50_ms"]),
        Row("fleet", f"vault throughput: own HTTPS connection via squid per machine ({fleet})",
            c["registrations_per_s"], "/s", "protocol only, kept-alive connections", o["registrations_per_s"],
            at_least(50, "/s"), note="machine-side crypto precomputed: each machine runs it on its own CPU"),
        Row("fleet", "errors, own connection per machine", c["errors"], "", goal=exactly(0, "")),
        Row("fleet", f"all {machines} machines' client work on these 2 cores, no keyring", w["registrations_per_s"],
            "/s", "protocol only, kept-alive connections", o["registrations_per_s"], at_least(50, "/s"),
            note="adds each machine's CPU work (scrypt verifier N=2^14 ~40 ms, key, credentials check): "
                 "200 machines' worth on 2 cores shared with the vault and squid"),
        Row("fleet", "errors, client work", w["errors"], "", goal=exactly(0, "")),
        Row("fleet", f"full run_registration, ONE shared keyring ({fleet})", p["registrations_per_s"], "/s",
            "keyring alone: 3 secrets/machine, sequential", k["ceiling_registrations_per_s"], at_least(50, "/s"),
            note="bound by the single gnome-keyring daemon; a real fleet has one keyring per machine"),
        Row("fleet", "errors, full run_registration", p["errors"], "", goal=exactly(0, "")),
        Row("keyring", f"3 secrets of one machine, shared keyring after the fleet ({k['items_in_keyring']} items)",
            k["ms_per_machine_3_sets"], "ms", f"same, keyring nearly empty ({k['nearly_empty_items']} items)",
            k["nearly_empty_ms_per_machine_3_sets"], note="gnome-keyring rewrites its whole keyring file on every write"),
        Row("fleet", "full run_registration round trip under load, p50", p["p50_ms"], "ms",
            "HTTPS GET via the proxy under the same load, p50", f["p50_ms"]),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--machines", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--proxy", choices=("squid", "tinyproxy"), default="squid",
                        help="squid (default) or tinyproxy; tinyproxy 1.11 relays without TCP_NODELAY, so each "
                             "small write behind another waits ~40 ms for a delayed ACK")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    report = measure(args.machines, args.concurrency, args.proxy)
    if args.json:
        print(json.dumps(report))
    else:
        p, o, f = report["procedure"], report["protocol_only"], report["floor_https_get_via_proxy"]
        print(f"fleet: {args.machines} machines, {args.concurrency} at a time, through {args.proxy} with basic auth")
        print(f"  run_registration: {p['registrations_per_s']} registrations/s ({p['wall_s']} s), "
              f"errors {p['errors']}, distinct records {p['distinct_records']}, "
              f"p50 {p['p50_ms']} ms, p99 {p['p99_ms']} ms ({p['p50_vs_floor']}x the floor's p50)")
        print("  mean time per step (ms): " + ", ".join(f"{k} {v}" for k, v in p["mean_ms_per_step"].items()))
        w = report["client_work_no_keyring"]
        print(f"  client work, no keyring: {w['registrations_per_s']} registrations/s, errors {w['errors']}, "
              f"p50 {w['p50_ms']} ms, p99 {w['p99_ms']} ms")
        c = report["fresh_connection_per_machine"]
        print(f"  own connection per machine, crypto precomputed: {c['registrations_per_s']} registrations/s, "
              f"errors {c['errors']}, p50 {c['p50_ms']} ms, p99 {c['p99_ms']} ms")
        print(f"  protocol only:    {o['registrations_per_s']} registrations/s, errors {o['errors']}, "
              f"p50 {o['p50_ms']} ms, p99 {o['p99_ms']} ms")
        print(f"  floor (HTTPS GET via proxy, new connection): p50 {f['p50_ms']} ms, p99 {f['p99_ms']} ms")
        one = report["single_machine"]
        print(f"  one machine at a time: run_registration p50 {one['p50_ms']} ms, p99 {one['p99_ms']} ms; "
              f"floor p50 {one['floor_p50_ms']} ms")
        k = report["keyring_floor"]
        print(f"  keyring floor (3 secrets, one shared Secret Service, sequential): {k['ms_per_machine_3_sets']} ms "
              f"per machine = at most {k['ceiling_registrations_per_s']} registrations/s for one keyring")
        if p["first_error"]:
            print(f"  first error: {p['first_error']}")
    p = report["procedure"]
    ok = not p["errors"] and not report["protocol_only"]["errors"] and p["distinct_records"] == args.machines
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
