"""A machine-bound secret store for headless Linux servers: `systemd-creds`, blobs in the state folder.

Why: a server reached over SSH has no desktop session, so no Secret Service to keep the
passphrase, the proxy password and the machine key's protection for unattended runs.
`systemd-creds` encrypts with the host key (`/var/lib/systemd/credential.secret`, root
only) and, when the machine has a TPM2, with the TPM as well (`--with-key=auto`). It is
chosen explicitly (`[secrets] store = "systemd-creds"`, `--secret-store systemd-creds`);
the OS keyring stays the default, and there is never a plain-text fallback.

Choices:
- `--with-key=auto`: host key, plus the TPM2 when one is present (systemd picks host+tpm2),
  so a blob copied off this machine with its disk image is still useless without this
  machine's TPM. `--tpm2-pcrs=` (none) binds to the TPM itself but not to the boot state:
  with systemd's default (PCR 7, the Secure Boot state) a firmware or Secure Boot update
  would lock the secrets away for good, and a backup agent that loses its passphrase after
  a BIOS update is worse than one an attacker with the booted machine could read anyway.
- Each secret is one blob file, encrypted under a credential *name* derived from the
  secret's name and checked on decrypt, so a blob moved to another entry's file is refused.
- The values go in and out through stdin/stdout pipes, never argv or a temporary file; the
  blobs are written atomically, 0600, in a 0700 folder created by this module, which refuses
  a symlink in its place.

The class speaks keyring's backend protocol (get/set/delete_password) like the DPAPI store,
so `SecretStore` uses it as any keyring. The runner is injectable for the failure tests.
"""

from __future__ import annotations

import errno
import logging
import os
import re
import shutil
import stat
import subprocess
from pathlib import Path
from typing import Callable, Sequence

from wizard.core.errors import RegisterServerError

log = logging.getLogger(__name__)

FOLDER = "systemd-creds"
SUFFIX = ".cred"
PROGRAM = "systemd-creds"
FALLBACK_PATHS = ("/usr/bin/systemd-creds", "/bin/systemd-creds")  # cron and sudo may give a short PATH
DEBIAN_PACKAGE = "systemd"
ENCRYPT_OPTIONS = ("--with-key=auto", "--tpm2-pcrs=")
TIMEOUT = 60.0  # a slow TPM takes a second or two; a hung one must not hang the registration
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,200}")

Runner = Callable[[Sequence[str], bytes], "subprocess.CompletedProcess[bytes]"]


def run_program(argv: Sequence[str], data: bytes) -> "subprocess.CompletedProcess[bytes]":
    """Run `argv` with `data` on stdin; stdout and stderr captured (never inherited)."""
    return subprocess.run(list(argv), input=data, capture_output=True, timeout=TIMEOUT, check=False)


def program() -> str:
    """The path of systemd-creds, or `secrets.store_not_installed` with the command that installs it."""
    found = shutil.which(PROGRAM) or next((p for p in FALLBACK_PATHS if os.access(p, os.X_OK)), None)
    if found is None:
        raise RegisterServerError("secrets.store_not_installed", detail=f"({PROGRAM} was not found)",
                                  advice=f"Install it: `apt-get install {DEBIAN_PACKAGE}` (Debian 12 and later; "
                                         "other systems: systemd 250 or newer), then try again.")
    return found


class SystemdCredsKeyring:
    """Secrets of one state folder, each a `systemd-creds` blob in `<state>/systemd-creds/`."""

    name = "systemd-creds (host key, TPM2 when present)"
    deletes_without_reading = True  # a blob this machine cannot open can still be forgotten

    def __init__(self, root: Path, *, runner: Runner | None = None) -> None:
        self.folder = Path(root) / FOLDER
        self._run = runner or run_program

    # -- keyring's backend protocol ----------------------------------------------------------
    def get_password(self, service: str, username: str) -> str | None:
        path = self._path(username)
        blob = self._read(path)
        if blob is None:
            return None
        return decrypt(blob, _credential_name(username), runner=self._run, where=path).decode("utf-8")

    def set_password(self, service: str, username: str, password: str) -> None:
        from wizard.core.storage.atomic import atomic_write_bytes

        blob = encrypt(password.encode("utf-8"), _credential_name(username), runner=self._run)
        folder = self._ensure_folder()
        atomic_write_bytes(folder / (username + SUFFIX), blob, mode=0o600)

    def delete_password(self, service: str, username: str) -> None:
        from keyring.errors import PasswordDeleteError

        from wizard.core.storage.atomic import fsync_directory

        path = self._path(username)
        try:
            path.unlink()
        except FileNotFoundError:
            raise PasswordDeleteError("no such entry") from None
        except OSError as exc:
            raise RegisterServerError("state.write_failed", reason="delete_failed",
                                      detail=f"({path}: {exc.strerror})") from None
        fsync_directory(path.parent)

    # -- files -------------------------------------------------------------------------------
    def _path(self, username: str) -> Path:
        if not _NAME.fullmatch(username):
            raise ValueError("secret names of the systemd-creds store are letters, digits, '.', '_' and '-'")
        return self.folder / (username + SUFFIX)

    def _ensure_folder(self) -> Path:
        """The blob folder, created 0700 here; a symlink or a non-folder in its place is refused."""
        from wizard.core.storage.private import make_private_dir

        try:
            info = os.lstat(self.folder)
        except FileNotFoundError:
            make_private_dir(self.folder)
            info = os.lstat(self.folder)
        if not stat.S_ISDIR(info.st_mode):  # a symlink planted here would send the blobs elsewhere
            raise RegisterServerError("state.write_failed", reason="secrets_folder_not_a_folder",
                                      detail=f"({self.folder} is not a folder of its own; remove it and try again)")
        if stat.S_IMODE(info.st_mode) != 0o700:
            os.chmod(self.folder, 0o700, follow_symlinks=False)
        return self.folder

    def _read(self, path: Path) -> bytes | None:
        from wizard.core.storage.private import open_private

        try:
            folder = os.lstat(self.folder)
        except FileNotFoundError:
            return None
        if not stat.S_ISDIR(folder.st_mode):
            raise RegisterServerError("state.corrupt", reason="symlink",
                                      detail=f"({self.folder} is not a folder of its own)")
        try:
            fd = open_private(path, os.O_RDONLY)
        except FileNotFoundError:
            return None
        except OSError as exc:
            reason = "symlink" if exc.errno == errno.ELOOP else "unreadable"
            raise RegisterServerError("state.corrupt", reason=reason, detail=f"({path}: {exc.strerror})") from None
        with os.fdopen(fd, "rb") as stream:
            return stream.read()


def _credential_name(username: str) -> str:
    """The name sealed into the blob (systemd-creds refuses to decrypt it under another name)."""
    return f"register-server.{username}"


def encrypt(data: bytes, name: str, *, runner: Runner | None = None) -> bytes:
    """`data` sealed by systemd-creds under `name`; `data` travels on stdin only."""
    argv = [program(), "encrypt", f"--name={name}", *ENCRYPT_OPTIONS, "-", "-"]
    result = _call(runner or run_program, argv, data, "encrypt")
    if result.returncode != 0 or not result.stdout:
        raise RegisterServerError("secrets.unavailable", reason="systemd_creds_encrypt_failed",
                                  detail=f"(systemd-creds encrypt: {_first_line(result.stderr)})",
                                  advice=_encrypt_advice())
    return result.stdout


def decrypt(blob: bytes, name: str, *, runner: Runner | None = None, where: Path | None = None) -> bytes:
    """The plain value of `blob`; a blob this machine cannot open is `secrets.undecryptable`."""
    argv = [program(), "decrypt", f"--name={name}", "-", "-"]
    result = _call(runner or run_program, argv, blob, "decrypt")
    if result.returncode != 0:
        if _no_access(result.stderr):
            raise RegisterServerError("secrets.unavailable", reason="systemd_creds_no_access",
                                      detail=f"(systemd-creds decrypt: {_first_line(result.stderr)})",
                                      advice=_encrypt_advice())
        place = f"{where}: " if where is not None else ""
        raise RegisterServerError("secrets.undecryptable", reason="systemd_creds_decrypt_failed",
                                  detail=f"({place}{_first_line(result.stderr)})")
    return result.stdout


def probe(*, runner: Runner | None = None) -> None:
    """Seal and open a random value in memory (nothing written): the store works for this process."""
    import secrets as random

    value = random.token_bytes(24)
    if decrypt(encrypt(value, "register-server.probe", runner=runner), "register-server.probe",
               runner=runner) != value:
        raise RegisterServerError("secrets.unavailable", reason="round_trip",
                                  detail="(systemd-creds did not return what was sealed)", advice=_encrypt_advice())


def _call(runner: Runner, argv: list[str], data: bytes, what: str) -> "subprocess.CompletedProcess[bytes]":
    try:
        return runner(argv, data)
    except subprocess.TimeoutExpired:
        raise RegisterServerError("secrets.unavailable", reason="systemd_creds_timeout",
                                  detail=f"(systemd-creds {what} did not answer within {TIMEOUT:.0f} s)",
                                  advice=_encrypt_advice()) from None
    except OSError as exc:
        raise RegisterServerError("secrets.unavailable", reason="systemd_creds_not_started",
                                  detail=f"(systemd-creds {what}: {exc.strerror})", advice=_encrypt_advice()) from None


def _no_access(stderr: bytes) -> bool:
    text = stderr.decode("utf-8", "replace").lower()
    return "permission denied" in text or "operation not permitted" in text


def _encrypt_advice() -> str:
    return ("The systemd-creds store uses this machine's host key, which only root can read: run "
            "register-server as root (for example with sudo), or choose the keyring store. Secrets are never "
            "stored in plain text instead.")


def _first_line(stderr: bytes) -> str:
    """systemd-creds' own reason, without its warning about unencrypted media (it never echoes input)."""
    lines = [line.strip() for line in stderr.decode("utf-8", "replace").splitlines()
             if line.strip() and "not located on encrypted media" not in line]
    return (lines[0] if lines else "no reason given")[:200]
