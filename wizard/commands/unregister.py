"""`register-server unregister`: remove this server from its vault and forget the registration.

The vault call is signed with the machine's own key. `--local-only` forgets the
registration here without contacting the vault (when the vault is gone); the vault's
administrator then removes the machine there.
"""

from __future__ import annotations

import argparse

from wizard.commands import Command
from wizard.commands._output import print_json
from wizard.core.exit_codes import ExitCode


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--local-only", action="store_true",
                        help="forget the registration on this server without contacting the vault")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--home", metavar="DIR", default=argparse.SUPPRESS, help="state directory")


def run(args: argparse.Namespace) -> int:
    from wizard.registration.maintenance import unregister

    done = unregister(home=getattr(args, "home", None), local_only=args.local_only)
    if args.json:
        print_json({"ok": True, "machine_id": done.machine_id, "machine_name": done.machine_name,
                    "vault": done.vault_name, "removed_from_vault": done.removed_from_vault})
    else:
        where = "removed from" if done.removed_from_vault else "forgotten locally; still listed in"
        print(f"{done.machine_name} ({done.machine_id}) {where} vault {done.vault_name}. "
              "The passphrase file was left where it is.")
    return int(ExitCode.OK)


COMMAND = Command("unregister", "remove this server from its vault and forget the registration here",
                  add_arguments, run)
