"""Logging: a rotating, owner-only log file in the state directory, with secrets scrubbed.

Why: support needs a record of what happened (diagnostics bundles include it), and that
record must never hold a passphrase or password. Two layers keep it clean: secrets travel
as `Secret` (renders as `<secret>`), and `RedactingFilter` on our handlers replaces any
`Secret` argument and any value registered with `remember_secret` that still reaches a
message (e.g. through a third-party library's own log line), in plain, hex, percent- or
base64-encoded form (`wizard.core.secret.text_forms`): a library that logs a proxy URL or
an Authorization header shows the password encoded, not plain.
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path
from typing import Any

from wizard.core.paths import state_dir
from wizard.core.secret import MIN_FORM_LENGTH, REDACTED, Secret, text_forms

LOG_DIR = "logs"
LOG_NAME = "register-server.log"
MAX_BYTES = 1_000_000
BACKUPS = 3
FORMAT = "%(asctime)s %(levelname)s %(process)d %(name)s: %(message)s"

DEBUG_ENV = "REGISTER_SERVER_DEBUG"

_known: set[str] = set()  # every form of every remembered value
_by_length: list[str] = []  # the same, longest first (a form may contain a shorter one)
_known_lock = threading.Lock()


def remember_secret(secret: Secret) -> None:
    """Scrub this value from every later log line, in any encoded form, whatever path it takes there."""
    value = secret.reveal()
    if len(value) < MIN_FORM_LENGTH:  # shorter values would redact ordinary words
        return
    forms = text_forms(value)
    with _known_lock:
        if not forms <= _known:
            _known.update(forms)
            _by_length[:] = sorted(_known, key=len, reverse=True)


def forget_secrets() -> None:
    with _known_lock:
        _known.clear()
        _by_length.clear()


def scrub(text: str) -> str:
    """`text` with every remembered secret value (any form) replaced by `<secret>`."""
    with _known_lock:
        values = list(_by_length)
    for value in values:
        if value in text:
            text = text.replace(value, REDACTED)
    return text


class RedactingFilter(logging.Filter):
    """Renders the record's message once, with `Secret`s and remembered values redacted."""

    def filter(self, record: logging.LogRecord) -> bool:
        args: Any = record.args
        if args:
            if isinstance(args, dict):
                args = {k: REDACTED if isinstance(v, Secret) else v for k, v in args.items()}
            elif isinstance(args, tuple):
                args = tuple(REDACTED if isinstance(v, Secret) else v for v in args)
            try:
                message = str(record.msg) % args
            except (TypeError, ValueError, KeyError):
                message = f"{record.msg} {args!r}"
        else:
            message = str(record.msg)
        record.msg = scrub(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = scrub(logging.Formatter().formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = scrub(record.exc_text)
        return True


def _owner_only_rotating_handler(path: Path) -> logging.Handler:
    """A rotating file whose every generation is created 0600 (POSIX).

    Defined on first use: `logging.handlers` (socket, pickle, queue...) costs the wizard's
    start-up a few milliseconds before its first paint (benchmarks/bench_startup.py).
    """
    import logging.handlers

    class OwnerOnlyRotatingHandler(logging.handlers.RotatingFileHandler):
        def _open(self):  # type: ignore[no-untyped-def]
            from wizard.core.storage.private import open_private

            fd = open_private(Path(self.baseFilename), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            return os.fdopen(fd, "a", encoding=self.encoding or "utf-8", errors=self.errors)

    return OwnerOnlyRotatingHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8")


_previous_level: list[int] = []


def stop_logging() -> None:
    """Remove and close the handlers `configure_logging` installed and restore the root level."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_register_server", False):
            root.removeHandler(handler)
            handler.close()
    if _previous_level:
        root.setLevel(_previous_level.pop())


def log_path(home: Path | str | None = None) -> Path:
    return state_dir(home) / LOG_DIR / LOG_NAME


def configure_logging(home: Path | str | None = None, *, verbose: bool = False) -> Path:
    """Send this process's log to the rotating file in the state directory; return its path.

    Calling it again replaces the handlers it installed before (e.g. another `--home`).
    `verbose` (or REGISTER_SERVER_DEBUG=1 in the environment) also logs DEBUG and copies
    records to stderr.
    """
    verbose = verbose or os.environ.get(DEBUG_ENV) == "1"
    path = log_path(home)
    from wizard.core.storage.private import make_private_dir

    make_private_dir(path.parent)
    root = logging.getLogger()
    stop_logging()
    _previous_level.append(root.level)
    handlers: list[logging.Handler] = [_owner_only_rotating_handler(path)]
    if verbose:
        handlers.append(logging.StreamHandler())
    for handler in handlers:
        handler.setFormatter(logging.Formatter(FORMAT))
        handler.addFilter(RedactingFilter())
        handler._register_server = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    return path


# Commands that do not act on this machine's registration keep no log in its state
# directory: the vault service has its own data folder, docs generation has no state, and
# checking a credentials file is a read-only look at a file; the demo uses a temporary home.
NO_STATE_LOG_COMMANDS = frozenset({"vault", "docs", "check-credentials", "demo"})


def configure_for_command(command: str | None, home: Path | str | None) -> Path | None:
    """Log to the state directory for the wizard (command None) and state-changing commands.

    A state directory that cannot be created must not stop the command: it then runs
    without a log file and reports its own errors as usual.
    """
    if command in NO_STATE_LOG_COMMANDS:
        return None
    try:
        path = configure_logging(home)
    except OSError:
        return None
    from wizard import __version__

    logging.getLogger("wizard").info("register-server %s started: %s", __version__, command or "wizard")
    return path
