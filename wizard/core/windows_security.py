"""Windows access control through the Win32 security API (ctypes), never through tool output.

Why not `whoami` + `icacls`: their output is localised, Wine's `whoami` prints no SID at
all, and running tools by name invites a planted `icacls.exe`. The API gives the SID of the
process token directly and applies a DACL in one call:

- the current user's SID: ``OpenProcessToken`` + ``GetTokenInformation(TokenUser)`` +
  ``ConvertSidToStringSidW``;
- the DACL is written as SDDL (``D:P(A;;FA;;;<sid>)...``: *P* = protected, nothing inherited
  from the folder; *FA* = full access) and applied with ``SetNamedSecurityInfoW`` with
  ``PROTECTED_DACL_SECURITY_INFORMATION``, so an existing file or folder ends up with exactly
  these entries.

The SDDL builders are pure (tested on every OS); the ctypes calls run on Windows only.
Failures raise `AclError`, an `OSError` the atomic writer reports as ``acl_not_applied``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

ADMINISTRATORS_SID = "S-1-5-32-544"
SYSTEM_SID = "S-1-5-18"
_SID = re.compile(r"^S-1-\d+(-\d+)*$")

# SetNamedSecurityInfoW arguments (AccCtrl.h / WinNT.h)
_SE_FILE_OBJECT = 1
_DACL_SECURITY_INFORMATION = 0x4
_PROTECTED_DACL_SECURITY_INFORMATION = 0x80000000
_TOKEN_QUERY = 0x0008
_TOKEN_USER = 1
_SDDL_REVISION_1 = 1


class AclError(OSError):
    """Windows refused to give a file or folder its access list (the message names the call)."""


def file_sddl(*sids: str) -> str:
    """A protected DACL granting full access to `sids` only, for one file."""
    return "D:P" + "".join(f"(A;;FA;;;{_checked(sid)})" for sid in sids)


def folder_sddl(*sids: str) -> str:
    """A protected DACL granting full access to `sids` on a folder and everything created in it
    (OI = files inherit, CI = subfolders inherit)."""
    return "D:P" + "".join(f"(A;OICI;FA;;;{_checked(sid)})" for sid in sids)


def owner_only_sids(user_sid: str) -> tuple[str, ...]:
    """Who may read a secret file: its user, the Administrators group and SYSTEM (backup service)."""
    return (user_sid, ADMINISTRATORS_SID, SYSTEM_SID)


def machine_only_sids() -> tuple[str, ...]:
    """Who may read machine-wide state: Administrators and SYSTEM, nobody else."""
    return (ADMINISTRATORS_SID, SYSTEM_SID)


def restrict_file_to_user(path: Path) -> None:  # pragma: no cover - Windows only
    """Leave only the current user, Administrators and SYSTEM on `path` (a file)."""
    apply_sddl(path, file_sddl(*owner_only_sids(current_user_sid())))


def restrict_folder_to_machine(path: Path) -> None:  # pragma: no cover - Windows only
    """Leave only Administrators and SYSTEM on the folder `path` and what it will hold."""
    apply_sddl(path, folder_sddl(*machine_only_sids()))


def current_user_sid() -> str:  # pragma: no cover - Windows only
    """The SID of the user this process runs as, from its access token."""
    import ctypes
    from ctypes import wintypes

    advapi32 = ctypes.WinDLL("advapi32", use_last_error=True)
    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
    kernel32.GetCurrentProcess.restype = wintypes.HANDLE
    advapi32.OpenProcessToken.argtypes = [wintypes.HANDLE, wintypes.DWORD, ctypes.POINTER(wintypes.HANDLE)]
    advapi32.GetTokenInformation.argtypes = [wintypes.HANDLE, ctypes.c_int, ctypes.c_void_p, wintypes.DWORD,
                                             ctypes.POINTER(wintypes.DWORD)]
    advapi32.ConvertSidToStringSidW.argtypes = [ctypes.c_void_p, ctypes.POINTER(wintypes.LPWSTR)]
    kernel32.LocalFree.argtypes = [ctypes.c_void_p]
    kernel32.CloseHandle.argtypes = [wintypes.HANDLE]

    token = wintypes.HANDLE()
    if not advapi32.OpenProcessToken(kernel32.GetCurrentProcess(), _TOKEN_QUERY, ctypes.byref(token)):
        raise AclError(ctypes.get_last_error(), "OpenProcessToken failed")
    try:
        size = wintypes.DWORD()
        advapi32.GetTokenInformation(token, _TOKEN_USER, None, 0, ctypes.byref(size))
        buffer = ctypes.create_string_buffer(size.value)
        if not advapi32.GetTokenInformation(token, _TOKEN_USER, buffer, size, ctypes.byref(size)):
            raise AclError(ctypes.get_last_error(), "GetTokenInformation(TokenUser) failed")
        sid_pointer = ctypes.cast(buffer, ctypes.POINTER(ctypes.c_void_p))[0]  # TOKEN_USER.User.Sid
        text = wintypes.LPWSTR()
        if not advapi32.ConvertSidToStringSidW(sid_pointer, ctypes.byref(text)):
            raise AclError(ctypes.get_last_error(), "ConvertSidToStringSidW failed")
        try:
            return str(text.value)
        finally:
            kernel32.LocalFree(text)
    finally:
        kernel32.CloseHandle(token)


def apply_sddl(path: Path, sddl: str) -> None:  # pragma: no cover - Windows only
    """Replace the DACL of `path` with the one `sddl` describes, inheriting nothing."""
    import ctypes
    from ctypes import wintypes

    advapi32 = ctypes.WinDLL("advapi32", use_last_error=True)
    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
    advapi32.ConvertStringSecurityDescriptorToSecurityDescriptorW.argtypes = [
        wintypes.LPCWSTR, wintypes.DWORD, ctypes.POINTER(ctypes.c_void_p), ctypes.POINTER(wintypes.ULONG)]
    advapi32.GetSecurityDescriptorDacl.argtypes = [ctypes.c_void_p, ctypes.POINTER(wintypes.BOOL),
                                                   ctypes.POINTER(ctypes.c_void_p), ctypes.POINTER(wintypes.BOOL)]
    advapi32.SetNamedSecurityInfoW.argtypes = [wintypes.LPWSTR, ctypes.c_int, wintypes.DWORD, ctypes.c_void_p,
                                               ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p]
    advapi32.SetNamedSecurityInfoW.restype = wintypes.DWORD
    kernel32.LocalFree.argtypes = [ctypes.c_void_p]

    descriptor = ctypes.c_void_p()
    if not advapi32.ConvertStringSecurityDescriptorToSecurityDescriptorW(sddl, _SDDL_REVISION_1,
                                                                         ctypes.byref(descriptor), None):
        raise AclError(ctypes.get_last_error(), "ConvertStringSecurityDescriptorToSecurityDescriptorW failed")
    try:
        present, defaulted = wintypes.BOOL(), wintypes.BOOL()
        dacl = ctypes.c_void_p()
        if not advapi32.GetSecurityDescriptorDacl(descriptor, ctypes.byref(present), ctypes.byref(dacl),
                                                  ctypes.byref(defaulted)) or not present:
            raise AclError(ctypes.get_last_error(), "GetSecurityDescriptorDacl failed")
        status = advapi32.SetNamedSecurityInfoW(
            os.fspath(path), _SE_FILE_OBJECT,
            _DACL_SECURITY_INFORMATION | _PROTECTED_DACL_SECURITY_INFORMATION, None, None, dacl, None)
        if status != 0:
            raise AclError(status, "SetNamedSecurityInfoW failed")
    finally:
        kernel32.LocalFree(descriptor)


def _checked(sid: str) -> str:
    if not _SID.match(sid):
        raise ValueError(f"not a SID: {sid!r}")
    return sid
