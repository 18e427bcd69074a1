"""Machine-scope secrets for a per-machine Windows install: DPAPI-protected, in the state folder.

Why not Credential Manager: its entries belong to one user's profile, so another
administrator or the backup service running as SYSTEM would not find the registration's
secrets. DPAPI in machine scope (``CryptProtectData`` with ``CRYPTPROTECT_LOCAL_MACHINE``)
encrypts with a key of this machine that any local process can use, so what keeps other
users out is the folder: ``%ProgramData%\\register-server`` carries an ACL for
Administrators and SYSTEM only (`wizard.core.storage.state`). Threat model: a copy of the
file taken off the machine (backup, disk image, diagnostics) is useless without the
machine's DPAPI key; a local administrator can read it, as they could read any secret of
the machine anyway.

The class speaks keyring's backend protocol (get/set/delete_password), so `SecretStore`
uses it like any keyring. Protection is injectable so the file handling is tested on every
OS; the ctypes calls run on Windows only.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Callable

from wizard.core.storage.atomic import atomic_write_text

FILE = "secrets.dpapi.json"
FORMAT = "register-server dpapi machine secrets 1"
_ENTROPY = b"register-server machine secrets"
_CRYPTPROTECT_UI_FORBIDDEN = 0x1
_CRYPTPROTECT_LOCAL_MACHINE = 0x4

Transform = Callable[[bytes], bytes]


class DpapiMachineKeyring:
    """Secrets of the machine-wide registration, one JSON file of DPAPI blobs."""

    name = "DPAPI machine scope"

    def __init__(self, root: Path, *, protect: Transform | None = None, unprotect: Transform | None = None) -> None:
        self.path = Path(root) / FILE
        self._protect = protect or protect_machine
        self._unprotect = unprotect or unprotect_machine

    def get_password(self, service: str, username: str) -> str | None:
        blob = self._entries().get(_key(service, username))
        if blob is None:
            return None
        return self._unprotect(base64.b64decode(blob)).decode("utf-8")

    def set_password(self, service: str, username: str, password: str) -> None:
        entries = self._entries()
        entries[_key(service, username)] = base64.b64encode(self._protect(password.encode("utf-8"))).decode("ascii")
        self._save(entries)

    def delete_password(self, service: str, username: str) -> None:
        from keyring.errors import PasswordDeleteError

        entries = self._entries()
        if entries.pop(_key(service, username), None) is None:
            raise PasswordDeleteError("no such entry")
        self._save(entries)

    def _entries(self) -> dict[str, str]:
        try:
            document = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        if not isinstance(document, dict) or document.get("format") != FORMAT:
            raise ValueError(f"{self.path.name} is not a machine secrets file")
        return dict(document.get("entries", {}))

    def _save(self, entries: dict[str, str]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(self.path, json.dumps({"format": FORMAT, "entries": entries}, indent=2, sort_keys=True),
                          mode=0o600)


def _key(service: str, username: str) -> str:
    return f"{service}\n{username}"


def protect_machine(data: bytes) -> bytes:  # pragma: no cover - Windows only
    """CryptProtectData in machine scope."""
    return _crypt("CryptProtectData", data)


def unprotect_machine(data: bytes) -> bytes:  # pragma: no cover - Windows only
    return _crypt("CryptUnprotectData", data)


def _crypt(function: str, data: bytes) -> bytes:  # pragma: no cover - Windows only
    import ctypes
    from ctypes import wintypes

    class Blob(ctypes.Structure):
        _fields_ = [("cbData", wintypes.DWORD), ("pbData", ctypes.POINTER(ctypes.c_char))]

    def blob(raw: bytes) -> Blob:
        buffer = ctypes.create_string_buffer(raw, len(raw))
        return Blob(len(raw), ctypes.cast(buffer, ctypes.POINTER(ctypes.c_char)))

    crypt32 = ctypes.WinDLL("crypt32", use_last_error=True)
    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
    kernel32.LocalFree.argtypes = [ctypes.c_void_p]
    source, entropy, out = blob(data), blob(_ENTROPY), Blob()
    flags = _CRYPTPROTECT_UI_FORBIDDEN | _CRYPTPROTECT_LOCAL_MACHINE
    if function == "CryptProtectData":
        ok = crypt32.CryptProtectData(ctypes.byref(source), None, ctypes.byref(entropy), None, None, flags,
                                      ctypes.byref(out))
    else:
        ok = crypt32.CryptUnprotectData(ctypes.byref(source), None, ctypes.byref(entropy), None, None, flags,
                                        ctypes.byref(out))
    if not ok:
        raise OSError(ctypes.get_last_error(), f"{function} failed")
    try:
        return ctypes.string_at(out.pbData, out.cbData)
    finally:
        kernel32.LocalFree(out.pbData)
