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


def report_error(error: RegisterServerError, *, as_json: bool) -> int:
    """Print `error` (message and fix, never a traceback) and return its exit code."""
    if as_json:
        print_json({"ok": False, "error": error.to_dict()})
    else:
        reason = f" ({error.reason})" if error.reason else ""
        sys.stderr.write(f"error: {error.code}{reason}: {error.message}\n  what to do: {error.fix}\n")
    return int(error.exit_code)
