"""The Windows ACLs the product applies, as SDDL (the ctypes calls themselves run under Wine)."""

from __future__ import annotations

import pathlib

import pytest

from wizard.core.windows_security import file_sddl, folder_sddl, machine_only_sids, owner_only_sids

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_secret_file_acl_is_protected_and_names_only_user_admins_and_system() -> None:
    assert file_sddl(*owner_only_sids("S-1-5-21-1-2-3-1001")) == \
        "D:P(A;;FA;;;S-1-5-21-1-2-3-1001)(A;;FA;;;S-1-5-32-544)(A;;FA;;;S-1-5-18)"


def test_machine_state_folder_acl_is_inherited_by_its_files_and_has_no_user() -> None:
    assert folder_sddl(*machine_only_sids()) == "D:P(A;OICI;FA;;;S-1-5-32-544)(A;OICI;FA;;;S-1-5-18)"


@pytest.mark.parametrize("bad", ["", "alice", "S-1-5-21-1)(A;;FA;;;WD", "S-1-"])
def test_anything_but_a_sid_is_refused(bad: str) -> None:
    """A SID from anywhere else must never smuggle an extra entry (Everyone) into the SDDL."""
    with pytest.raises(ValueError):
        file_sddl(bad)


def test_no_module_runs_whoami_or_icacls() -> None:
    """Their output is localised and Wine's whoami prints no SID: the Win32 API is used instead."""
    offenders = [str(p.relative_to(ROOT)) for p in (ROOT / "wizard").rglob("*.py")
                 if any(tool in p.read_text() for tool in ('"whoami', '"icacls', "'whoami", "'icacls"))]
    assert offenders == []
