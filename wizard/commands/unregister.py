"""`register-server unregister`: remove this server from its vault and forget the registration here.

The vault call is signed with the machine's own key. `--local-only` forgets the
registration here without contacting the vault (when the vault is gone); the vault's
administrator then removes the machine there.

Unregistering cannot be taken back (registering again needs a new credentials file), so it
asks first on a terminal. Scripts confirm in advance with `--yes`; without a terminal and
without `--yes` it refuses with exit 2 (`unregister.confirmation_required`) before touching
anything, rather than guess what an unattended caller meant.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any, Callable, TextIO

from wizard.commands import Command
from wizard.core.i18n import N_, _
from wizard.commands._secret_store import add_secret_store_option, chosen
from wizard.commands._output import print_json
from wizard.core.errors import RegisterServerError
from wizard.core.exit_codes import ExitCode

if TYPE_CHECKING:
    from wizard.core.registration.record import RegistrationRecord


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--local-only", action="store_true",
                        help=_("forget the registration on this server without contacting the vault"))
    parser.add_argument("--yes", action="store_true",
                        help=_("do not ask for confirmation (for scripts; without a terminal it is required)"))
    parser.add_argument("--pin-env", metavar="NAME",
                        help=_("environment variable holding the vault's security PIN (when the vault requires one; "
                             "default: asked on a terminal)"))
    parser.add_argument("--pin-file", metavar="FILE", help=_("file whose first line is the security PIN"))
    parser.add_argument("--json", action="store_true", help=_("print one JSON object"))
    parser.add_argument("--home", metavar="DIR", default=argparse.SUPPRESS, help=_("state directory"))
    add_secret_store_option(parser)


def question(record: "RegistrationRecord", *, local_only: bool) -> str:
    """What the person is asked, naming the machine and the vault."""
    machine, vault = record.machine, record.vault
    what = (_("Forget the registration of {m} ({i}) with vault {v} on this server, without telling the vault?")
            if local_only else _("Remove {m} ({i}) from vault {v} and forget the registration here?"))
    return (what.format(m=machine.name, i=machine.id, v=vault.name) + " " + _("Backups to the vault stop.") + " "
            + _("[y/N]") + " ")


def ask_on_terminal(text: str, *, stdin: TextIO | None = None, stderr: TextIO | None = None) -> bool:
    """Ask a yes/no question on the terminal (on stderr, so --json output stays one object).
    Anything but y/yes is a no. Raises confirmation_required when stdin is not a terminal."""
    stdin = stdin or sys.stdin
    stderr = stderr or sys.stderr
    if not stdin.isatty():
        raise RegisterServerError("unregister.confirmation_required")
    stderr.write(text)
    stderr.flush()
    answer = stdin.readline()
    # English y/yes always count (scripts and muscle memory), and the language's own yes words too.
    return answer.strip().lower() in {"y", "yes", *_("y|yes").lower().split("|")}


def run(args: argparse.Namespace, *, confirm: Callable[[str], bool] = ask_on_terminal) -> int:
    from wizard.core.registration.record import load_record
    from wizard.core.storage import StateStore
    from wizard.registration.maintenance import unregister

    from wizard.core.secrets.choice import store_for

    home = getattr(args, "home", None)
    store_for(StateStore(home).root, chosen(args))  # a store the record does not name: refused before asking
    if not args.yes:
        record = load_record(StateStore(home))  # a damaged or missing registration is reported as such first
        if record is None:
            raise RegisterServerError("state.not_registered", detail=f"(state folder {StateStore(home).root})")
        if not confirm(question(record, local_only=args.local_only)):
            print(_("Not unregistered: nothing was changed."), file=sys.stderr)
            return int(ExitCode.CANCELLED)
    done = unregister(home=home, local_only=args.local_only, pin=_pin(args), prompt=_pin_prompt(),
                      secret_store=chosen(args))
    if args.json:
        print_json({"ok": True, "machine_id": done.machine_id, "machine_name": done.machine_name,
                    "vault": done.vault_name, "removed_from_vault": done.removed_from_vault})
    else:
        done_text = (_("{machine} ({machine_id}) removed from vault {vault}.") if done.removed_from_vault
                     else _("{machine} ({machine_id}) forgotten locally; still listed in vault {vault}."))
        print(done_text.format(machine=done.machine_name, machine_id=done.machine_id, vault=done.vault_name) + " "
              + _("The passphrase file was left where it is."))
    return int(ExitCode.OK)


def _pin(args: argparse.Namespace) -> Any:
    """The security PIN from --pin-env / --pin-file, if given (never from argv itself)."""
    import os

    from wizard.core.answers import SecretSource, SourceKind, resolve_secret

    if args.pin_env:
        return resolve_secret(SecretSource(SourceKind.ENV, args.pin_env), what="security PIN", environ=os.environ)
    if args.pin_file:
        return resolve_secret(SecretSource(SourceKind.FILE, args.pin_file), what="security PIN", environ=os.environ)
    return None


def _pin_prompt() -> Callable[[str], str] | None:
    from wizard.commands.register import terminal_prompt

    return terminal_prompt()


COMMAND = Command("unregister", N_("remove this server from its vault and forget the registration here"),
                  add_arguments, run)
