"""Reference sections generated from the core's own tables: troubleshooting, exit codes, answer files.

Nothing here retypes a rule: the troubleshooting table is the error catalogue, the exit
codes are `ExitCode`, the answer-file keys, types and meanings are the field table
(`wizard.core.fields`, which the reader checks against too). A field declared without a
description is shown as undocumented, and the docs test fails on it.
"""

from __future__ import annotations

from wizard.core.errors import CATALOGUE, ErrorInfo
from wizard.core.exit_codes import ExitCode
from wizard.core.fields import FIELDS
from wizard.core.flow import TITLES
from wizard.core.limits import PASSPHRASE_MAX_LENGTH, PASSPHRASE_MIN_LENGTH
from wizard.docs.markdown import anchor, code, table
from wizard.docs.sample_data import SAMPLE_ANSWER_FILE

UNDOCUMENTED = "(undocumented)"

_TYPE_NAMES = {str: "string", int: "integer", bool: "boolean", list: "list of strings"}


def answer_keys() -> list[str]:
    """Every key the answer-file reader accepts, as `section.key`, in the reader's order."""
    return [f.key for f in FIELDS]


def answer_file_reference(level: int = 2) -> str:
    rows = [(code(f.key), " or ".join(_TYPE_NAMES[t] for t in f.types), f.doc or UNDOCUMENTED) for f in FIELDS]
    return "\n".join([
        f"{'#' * level} Answer-file reference", "",
        "An answer file is a TOML file that pre-fills the wizard (`register-server --answers FILE`) or registers "
        "without it (`register-server register --answers FILE`). It never holds a secret: it says where each "
        "secret comes from. Give at most one source per secret; with none, the command asks at the terminal "
        "(the passphrase twice). Every problem is reported at once, with its key and line.", "",
        table(("key", "type", "meaning"), rows), "",
        "A complete sample:", "",
        "```toml", SAMPLE_ANSWER_FILE.rstrip("\n"), "```", "",
        f"Passphrase limits: {PASSPHRASE_MIN_LENGTH} to {PASSPHRASE_MAX_LENGTH:,} printable ASCII characters.", "",
    ])


def _fixed_on(entry: ErrorInfo) -> str:
    """The wizard step whose page fixes `entry`, or a dash when no page can."""
    return TITLES[entry.fixed_on] if entry.fixed_on is not None else "—"


def troubleshooting(level: int = 2) -> str:
    """One table per exit code, in catalogue order, every code once."""
    out = [f"{'#' * level} Troubleshooting", "",
           "Every failure has a stable code. The wizard shows its message and what to do under the field or on "
           "the Register page; the command line prints `error: CODE: message` and exits with the code's "
           f"[exit code]({anchor('Exit codes')}).", ""]
    for exit_code in ExitCode:
        entries = [e for e in CATALOGUE.values() if e.exit_code is exit_code]
        if not entries:
            continue
        out += [f"{'#' * (level + 1)} Exit code {exit_code.value}: {exit_code.meaning.rstrip('.')}", "",
                table(("code", "what happened", "what to do", "fixed on step"),
                      ((code(e.code), e.message, e.fix, _fixed_on(e)) for e in entries)), ""]
    return "\n".join(out)


def exit_code_table(level: int = 2) -> str:
    return "\n".join([
        f"{'#' * level} Exit codes", "",
        "Every `register-server` command exits with one of these; scripts can rely on them (numbers are never "
        "reused).", "",
        table(("exit code", "name", "meaning"), ((e.value, code(e.name), e.meaning) for e in ExitCode)), "",
    ])
