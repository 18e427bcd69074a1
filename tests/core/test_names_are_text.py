"""A machine name with a trailing newline, whitespace or control/format characters is refused
(the client's validator and procedure); full-string matches, never `$`."""

from __future__ import annotations

import re

import pytest

from wizard.core.model import MachineSettings
from wizard.core.registration import wire
from wizard.core.validators import validate_machine

BAD_NAMES = ["server01\n", "server01 ", " server01", "server\t01", "server\u202e10", "server\u200b01",
             "server01\u2028", "server01\x00"]


@pytest.mark.parametrize("name", BAD_NAMES)
def test_the_client_refuses_names_that_are_not_plain_text(name: str) -> None:
    assert [i.code for i in validate_machine(MachineSettings(name))] == ["machine.name_invalid"]


@pytest.mark.parametrize("name", BAD_NAMES)
def test_the_shared_pattern_refuses_them_in_full(name: str) -> None:
    assert re.fullmatch(wire.MACHINE_NAME_PATTERN, name) is None
    assert re.fullmatch(wire.MACHINE_NAME_PATTERN, "server01")
