"""The `register-server` argument parser: the wizard's own options and every subcommand.

Here, in the commands package, so both the command line (`wizard.cli`, which dispatches)
and the guide generator (handed the parser by `register-server docs`) use one parser
without the documentation importing the command line that imports it back.
"""

from __future__ import annotations

import argparse

from wizard import __version__
from wizard.commands import _argparse_words, discover
from wizard.commands._secret_store import add_secret_store_option
from wizard.core.exit_codes import ExitCode
from wizard.core.i18n import _


def build_parser(with_commands: bool = True) -> argparse.ArgumentParser:
    """The parser, its help in the active language (wizard.core.i18n; argparse's own words too).

    Built per call, so a language chosen with `set_language` (the English guide) is the one its
    help is written in."""
    _argparse_words.install()
    parser = argparse.ArgumentParser(
        prog="register-server",
        description=_("Register this server with a backup vault. Without a command, opens the wizard."),
        epilog=_("exit codes:") + "\n" + "\n".join(f"  {c.value}  {c.meaning}" for c in ExitCode),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"register-server {__version__}",
                        help=_("show program's version number and exit"))
    parser.add_argument("--answers", metavar="FILE", help=_("open the wizard pre-filled from an answer file"))
    parser.add_argument("--home", metavar="DIR", help=_("state directory (default: per-user data folder; "
                                                      "or REGISTER_SERVER_HOME)"))
    parser.add_argument("--high-contrast", action="store_true",
                        help=_("open the wizard white on black, every text, icon and the week grid readable"))
    parser.add_argument("--self-test", action="store_true",
                        help=_("check that this installation works (Qt, cryptography, keyring) and exit"))
    add_secret_store_option(parser, top_level=True)
    if not with_commands:
        return parser
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for command in discover():
        sub = subparsers.add_parser(command.name, help=_(command.help), description=_(command.help))
        command.add_arguments(sub)
        sub.set_defaults(run=command.run)
    return parser
