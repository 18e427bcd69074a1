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
from wizard.core.i18n import N_, _
from wizard.commands._secret_store import add_secret_store_option, chosen
from wizard.commands._output import print_json
from wizard.core.exit_codes import ExitCode

if TYPE_CHECKING:
    from wizard.core.registration.record import RegistrationRecord


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help=_("print one JSON object"))
    parser.add_argument("--home", metavar="DIR", default=argparse.SUPPRESS, help=_("state directory"))
    add_secret_store_option(parser)


def _week_order(days: list[str]) -> list[str]:
    """Weekday keys Monday first: records written by 0.1.0 listed them alphabetically."""
    from wizard.core.model import Weekday

    known = {d.key: d for d in Weekday}
    return sorted(days, key=lambda d: known[d] if d in known else len(known))


def describe(record: "RegistrationRecord") -> list[str]:
    """Human lines for a registration record, in the active language: labels, dates, weekdays and
    numbers for people; the values a script would match (names, ids, paths, stores) as they are."""
    from datetime import datetime

    from wizard.core.bandwidth import show_bandwidth
    from wizard.core.i18n import format_datetime, format_weekday
    from wizard.core.model import Weekday

    vault, machine, settings = record.vault, record.machine, record.summary()
    rows: list[tuple[str, str]] = []
    try:
        since = format_datetime(datetime.fromisoformat(record.registered_at))
    except ValueError:  # a record written by hand: shown as it is
        since = record.registered_at
    rows.append((_("Registered:"), _("yes, since {time}").format(time=since)))
    rows.append((_("Vault:"), _("{vault} (resource group {group}, {location})").format(
        vault=vault.name, group=_known(vault.resource_group), location=_known(vault.location))))
    rows.append((_("Subscription:"), _known(vault.subscription_id)))
    rows.append((_("Machine:"), _("{machine} (id {machine_id})").format(machine=machine.name, machine_id=machine.id)))
    proxy = settings.get("proxy", {})
    if proxy.get("mode") == "custom":
        address = f"{proxy.get('host')}:{proxy.get('port')}"
        rows.append((_("Proxy:"), _("{address}, user {user}").format(address=address, user=proxy["username"])
                     if proxy.get("username") else address))
    elif proxy.get("mode") == "pac":
        rows.append((_("Proxy:"), _("automatic configuration from {url}").format(url=proxy.get("pac_url"))))
    else:
        rows.append((_("Proxy:"), proxy.get("mode", "none")))
    if proxy.get("bypass"):
        rows.append((_("Proxy bypass:"), ", ".join(proxy["bypass"])))
    throttling = settings.get("throttling", {})
    if throttling.get("enabled"):
        known = {d.key: d for d in Weekday}
        days = ", ".join(format_weekday(known[d]) if d in known else d
                         for d in _week_order(throttling.get("work_days", [])))
        rows.append((_("Throttling:"), _("{work} during {start}-{end} on {days}; {other} otherwise").format(
            work=show_bandwidth(throttling["work_bandwidth_bps"]), start=throttling["work_start"],
            end=throttling["work_end"], days=days, other=show_bandwidth(throttling["non_work_bandwidth_bps"]))))
    else:
        rows.append((_("Throttling:"), _("off")))
    recovery = settings.get("recovery", {})
    rows.append((_("Recovery folder:"), recovery.get("path") or "-"))
    encryption = settings.get("encryption", {})
    rows.append((_("Passphrase file:"), encryption.get("passphrase_file") or "-"))
    rows.append((_("Secret store:"), record.store))
    escrow = record.escrow_state
    rows.append((_("Escrow:"), _("in force, version {version}, sealed to recovery certificate {fingerprint}...").format(
        version=escrow.get("version"), fingerprint=str(escrow.get("certificate_fingerprint", ""))[:16])
        if escrow.get("in_force") else _("off (the vault holds no sealed copy of the passphrase)")))
    width = max(16, max(len(label) for label, _value in rows) + 1)
    return [label.ljust(width) + value for label, value in rows]


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
                    _("Another register-server is changing this registration right now."))
        if error.code not in ("state.change_unresolved", "state.registered_not_saved"):
            raise
        return {"resolved": False, "error": error.to_dict()}, _("Pending change:") + f" {error.message} {error.fix}"
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
            print("\n".join(filter(None, [sentence, _("Not registered (state folder {path}).").format(path=store.root)])))
        return int(ExitCode.LOCAL_STATE)
    if args.json:
        print_json({"registered": True, "state_dir": str(store.root), "registered_at": record.registered_at,
                    "vault": record.vault.to_json(), "machine": {"id": record.machine.id, "name": record.machine.name},
                    "settings": record.summary(), "secret_store": record.store, "escrow": record.escrow_state,
                    **({"pending_change": pending} if pending else {})})
    else:
        print("\n".join(([sentence] if sentence else []) + describe(record)))
    return int(ExitCode.OK)


COMMAND = Command("status", N_("show whether and where this server is registered (no secrets; the network only "
                  "to settle an interrupted change)"), add_arguments, run)
