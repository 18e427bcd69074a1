"""`register-server status`: which vault is this server registered to, since when, with what settings.

Reads the local registration record, so it answers instantly and works while the vault is
unreachable. Only when an earlier passphrase change or unregistration was interrupted (a
journal is pending) does it first ask the vault what is in force and finish or undo that
change (`wizard.registration.reconcile`); when the vault cannot be asked, it says so and
shows the record as it stands. Exit 0 when registered, the LOCAL_STATE exit code (9) when
not, so scripts can branch on it.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from wizard.commands import Command
from wizard.commands._secret_store import add_secret_store_option, chosen
from wizard.commands._output import print_json
from wizard.core.exit_codes import ExitCode

if TYPE_CHECKING:
    from wizard.core.registration.record import RegistrationRecord


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--home", metavar="DIR", default=argparse.SUPPRESS, help="state directory")
    add_secret_store_option(parser)


def _week_order(days: list[str]) -> list[str]:
    """Weekday keys Monday first: records written by 0.1.0 listed them alphabetically."""
    from wizard.core.model import Weekday

    known = {d.key: d for d in Weekday}
    return sorted(days, key=lambda d: known[d] if d in known else len(known))


def describe(record: "RegistrationRecord") -> list[str]:
    """Human lines for a registration record (also used by the wizard's summary and the docs)."""
    from wizard.core.bandwidth import format_bandwidth

    vault, machine, settings = record.vault, record.machine, record.summary()
    lines = [
        f"Registered:      yes, since {record.registered_at}",
        f"Vault:           {vault.name} (resource group {_known(vault.resource_group)}, {_known(vault.location)})",
        f"Subscription:    {_known(vault.subscription_id)}",
        f"Machine:         {machine.name} (id {machine.id})",
    ]
    proxy = settings.get("proxy", {})
    if proxy.get("mode") == "custom":
        auth = f", user {proxy['username']}" if proxy.get("username") else ""
        lines.append(f"Proxy:           {proxy.get('host')}:{proxy.get('port')}{auth}")
    elif proxy.get("mode") == "pac":
        lines.append(f"Proxy:           automatic configuration from {proxy.get('pac_url')}")
    else:
        lines.append(f"Proxy:           {proxy.get('mode', 'none')}")
    if proxy.get("bypass"):
        lines.append(f"Proxy bypass:    {', '.join(proxy['bypass'])}")
    throttling = settings.get("throttling", {})
    if throttling.get("enabled"):
        days = ", ".join(d[:3].title() for d in _week_order(throttling.get("work_days", [])))
        lines.append(f"Throttling:      {format_bandwidth(throttling['work_bandwidth_bps'])} during "
                     f"{throttling['work_start']}-{throttling['work_end']} on {days}; "
                     f"{format_bandwidth(throttling['non_work_bandwidth_bps'])} otherwise")
    else:
        lines.append("Throttling:      off")
    recovery = settings.get("recovery", {})
    lines.append(f"Recovery folder: {recovery.get('path') or '-'}")
    encryption = settings.get("encryption", {})
    lines.append(f"Passphrase file: {encryption.get('passphrase_file') or '-'}")
    lines.append(f"Secret store:    {record.store}")
    escrow = record.escrow_state
    lines.append(f"Escrow:          in force, version {escrow.get('version')}, sealed to recovery certificate "
                 f"{str(escrow.get('certificate_fingerprint', ''))[:16]}..." if escrow.get("in_force")
                 else "Escrow:          off (the vault holds no sealed copy of the passphrase)")
    return lines


def _known(value: str | None) -> str:
    """A vault detail as shown; ``?`` for one an older record does not have."""
    return "?" if value is None else value


def settle_pending(home: Any) -> tuple[dict[str, Any] | None, str | None]:
    """Settle an interrupted change first: (what was done, as JSON, or None; the sentence to print, or None).

    Never fails the status: a vault that cannot be asked, or another run holding the lock, is
    reported and the record is shown as it stands."""
    from wizard.core.errors import RegisterServerError
    from wizard.registration.reconcile import reconcile_pending

    try:
        settled = reconcile_pending(home)
    except RegisterServerError as error:
        if error.code == "state.locked":
            return ({"resolved": False, "error": error.to_dict()},
                    "Another register-server is changing this registration right now.")
        if error.code not in ("state.change_unresolved", "state.registered_not_saved"):
            raise
        return {"resolved": False, "error": error.to_dict()}, f"Pending change: {error.message} {error.fix}"
    if settled is None:
        return None, None
    return {"resolved": True, **settled.to_dict()}, settled.sentence()


def run(args: argparse.Namespace) -> int:
    from wizard.core.storage import StateStore

    home = getattr(args, "home", None)
    store = StateStore(home)
    from wizard.core.registration.record import load_record

    pending, sentence = settle_pending(home)
    record = load_record(store)
    if record is not None:
        from wizard.core.secrets.choice import store_for

        store_for(store.root, chosen(args))  # --secret-store naming another store than the record's: refused
    if record is None:
        if args.json:
            print_json({"registered": False, "state_dir": str(store.root),
                        **({"pending_change": pending} if pending else {})})
        else:
            print("\n".join(filter(None, [sentence, f"Not registered (state folder {store.root})."])))
        return int(ExitCode.LOCAL_STATE)
    if args.json:
        print_json({"registered": True, "state_dir": str(store.root), "registered_at": record.registered_at,
                    "vault": record.vault.to_json(), "machine": {"id": record.machine.id, "name": record.machine.name},
                    "settings": record.summary(), "secret_store": record.store, "escrow": record.escrow_state,
                    **({"pending_change": pending} if pending else {})})
    else:
        print("\n".join(([sentence] if sentence else []) + describe(record)))
    return int(ExitCode.OK)


COMMAND = Command("status", "show whether and where this server is registered (no secrets; the network only "
                  "to settle an interrupted change)", add_arguments, run)
