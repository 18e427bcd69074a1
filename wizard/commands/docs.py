"""`register-server docs --out DIR`: regenerate the administrator's guide and its screenshots.

The guide is generated from the product itself (error catalogue, limits, argument parser,
the real wizard driven against a local vault), so it cannot drift from what ships.
`--text-only` skips the screenshots (fast; what the docs test uses).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from wizard.commands import Command
from wizard.core.i18n import N_, _
from wizard.core.exit_codes import ExitCode


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", required=True, metavar="DIR",
                        help=_("folder to write register-server.md and images/ to (the repository keeps them in docs/)"))
    parser.add_argument("--text-only", action="store_true",
                        help=_("write only register-server.md, without starting a vault or taking screenshots"))
    parser.add_argument("--json", action="store_true", help=_("print one JSON object with the files written"))
    # Internal: the screenshot run's child process (its own offscreen Qt, keyring and proxy
    # environment). A flag of the product itself, so a frozen build can start it too.
    parser.add_argument("--capture-plan", metavar="FILE", help=argparse.SUPPRESS)


def run(args: argparse.Namespace) -> int:
    if args.capture_plan:
        from wizard.docs.capture import main as capture

        return capture([args.capture_plan])
    from wizard.commands._output import print_json
    from wizard.core.errors import RegisterServerError
    from wizard.core.i18n import set_language

    # The guide in docs/ is the English one, whatever this machine's language.
    set_language("en")
    from wizard.commands.parser import build_parser
    from wizard.docs import generate
    from wizard.docs.sandbox import SandboxError

    try:
        result = generate(Path(args.out).resolve(), build_parser(), screenshots=not args.text_only)
    except SandboxError as error:  # a tool did not start, or the capture process failed (its stderr was shown)
        raise RegisterServerError("docs.screenshots_failed", detail=str(error)) from None
    files = [str(result.markdown)] + [str(p) for p in result.images]
    if args.json:
        print_json({"ok": True, "markdown": str(result.markdown), "images": [str(p) for p in result.images]})
    else:
        sys.stdout.write("\n".join(files) + "\n")
    return int(ExitCode.OK)


COMMAND = Command("docs", N_("generate the administrator's guide (Markdown and screenshots) from the product itself"),
                  add_arguments, run)
