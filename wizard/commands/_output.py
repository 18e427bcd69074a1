"""How commands report results and errors: human text on a terminal, one JSON object with --json."""

from __future__ import annotations

import json
import sys
from typing import Any, TextIO

from wizard.core.errors import RegisterServerError


def print_json(obj: dict[str, Any], stream: TextIO | None = None) -> None:
    stream = stream or sys.stdout
    stream.write(json.dumps(obj, default=str) + "\n")
    stream.flush()


def error_payload(error: RegisterServerError) -> dict[str, Any]:
    """The one JSON shape of a failed command: `ok`, `error`, and `issues` (possibly empty).

    Every command prints this, so a fleet script parses one shape whatever it ran; `issues`
    lists each field-tagged problem when the error gathered several (an answer file).
    """
    issues = getattr(error, "issues", None) or []
    return {"ok": False, "error": error.to_dict(),
            "issues": [{"field": i.field, "code": i.code, "message": i.message, "fix": i.fix} for i in issues]}


def report_error(error: RegisterServerError, *, as_json: bool, **extra: Any) -> int:
    """Print `error` (message and fix, never a traceback) and return its exit code.

    `extra` goes in front of the JSON payload (register's event stream adds `"event": "result"`).
    """
    if as_json:
        print_json({**extra, **error_payload(error)})
        return int(error.exit_code)
    issues = getattr(error, "issues", None)
    if issues:
        sys.stderr.write(f"error: {len(issues)} problem(s) in the settings:\n")
        for i in issues:
            sys.stderr.write(f"  {i.field}: {i.code}: {i.message}\n    what to do: {i.fix}\n")
    else:
        reason = f" ({error.reason})" if error.reason else ""
        sys.stderr.write(f"error: {error.code}{reason}: {error.message}\n  what to do: {error.fix}\n")
    return int(error.exit_code)
