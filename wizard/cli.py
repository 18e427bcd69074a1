"""The `register-server` command line: opens the wizard, or runs a subcommand.

With no subcommand it opens the wizard (optionally pre-filled from `--answers`). Every
subcommand lives in `wizard.commands`; this module only parses and dispatches, and turns
expected failures into a message, a fix and a stable exit code.
"""

from __future__ import annotations

import argparse
import logging
import sys
from typing import Callable, Sequence

from wizard.commands.parser import build_parser
from wizard.core.errors import RegisterServerError
from wizard.core.exit_codes import ExitCode

__all__ = ["build_parser", "main"]

log = logging.getLogger(__name__)


def _may_name_a_command(argv: Sequence[str]) -> bool:
    """False when argv only holds the wizard's own options: then no subcommand module is imported.

    Start-up of the plain `register-server` (the wizard) must not pay for discovering every
    subcommand (benchmarks/bench_startup.py); anything else gets the full parser.
    """
    tokens = iter(argv)
    for token in tokens:
        if token in ("--answers", "--home", "--secret-store"):
            next(tokens, None)
        elif token != "--high-contrast" and not token.startswith(("--answers=", "--home=", "--secret-store=")):
            return True
    return False


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser(with_commands=_may_name_a_command(sys.argv[1:] if argv is None else argv))
    args = parser.parse_args(argv)
    run = getattr(args, "run", None)
    if getattr(args, "self_test", False):
        from wizard.self_test import run as run_self_test

        return run_self_test(secret_store=getattr(args, "secret_store", None), home=getattr(args, "home", None))
    logging_started: list[bool] = []

    def start_logging() -> None:  # once; for the wizard only after its first paint (start-up goal)
        if not logging_started:
            logging_started.append(True)
            from wizard.core.logs import configure_for_command

            configure_for_command(getattr(args, "command", None), getattr(args, "home", None))

    if run is not None:
        start_logging()
    if run is None and getattr(args, "secret_store", None) is not None:
        # The wizard takes its store from the answer file ([secrets] store) or the record; an option
        # it would ignore must not look as if it had been obeyed.
        parser.error("--secret-store without a command only goes with --self-test; for the wizard, "
                     "put [secrets] store in the answer file")
    try:
        if run is None:
            try:
                return _open_wizard(args, parser, after_first_paint=start_logging)
            finally:
                start_logging()  # also when the window closed (or failed) before its first paint
        return int(run(args))
    except RegisterServerError as error:
        from wizard.commands._output import report_error

        return report_error(error, as_json=bool(getattr(args, "json", False)))
    except KeyboardInterrupt:
        sys.stderr.write("cancelled\n")
        return int(ExitCode.CANCELLED)
    except Exception:  # the last line of defence: a message, a log entry, exit 1; never a bare traceback
        start_logging()
        log.exception("unexpected error in %s", getattr(args, "command", None) or "wizard")
        from wizard.commands._output import report_error

        return report_error(RegisterServerError("internal.unexpected"), as_json=bool(getattr(args, "json", False)))


def _open_wizard(args: argparse.Namespace, parser: argparse.ArgumentParser, *,
                 after_first_paint: Callable[[], object] | None = None) -> int:
    from wizard.ui.app import run_wizard

    return run_wizard(answers=args.answers, home=args.home, after_first_paint=after_first_paint,
                      high_contrast=bool(getattr(args, "high_contrast", False)))


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
