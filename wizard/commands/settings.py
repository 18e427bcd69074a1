"""`register-server settings --answers FILE`: change settings after registration.

The file names only the sections to change ([proxy], [throttling], [recovery],
[encryption]); the same validators as registration apply. [machine] and [vault] cannot
change without re-registering and are refused.
"""

from __future__ import annotations

import argparse
import os

from wizard.commands import Command
from wizard.core.i18n import N_, _
from wizard.commands._secret_store import add_secret_store_option, chosen
from wizard.commands._output import print_json
from wizard.core.exit_codes import ExitCode


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--answers", required=True, metavar="FILE",
                        help=_("answer file with only the sections to change"))
    parser.add_argument("--json", action="store_true", help=_("print one JSON object"))
    parser.add_argument("--home", metavar="DIR", default=argparse.SUPPRESS, help=_("state directory"))
    add_secret_store_option(parser)


def run(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from wizard.commands.register import terminal_prompt, with_secret_store
    from wizard.core.answers import load_answers
    from wizard.registration.maintenance import change_settings

    answers = load_answers(args.answers)
    answers = replace(answers, settings=with_secret_store(answers.settings, chosen(args)))
    change = change_settings(answers, home=getattr(args, "home", None), environ=os.environ,
                             prompt=terminal_prompt())
    if args.json:
        print_json({"ok": True, "changed": list(change.changed),
                    "passphrase_file": str(change.passphrase_file) if change.passphrase_file else None})
    else:
        print(_("Changed: {sections}.").format(sections=", ".join(change.changed) or _("nothing")))
        if change.passphrase_file:
            print(_("The new passphrase is in force; its file is {path}. "
                    "Keep it safe: the old passphrase no longer works for new backups.").format(
                path=change.passphrase_file))
    return int(ExitCode.OK)


COMMAND = Command("settings", N_("change proxy, throttling, recovery folder or passphrase after registration"),
                  add_arguments, run)
