"""`register-server vault ...`: run and administer the local vault service.

serve, create, credentials, machines, set-redundancy, remove-machine, delete. Each takes
``--data DIR`` (default: ``<state dir>/local-vault``) and ``--json`` (one JSON object on
stdout, for scripts and tests).
"""

from __future__ import annotations

import argparse
import sys
from datetime import timedelta
from typing import Any

from wizard.commands import Command
from wizard.core.i18n import N_, _
from wizard.core.exit_codes import ExitCode

REDUNDANCY_CHOICES = ("GRS", "LRS", "ZRS")


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", metavar="DIR", help=_("vault data directory (default: <state dir>/local-vault)"))
    parser.add_argument("--json", action="store_true", help=_("print one JSON object"))


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="vault_command", metavar="ACTION", required=True)
    serve = sub.add_parser("serve", help=_("run the local vault service over HTTPS until Ctrl+C / SIGTERM"))
    serve.add_argument("--host", default="127.0.0.1", help=_("address to listen on (default: loopback)"))
    serve.add_argument("--port", type=int, default=0, help=_("port (default 0: any free port, printed when ready)"))
    create = sub.add_parser("create", help=_("create a vault"))
    create.add_argument("name")
    create.add_argument("--redundancy", choices=REDUNDANCY_CHOICES, default="GRS")
    create.add_argument("--credential-hours", type=float, default=48.0,
                        help=_("lifetime of each credentials file in hours (default 48)"))
    create.add_argument("--max-machines", type=int, default=50, help=_("machine limit (default 50)"))
    create.add_argument("--require-pin", action="store_true",
                        help=_("passphrase changes and unregistering need a security PIN from `vault security-pin`"))
    credentials = sub.add_parser("credentials", help=_("write a new credentials file (earlier files stop working)"))
    credentials.add_argument("name")
    credentials.add_argument("--out", required=True, metavar="DIR", help=_("folder to write the file to"))
    credentials.add_argument("--url", help=_("service base URL to put in the file (default: the running service's)"))
    machines = sub.add_parser("machines", help=_("list the machines registered to a vault"))
    machines.add_argument("name")
    redundancy = sub.add_parser("set-redundancy", help=_("change storage redundancy (only before the first machine)"))
    redundancy.add_argument("name")
    redundancy.add_argument("redundancy", choices=REDUNDANCY_CHOICES)
    remove = sub.add_parser("remove-machine", help=_("remove a registered machine from a vault"))
    remove.add_argument("name")
    remove.add_argument("machine")
    delete = sub.add_parser("delete", help=_("delete a vault (its credentials files then get vault.not_found)"))
    delete.add_argument("name")
    recovery = sub.add_parser("recovery-certificate",
                              help=_("set or replace the vault's recovery certificate (machines seal passphrases to it)"))
    recovery.add_argument("name")
    recovery.add_argument("file", metavar="FILE", help=_("the certificate, PEM or DER (never its private key)"))
    escrow = sub.add_parser("escrow", help=_("export a machine's sealed passphrase (escrow envelope), or list versions"))
    escrow.add_argument("name")
    escrow.add_argument("machine")
    escrow.add_argument("--version", type=int, metavar="N", help=_("which version (default: the newest)"))
    what = escrow.add_mutually_exclusive_group(required=True)
    what.add_argument("--out", metavar="FILE", help=_("write the envelope (DER CMS) here; never overwritten"))
    what.add_argument("--list", action="store_true", help=_("list the versions kept"))
    pin = sub.add_parser("security-pin", help=_("issue a security PIN (8 digits, valid 5 minutes, for one operation)"))
    pin.add_argument("name")
    require = sub.add_parser("require-pin", help=_("whether passphrase changes and unregistering need a security PIN"))
    require.add_argument("name")
    require.add_argument("state", choices=("on", "off"))
    for action in (serve, create, credentials, machines, redundancy, remove, delete, recovery, escrow, pin, require):
        _common(action)


def _emit(args: argparse.Namespace, obj: dict[str, Any], text: str) -> None:
    from wizard.commands._output import print_json

    if args.json:
        print_json({"ok": True, **obj})
    else:
        sys.stdout.write(text + "\n")
        sys.stdout.flush()


def _data_dir(args: argparse.Namespace) -> str:
    if args.data:
        return str(args.data)
    from wizard.core.paths import state_dir

    return str(state_dir(getattr(args, "home", None)) / "local-vault")


def run(args: argparse.Namespace) -> int:
    from wizard.vault.refusal import VaultRefusal

    try:
        return _run(args)
    except VaultRefusal as refusal:
        return _report_refusal(args, refusal)


def _report_refusal(args: argparse.Namespace, refusal: Any) -> int:
    from wizard.commands._output import print_json
    from wizard.core.errors import CATALOGUE

    entry = CATALOGUE.get(refusal.code)
    exit_code = entry.exit_code if entry else (
        ExitCode.USAGE if refusal.code.startswith("request.") else ExitCode.VAULT_REFUSED)
    if args.json:
        print_json({"ok": False, "error": {"code": refusal.code, "message": refusal.message}})
    else:
        sys.stderr.write(f"error: {refusal.code}: {refusal.message}\n")
    return int(exit_code)


def _run(args: argparse.Namespace) -> int:
    action = args.vault_command
    if action == "serve":
        return _serve(args)
    from wizard.vault.admin import VaultAdmin

    with VaultAdmin(_data_dir(args)) as admin:
        if action == "create":
            vault = admin.create_vault(args.name, redundancy=args.redundancy, max_machines=args.max_machines,
                                       credential_lifetime=timedelta(hours=args.credential_hours))
            _emit(args, {"name": vault.name, "resource_id": str(vault.resource_id), "redundancy": vault.redundancy,
                         "max_machines": vault.max_machines, "credential_hours": vault.credential_hours},
                  f"created vault {vault.name} (redundancy {vault.redundancy}, up to {vault.max_machines} machines)")
            if args.require_pin:
                admin.set_pin_required(vault.name, True)
        elif action == "credentials":
            path = admin.issue_credentials(args.name, args.out, base_url=args.url)
            _emit(args, {"path": str(path)}, str(path))
        elif action == "machines":
            rows = admin.machines(args.name)
            listed = [{"machine_id": m.machine_id, "name": m.name, "agent_version": m.agent_version,
                       "registered_at": m.registered_at.isoformat(), "updated_at": m.updated_at.isoformat()}
                      for m in rows]
            text = "\n".join(f"{m['name']}\t{m['machine_id']}\t{m['registered_at']}" for m in listed)
            _emit(args, {"vault": args.name, "machines": listed}, text or "(no machines)")
        elif action == "set-redundancy":
            vault = admin.set_redundancy(args.name, args.redundancy)
            _emit(args, {"name": vault.name, "redundancy": vault.redundancy},
                  f"vault {vault.name}: redundancy {vault.redundancy}")
        elif action == "remove-machine":
            admin.remove_machine(args.name, args.machine)
            _emit(args, {"vault": args.name, "removed": args.machine}, f"removed {args.machine} from {args.name}")
        elif action == "recovery-certificate":
            _set_recovery_certificate(args, admin)
        elif action == "escrow":
            _escrow(args, admin)
        elif action == "security-pin":
            _security_pin(args, admin)
        elif action == "require-pin":
            admin.set_pin_required(args.name, args.state == "on")
            _emit(args, {"vault": args.name, "pin_required": args.state == "on"},
                  f"vault {args.name}: security PIN {'required' if args.state == 'on' else 'not required'} for "
                  "passphrase changes and unregistering")
        elif action == "delete":
            admin.delete_vault(args.name)
            _emit(args, {"deleted": args.name}, f"deleted vault {args.name}")
    return int(ExitCode.OK)


def _set_recovery_certificate(args: argparse.Namespace, admin: Any) -> None:
    from pathlib import Path

    from wizard.core.errors import RegisterServerError

    try:
        data = Path(args.file).expanduser().read_bytes()
    except OSError as exc:
        raise RegisterServerError("escrow.certificate_invalid", reason="unreadable",
                                  detail=f"({args.file}: {exc.strerror})") from None
    if b"PRIVATE KEY" in data:  # the key must stay offline; refuse before storing anything
        raise RegisterServerError("escrow.certificate_invalid", reason="private_key_given",
                                  detail="(the file holds a private key: give the certificate alone)")
    kept = admin.set_recovery_certificate(args.name, data)
    _emit(args, {"vault": args.name, "fingerprint": kept.fingerprint, "set_at": kept.set_at.isoformat()},
          f"vault {args.name}: recovery certificate set (SHA-256 {kept.fingerprint})")


def _escrow(args: argparse.Namespace, admin: Any) -> None:
    from pathlib import Path

    from wizard.core.errors import RegisterServerError
    from wizard.core.escrow import envelope_name

    versions = admin.envelopes(args.name, args.machine)
    listed = [{"version": e.version, "stored_at": e.stored_at.isoformat(), "certificate_fingerprint": e.fingerprint,
               "machine_id": e.machine_id} for e in versions]
    if args.list:
        text = "\n".join(f"{v['version']}\t{v['stored_at']}\t{v['certificate_fingerprint']}" for v in listed)
        _emit(args, {"vault": args.name, "machine": args.machine,
                     "name": envelope_name(args.machine, args.name), "versions": listed}, text)
        return
    chosen = versions[-1] if args.version is None else next((e for e in versions if e.version == args.version), None)
    if chosen is None:
        raise RegisterServerError("escrow.not_found", detail=f"(no version {args.version} for {args.machine})")
    from wizard.core.storage.atomic import atomic_write_bytes

    out = Path(args.out).expanduser().absolute()
    try:
        atomic_write_bytes(out, chosen.envelope, mode=0o600, overwrite=False)
    except RegisterServerError as error:
        if error.code == "encryption.save_path_exists":
            raise RegisterServerError("escrow.output_exists", detail=f"({out})") from None
        raise
    _emit(args, {"vault": args.name, "machine": args.machine, "version": chosen.version, "path": str(out),
                 "certificate_fingerprint": chosen.fingerprint},
          f"{envelope_name(args.machine, args.name)} version {chosen.version} written to {out}")


def _security_pin(args: argparse.Namespace, admin: Any) -> None:
    """The PIN goes to this administrator's stdout only: it is a secret, never in a log or a file."""
    pin, expires = admin.issue_pin(args.name)
    required = admin.pin_required(args.name)
    note = "" if required else (f"\n(vault {args.name} does not require PINs yet: "
                                f"`register-server vault require-pin {args.name} on`)")
    _emit(args, {"vault": args.name, "pin": pin, "expires": expires.isoformat(), "pin_required": required},
          f"{pin}\nvalid until {expires.astimezone():%H:%M:%S %Z}, for one passphrase change or unregistering{note}")


def _serve(args: argparse.Namespace) -> int:
    from wizard.vault.server import serve

    def ready(info: Any) -> None:
        _emit(args, {"url": info.url, "ca_file": str(info.ca_file), "pid": info.pid},
              f"vault service listening on {info.url}\nCA certificate: {info.ca_file}\n(Ctrl+C to stop)")

    serve(_data_dir(args), host=args.host, port=args.port, on_ready=ready)
    return int(ExitCode.OK)


COMMAND = Command("vault", N_("run and administer the local vault service (for demos, tests and benchmarks)"),
                  add_arguments, run)
