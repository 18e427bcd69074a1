"""How commands report results and errors: human text on a terminal, one JSON object with --json.

Text for people is in the administrator's language (wizard.core.i18n); what scripts key on -
`ok`, `code`, `reason`, `field`, the exit status, every JSON field name - never changes with it.
The JSON keeps `message`/`fix` in English and adds `language` and `localized_message` /
`localized_fix`, so a fleet's logs compare across machines whatever each one speaks.
"""

from __future__ import annotations

import json
import sys
from typing import Any, TextIO

from wizard.core.errors import RegisterServerError
from wizard.core.i18n import ENGLISH, _, active_language, ngettext
from wizard.core.issues import Issue


def print_json(obj: dict[str, Any], stream: TextIO | None = None) -> None:
    stream = stream or sys.stdout
    stream.write(json.dumps(obj, default=str) + "\n")
    stream.flush()


def _issue_payload(issue: Issue, language: str) -> dict[str, Any]:
    return {"field": issue.field, "code": issue.code,
            "message": issue.message_in(ENGLISH), "fix": issue.fix_in(ENGLISH),
            "localized_message": issue.message_in(language), "localized_fix": issue.fix_in(language)}


def error_payload(error: RegisterServerError) -> dict[str, Any]:
    """The one JSON shape of a failed command: `ok`, `error`, and `issues` (possibly empty).

    Every command prints this, so a fleet script parses one shape whatever it ran; `issues`
    lists each field-tagged problem when the error gathered several (an answer file).
    """
    issues = getattr(error, "issues", None) or []
    language = active_language()
    return {"ok": False, "error": error.to_dict(), "issues": [_issue_payload(i, language) for i in issues]}


def report_error(error: RegisterServerError, *, as_json: bool, **extra: Any) -> int:
    """Print `error` (message and fix, never a traceback) and return its exit code.

    `extra` goes in front of the JSON payload (register's event stream adds `"event": "result"`).
    """
    if as_json:
        print_json({**extra, **error_payload(error)})
        return int(error.exit_code)
    issues = getattr(error, "issues", None)
    what_to_do = _("what to do:")
    # (outside the f-strings below: pybabel does not look inside them)
    if issues:
        heading = ngettext("error: {count} problem in the settings:",
                           "error: {count} problems in the settings:", len(issues)).format(count=len(issues))
        sys.stderr.write(heading + "\n")
        language = active_language()
        for i in issues:
            sys.stderr.write(f"  {i.field}: {i.code}: {i.message_in(language)}\n    {what_to_do} {i.fix_in(language)}\n")
    else:
        reason = f" ({error.reason})" if error.reason else ""
        label = _("error:")
        sys.stderr.write(f"{label} {error.code}{reason}: {error.message}\n  {what_to_do} {error.fix}\n")
    return int(error.exit_code)
