"""`register-server diagnostics --out FILE.zip`: what support needs, without any secret.

Why this shape: an administrator sends the bundle to someone else, so it must be safe to
send by construction. It holds the log files, the state documents with secret-looking
keys blanked, a listing of every file in the state directory, and facts about the
versions and the environment. It never holds keyring contents, the machine key file,
private keys, credentials files or passphrase files. As defence in depth, known secret
values of this identity (read from the keyring only to remove them) and secret-shaped
text (URL passwords, Authorization headers, PEM private keys, passphrase-file lines) are
scrubbed from every text that goes in.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from wizard.commands import Command
from wizard.core.i18n import N_, _, ngettext

MAX_MEMBER_BYTES = 5_000_000
TEXT_SUFFIXES = {".json", ".log", ".txt", ".toml", ".cfg", ".ini"}
# Never included, whatever their content: keys, certificates' private halves, credentials.
NEVER = {"machine-key.json", ".lock"}
NEVER_SUFFIXES = {".key", ".p12", ".pfx", ".vaultcredentials", ".tmp", ".sqlite", ".db",
                  ".cred"}  # systemd-creds blobs: sealed, but secrets all the same
ENV_FACTS = ("LANG", "LC_ALL", "TZ", "XDG_SESSION_TYPE", "XDG_CURRENT_DESKTOP", "DESKTOP_SESSION",
             "QT_QPA_PLATFORM", "REGISTER_SERVER_HOME", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY",
             "http_proxy", "https_proxy", "no_proxy", "PYTHON_KEYRING_BACKEND")


@dataclass
class BundleSummary:
    members: list[str] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", required=True, metavar="FILE.zip", help=_("where to write the bundle (a .zip file)"))
    parser.add_argument("--home", metavar="DIR", default=argparse.SUPPRESS,
                        help=_("state directory (default: per-user data folder, or REGISTER_SERVER_HOME)"))
    parser.add_argument("--json", action="store_true", help=_("print the result as one JSON object"))


def run(args: argparse.Namespace) -> int:
    from wizard.commands._output import print_json
    from wizard.core.exit_codes import ExitCode

    out = Path(args.out).expanduser().resolve()
    summary = build_bundle(out, home=getattr(args, "home", None))
    if args.json:
        print_json({"ok": True, "out": str(out), "members": summary.members, "left_out": summary.left_out})
    else:
        print(ngettext("Diagnostics written to {path} ({count} file; secrets removed).",
                       "Diagnostics written to {path} ({count} files; secrets removed).",
                       len(summary.members)).format(path=out, count=len(summary.members)))
        if summary.left_out:
            print(_("Left out on purpose (listed by name only):") + " " + ", ".join(summary.left_out))
    return int(ExitCode.OK)


def build_bundle(out: Path, *, home: str | Path | None = None) -> BundleSummary:
    """Write the diagnostics zip to `out` (atomically) and say what went in and what was left out."""
    import io
    import zipfile

    from wizard.core.errors import RegisterServerError
    from wizard.core.paths import state_dir
    from wizard.core.storage import atomic_write_bytes

    root = state_dir(home)
    known = _known_secrets(root)
    summary = BundleSummary()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        listing = []
        for path in _files(root, exclude=out):
            relative = path.relative_to(root).as_posix()
            info = path.lstat()
            listing.append({"name": relative, "size": info.st_size, "mode": oct(info.st_mode & 0o777),
                            "modified": datetime.fromtimestamp(info.st_mtime, timezone.utc).isoformat()})
            content = _member_text(path, known)
            if content is None:
                summary.left_out.append(relative)
                continue
            archive.writestr(f"state/{relative}", content)
            summary.members.append(f"state/{relative}")
        facts = _facts(root)
        facts["state_files"] = listing
        archive.writestr("facts.json", json.dumps(facts, indent=2, sort_keys=True, default=str))
        summary.members.insert(0, "facts.json")
    try:
        atomic_write_bytes(out, buffer.getvalue(), mode=0o600)
    except RegisterServerError as error:
        if error.code != "state.write_failed":
            raise
        raise RegisterServerError("diagnostics.write_failed", reason=error.reason, detail=error.detail) from error
    return summary


def _files(root: Path, *, exclude: Path) -> list[Path]:
    if not root.is_dir():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink() and p.resolve() != exclude)


def _member_text(path: Path, known: list[str]) -> str | None:
    """The redacted text of a state file, or None when it must not (or cannot) go in."""
    from wizard.core.secrets.redact import redact_document, redact_text

    name = path.name.lower()
    suffixes = {s.lower() for s in path.suffixes}
    if name in NEVER or name.startswith(".") and name.endswith(".tmp") or suffixes & NEVER_SUFFIXES:
        return None
    if path.stat().st_size > MAX_MEMBER_BYTES:
        return None
    is_log = ".log" in suffixes  # register-server.log, register-server.log.1, ...
    if not (is_log or path.suffix.lower() in TEXT_SUFFIXES or path.suffix.lower() in {".pem", ".crt"}):
        return None
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    if path.suffix.lower() in {".pem", ".crt"}:
        return None if "PRIVATE KEY" in text else text  # certificates are public; keys never go
    if path.suffix.lower() == ".json":
        try:
            return json.dumps(redact_document(json.loads(text), known), indent=2, sort_keys=True)
        except ValueError:
            pass
    return redact_text(text, known)


def _known_secrets(root: Path) -> list[str]:
    """This identity's secret values, read only so they can be removed; [] without a keyring."""
    from wizard.core.errors import RegisterServerError
    from wizard.core.secrets.store import BACKUP_PASSPHRASE, PROXY_PASSWORD, SecretStore

    store = SecretStore.for_state_dir(root)
    values = []
    for name in (BACKUP_PASSPHRASE, PROXY_PASSWORD):
        try:
            secret = store.get(name)
        except RegisterServerError:
            return values
        if secret is not None and secret.reveal():
            values.append(secret.reveal())
    return values


def _facts(root: Path) -> dict[str, Any]:
    from wizard import __version__
    from wizard.core.secrets import keyring_status
    from wizard.core.secrets.redact import redact_text

    usable, backend = keyring_status()
    return {
        "created": datetime.now(timezone.utc).isoformat(),
        "register_server": __version__,
        "frozen": bool(getattr(sys, "frozen", False)),
        "python": {"version": sys.version, "implementation": platform.python_implementation(),
                   "executable": sys.executable},
        "os": {"system": platform.system(), "release": platform.release(), "version": platform.version(),
               "machine": platform.machine(), "platform": platform.platform()},
        "packages": _versions(),
        "qt": _qt_version(),
        "keyring": {"usable": usable, "backend": backend},
        "secret_store": _secret_store(root),
        "state_dir": str(root),
        "environment": {k: redact_text(os.environ[k]) for k in ENV_FACTS if k in os.environ},
    }


def _secret_store(root: Path) -> str:
    """Which store this registration's secrets are in (the record says; keyring by default)."""
    from wizard.core.secrets.choice import KEYRING, recorded_store

    return recorded_store(root) or KEYRING


def _versions() -> dict[str, str]:
    from importlib import metadata

    found = {}
    for name in ("register-server", "PySide6-Essentials", "cryptography", "keyring", "SecretStorage", "httpx",
                 "truststore", "joserfc", "defusedxml", "platformdirs", "zxcvbn"):
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


def _qt_version() -> str:
    try:
        from PySide6 import QtCore
    except Exception as exc:  # no GUI installed, or no display libraries: say so
        return f"not importable ({type(exc).__name__})"
    return QtCore.qVersion()


COMMAND = Command("diagnostics", N_("collect logs, state and version facts into a zip for support (no secrets)"),
                  add_arguments, run)
