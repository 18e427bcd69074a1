"""`register-server passphrase ...`: the passphrase after registration - on paper, and back from escrow.

sheet    writes the one-page recovery sheet (PDF) of this server's passphrase, from the keyring.
recover  opens an escrow envelope exported from the vault with the recovery certificate's
         private key, on any machine; the passphrase goes only to a terminal or to an
         owner-only file, never to a pipe or a log.

No option takes a secret value: the key's password comes from an environment variable, a
file or a prompt, like every other secret of this product.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from wizard.commands import Command
from wizard.core.i18n import N_, _
from wizard.commands._secret_store import add_secret_store_option, chosen
from wizard.commands._output import print_json
from wizard.core.errors import RegisterServerError
from wizard.core.exit_codes import ExitCode


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    sheet = sub.add_parser("sheet", help=_("write a one-page recovery sheet (PDF) with this server's passphrase"))
    sheet.add_argument("--out", required=True, metavar="FILE.pdf", help=_("where to write it (never overwritten)"))
    sheet.add_argument("--json", action="store_true", help=_("print one JSON object"))
    sheet.add_argument("--home", metavar="DIR", default=argparse.SUPPRESS, help=_("state directory"))
    add_secret_store_option(sheet)
    recover = sub.add_parser("recover", help=_("open an escrow envelope with the recovery certificate's private key"))
    recover.add_argument("--envelope", required=True, metavar="FILE",
                         help=_("the envelope, as written by `vault escrow VAULT MACHINE --out FILE`"))
    recover.add_argument("--key-file", required=True, metavar="KEY.pem",
                         help=_("the recovery certificate's private key (PEM or DER; may also hold the certificate)"))
    recover.add_argument("--certificate", metavar="CERT.pem",
                         help=_("the recovery certificate (default: the one in the key file)"))
    recover.add_argument("--key-password-env", metavar="NAME",
                         help=_("environment variable holding the key's password (default: prompt if needed)"))
    recover.add_argument("--key-password-file", metavar="FILE", help=_("file whose first line is the key's password"))
    recover.add_argument("--out", metavar="FILE",
                         help=_("write the passphrase to this owner-only file instead of the terminal"))
    recover.add_argument("--json", action="store_true",
                         help=_("report errors, and with --out the result, as one JSON object"))


def run(args: argparse.Namespace) -> int:
    if args.action == "sheet":
        return _sheet(args)
    return _recover(args)


def _sheet(args: argparse.Namespace) -> int:
    from wizard.core.recovery_sheet import SheetFacts, write_sheet
    from wizard.core.registration.record import load_record
    from wizard.core.secrets.store import BACKUP_PASSPHRASE, SecretStore
    from wizard.core.storage import StateStore

    store = StateStore(getattr(args, "home", None))
    record = load_record(store)
    if record is None:
        raise RegisterServerError("state.not_registered", detail=f"(state folder {store.root})")
    passphrase = SecretStore.for_state_dir(store.root, chosen(args)).require(BACKUP_PASSPHRASE)
    facts = SheetFacts(vault_name=record.vault.name, machine_name=record.machine.name,
                       created=datetime.now(timezone.utc), escrowed=record.escrowed)
    out = Path(args.out).expanduser().absolute()
    if not out.parent.is_dir():
        raise RegisterServerError("encryption.save_dir_missing", detail=f"({out.parent})")
    write_sheet(out, passphrase, facts)
    if args.json:
        print_json({"ok": True, "path": str(out)})
    else:
        print(_("Recovery sheet written to {path}. Print it, keep it somewhere safe, then delete the file.").format(
            path=out))
    return int(ExitCode.OK)


def _read(path: str, what: str, code: str) -> bytes:
    try:
        return Path(path).expanduser().read_bytes()
    except OSError as exc:
        raise RegisterServerError(code, reason="unreadable", detail=f"({what} {path}: {exc.strerror})") from None


def _key_password(args: argparse.Namespace) -> Any:
    """The key's password from --key-password-env / --key-password-file, else None (prompt later)."""
    from wizard.core.answers import SecretSource, SourceKind, resolve_secret

    if args.key_password_env:
        return resolve_secret(SecretSource(SourceKind.ENV, args.key_password_env), what="the key password",
                              environ=os.environ)
    if args.key_password_file:
        return resolve_secret(SecretSource(SourceKind.FILE, str(Path(args.key_password_file).expanduser())),
                              what="the key password", environ=os.environ)
    return None


def _recover(args: argparse.Namespace) -> int:
    from wizard.core import escrow
    from wizard.core.logs import remember_secret
    from wizard.core.secret import Secret

    envelope = _read(args.envelope, "envelope", "escrow.envelope_invalid")
    key_data = _read(args.key_file, "key file", "escrow.key_invalid")
    if args.certificate:
        certificates = escrow.certificates_in(_read(args.certificate, "certificate", "escrow.certificate_invalid"))
        if not certificates:
            certificates = [escrow.load_recovery_certificate(_read(args.certificate, "certificate",
                                                                   "escrow.certificate_invalid"))]
    else:
        certificates = escrow.certificates_in(key_data)
    if not certificates:
        raise RegisterServerError("escrow.certificate_required")
    out = Path(args.out).expanduser().absolute() if args.out else None
    if out is None and not sys.stdout.isatty():
        raise RegisterServerError("escrow.output_not_private")  # before any password is asked or used
    if out is not None and out.exists():
        raise RegisterServerError("escrow.output_exists", detail=f"({out})")
    password = _key_password(args)
    try:
        key = escrow.load_private_key(key_data, password)
    except RegisterServerError as error:
        if error.reason != "password_required" or not sys.stdin.isatty():
            raise
        password = Secret(getpass.getpass(_("Password of the recovery key: ")))
        key = escrow.load_private_key(key_data, password)
    if password is not None:
        remember_secret(password)
    mine = [c for c in certificates if c.public_key().public_numbers() == key.public_key().public_numbers()]
    passphrase = escrow.open_envelope(envelope, key, (mine or certificates)[0])
    remember_secret(passphrase)
    if out is not None:
        _write_private(out, passphrase.reveal() + "\n")
        if args.json:
            print_json({"ok": True, "path": str(out)})
        else:
            sys.stderr.write(_("The passphrase was written to {path} (readable by you only).").format(path=out) + "\n")
    else:
        sys.stdout.write(passphrase.reveal() + "\n")
        sys.stdout.flush()
    return int(ExitCode.OK)


def _write_private(path: Path, text: str) -> None:
    from wizard.core.passphrase_file import restrict_to_owner
    from wizard.core.storage.atomic import atomic_write_text

    try:
        atomic_write_text(path, text, mode=0o600, overwrite=False,
                          before_write=restrict_to_owner if os.name == "nt" else None)
    except RegisterServerError as error:
        if error.code == "encryption.save_path_exists":
            raise RegisterServerError("escrow.output_exists", detail=f"({path})") from None
        raise


COMMAND = Command("passphrase", N_("the passphrase after registration: print a recovery sheet, recover from escrow"),
                  add_arguments, run)
