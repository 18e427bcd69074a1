"""`register-server register --answers FILE`: unattended registration for fleets.

The same validators and the same registration procedure as the wizard; only the face
differs. Secrets come from the places the answer file names (environment variable,
file, keyring, generated) or, on a terminal, from a prompt — never from argv.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from wizard.commands import Command
from wizard.core.i18n import N_, _, in_language
from wizard.commands._secret_store import add_secret_store_option, chosen
from wizard.commands._output import print_json, report_error
from wizard.core.exit_codes import ExitCode


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--answers", required=True, metavar="FILE", help=_("answer file (TOML) to register with"))
    parser.add_argument("--json", action="store_true", help=_("one JSON object per event; the last one is the result"))
    parser.add_argument("--dry-run", action="store_true",
                        help=_("validate everything and test the connection up to the vault's token endpoint; "
                             "register nothing"))
    parser.add_argument("--home", metavar="DIR", default=argparse.SUPPRESS,
                        help=_("state directory (default: per-user data folder, or REGISTER_SERVER_HOME)"))
    add_secret_store_option(parser)


def terminal_prompt() -> Any:
    """getpass on an interactive terminal; None (no prompting) otherwise."""
    if not sys.stdin.isatty():
        return None
    import getpass

    return getpass.getpass


def load_settings(answers_path: str, home: str | None) -> Any:
    """Answer file → validated settings with secrets; raises with every problem of the file at once."""
    from wizard.core.answer_check import load_checked_settings
    from wizard.core.paths import state_dir

    return load_checked_settings(answers_path, environ=os.environ, state_root=state_dir(home),
                                 prompt=terminal_prompt())


def with_secret_store(settings: Any, option: str | None) -> Any:
    """The settings with `--secret-store` applied; an answer file that says otherwise is refused."""
    from dataclasses import replace

    from wizard.core.errors import RegisterServerError

    if option is None or settings.secret_store == option:
        return settings
    if settings.secret_store is not None:
        raise RegisterServerError("secrets.store_mismatch", detail=f"(the answer file says [secrets] store = "
                                                                   f"\"{settings.secret_store}\", --secret-store {option})")
    return replace(settings, secret_store=option)


def run(args: argparse.Namespace) -> int:
    from wizard.core.errors import RegisterServerError
    from wizard.registration import run_registration, test_connection

    home = getattr(args, "home", None)
    emit = _Emitter(args.json)
    try:
        settings = with_secret_store(load_settings(args.answers, home), chosen(args))
        emit.info("validated", _("Answer file {answers} is valid; credentials file: {credentials}").format(
            answers=Path(args.answers).resolve(), credentials=settings.vault.credentials_file))
        if args.dry_run:
            checks = test_connection(settings, on_step=emit.check)
            failed = [c for c in checks if not c.ok]
            if failed and failed[0].code:
                raise RegisterServerError(failed[0].code, detail=failed[0].detail or None)
            emit.result({"ok": True, "dry_run": True, "checks": [c.step for c in checks]},
                        _("Dry run passed: settings are valid and the vault is reachable. Nothing was registered."))
            return int(ExitCode.OK)
        result = run_registration(settings, home=home, on_progress=emit.progress)
    except RegisterServerError as error:
        return emit.error(error)
    done = (_("Re-registered {machine} with vault {vault} (machine id {machine_id}).") if result.re_registration
            else _("Registered {machine} with vault {vault} (machine id {machine_id})."))
    emit.result({"ok": True, "machine_id": result.machine_id, "machine_name": result.machine_name,
                 "vault": result.vault_name, "registered_at": result.registered_at.isoformat(),
                 "re_registration": result.re_registration, "state_dir": str(result.state_dir)},
                done.format(machine=result.machine_name, vault=result.vault_name, machine_id=result.machine_id))
    return int(ExitCode.OK)


class _Emitter:
    """Progress as lines on a terminal, or one JSON object per event."""

    def __init__(self, as_json: bool) -> None:
        self.as_json = as_json

    def info(self, event: str, text: str) -> None:
        if self.as_json:
            print_json({"event": event, "message": text})
        else:
            print(text, flush=True)

    def progress(self, event: Any) -> None:
        if self.as_json:
            print_json({"event": "progress", "step": event.step, "index": event.index, "total": event.total,
                        "message": event.message})
        else:
            print(f"[{event.index}/{event.total}] {in_language(event.message)}", flush=True)

    def check(self, check: Any) -> None:
        if self.as_json:
            print_json({"event": "check", "step": check.step, "ok": check.ok, "detail": check.detail,
                        "code": check.code, **({"facts": dict(check.facts)} if check.facts else {})})
        else:
            verdict = _("ok") if check.ok else _("FAIL")
            print(f"  {verdict:<4} {check.step}: {in_language(check.detail)}", flush=True)

    def result(self, payload: dict[str, Any], text: str) -> None:
        if self.as_json:
            print_json({"event": "result", **payload})
        else:
            print(text, flush=True)

    def error(self, error: Any) -> int:
        return report_error(error, as_json=self.as_json, event="result")

COMMAND = Command("register", N_("register this server unattended, from an answer file"), add_arguments, run)
