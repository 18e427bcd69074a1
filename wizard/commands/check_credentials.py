"""`register-server check-credentials FILE [--json] [--at TIME]`: is this credentials file usable?

Reads and verifies the file exactly as registration would, without touching the network,
and says which vault it is for and how long it stays valid, or what is wrong with it.
Exit 0 when valid; otherwise the error's exit code (4 for every credentials problem).
A newer file for the same vault in the same folder is a warning, not a failure: the file
is valid in itself, only the vault will prefer the newer one. In ``--json`` mode warnings
are listed under ``"warnings"`` (an addition to the documented shape; empty when none).
"""

from __future__ import annotations

import argparse
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wizard.commands import Command
from wizard.core.i18n import N_, _

if TYPE_CHECKING:
    from wizard.core.errors import RegisterServerError

def _utc_time(text: str) -> datetime:
    """``--at`` value: ISO 8601; without an offset it is taken as UTC."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(_("not an ISO 8601 date and time: {text!r}").format(text=text)) from None
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", help=_("the .VaultCredentials file downloaded from the vault"))
    parser.add_argument("--json", action="store_true", help=_("print one JSON object instead of text"))
    parser.add_argument("--at", metavar="TIME", type=_utc_time, default=None,
                        help=_("check validity as of this time (ISO 8601, UTC unless an offset is given) "
                             "instead of now, e.g. to see whether a file will still work tomorrow morning"))


def run(args: argparse.Namespace) -> int:
    from wizard.commands._output import print_json
    from wizard.core.credentials import format_time_left, newer_sibling, read_credentials
    from wizard.core.errors import RegisterServerError, info
    from wizard.core.i18n import format_datetime

    now: datetime = args.at or datetime.now(timezone.utc)
    path = Path(args.file).expanduser().absolute()
    try:
        creds = read_credentials(path, now=now)
    except RegisterServerError as error:
        return _report_refused(path, error, as_json=args.json)
    newer = newer_sibling(path, creds)
    left = creds.expires_in(now)
    superseded = info("credentials.superseded")

    if args.json:
        result: dict[str, Any] = {
            "ok": True,
            "format_version": creds.format_version,
            "vault": {
                "name": creds.vault_name,
                "subscription_id": creds.subscription_id,
                "resource_group": creds.resource_group,
                "location": creds.location,
                "resource_id": creds.resource_id,
            },
            "certificate": {
                "thumbprint": creds.thumbprint_sha1,
                "sha256": creds.thumbprint_sha256,
                "not_before": creds.not_before.isoformat(),
                "not_after": creds.not_after.isoformat(),
                "expires_in_seconds": max(0, int(left.total_seconds())),
            },
            "warnings": [] if newer is None else [
                {"code": superseded.code, "message": superseded.message_in("en"), "fix": superseded.fix_in("en"),
                 "localized_message": superseded.message, "localized_fix": superseded.fix, "newer_file": str(newer)}
            ],
        }
        print_json(result)
        return 0

    when = f"{format_datetime(creds.not_before)} UTC", f"{format_datetime(creds.not_after)} UTC"
    labels = [_("Vault:"), _("Subscription:"), _("Location:"), _("Thumbprint:"), _("Valid:")]
    width = max(16, max(len(label) for label in labels) + 1)  # the English layout of 0.1
    vault, subscription, location, thumbprint, valid = (label.ljust(width) for label in labels)
    lines = [
        _("Valid vault credentials file (format {version}): {path}").format(version=creds.format_version, path=path),
        "  " + vault + _("{vault} (resource group {group})").format(vault=creds.vault_name,
                                                                    group=creds.resource_group),
        "  " + subscription + creds.subscription_id,
        "  " + location + creds.location,
        "  " + thumbprint + creds.thumbprint_sha1,
        "  " + valid + _("{start} to {end}").format(start=when[0], end=when[1]),
        "  " + (_("Expires in {time_left}").format(time_left=format_time_left(left)) if left.total_seconds() > 0 else
                _("Expired moments ago (within the allowance for clock differences); download a new file soon")),
    ]
    print("\n".join(lines))
    if newer is not None:
        import sys

        warning, newer_file, what_to_do = _("warning:"), _("newer file:"), _("what to do:")
        sys.stderr.write(f"{warning} {superseded.message}\n  {newer_file} {newer}\n  {what_to_do} {superseded.fix}\n")
    return 0


def _report_refused(path: Path, error: RegisterServerError, *, as_json: bool) -> int:
    """The refusal, plus the newer file for the same vault beside it when that one would do
    (JSON: ``error.newer_file``, an addition to the documented shape)."""
    import sys

    from wizard.commands._output import error_payload, print_json, report_error
    from wizard.core.credentials import newer_sibling_for_refused

    newer = newer_sibling_for_refused(path, error)
    if newer is None:
        return report_error(error, as_json=as_json)
    if as_json:
        payload = error_payload(error)
        payload["error"]["newer_file"] = str(newer)
        print_json(payload)
    else:
        reason = f" ({error.reason})" if error.reason else ""
        label = _("error:")
        what_to_do = _("what to do: use the newer file for the same vault beside it: {path}").format(path=newer)
        sys.stderr.write(f"{label} {error.code}{reason}: {error.message}\n  {what_to_do}\n")
    return int(error.exit_code)


COMMAND = Command(
    name="check-credentials",
    help=N_("check a vault credentials file offline: which vault, how long it stays valid, or what is wrong"),
    add_arguments=add_arguments,
    run=run,
)
