"""Which step follows which, and which step can fix a given problem.

The Qt wizard's `nextId()` and its "go back to fix this" button both ask this table, so
the order lives once (DPM's order).
"""

from __future__ import annotations

from enum import IntEnum


class Step(IntEnum):
    PROXY = 0
    VAULT = 1
    THROTTLING = 2
    RECOVERY = 3
    ENCRYPTION = 4
    REGISTER = 5
    SUMMARY = 6


TITLES: dict[Step, str] = {
    Step.PROXY: "Proxy Configuration",
    Step.VAULT: "Backup Vault",
    Step.THROTTLING: "Throttling Setting",
    Step.RECOVERY: "Recovery Folder Setting",
    Step.ENCRYPTION: "Encryption Setting",
    Step.REGISTER: "Register",
    Step.SUMMARY: "Summary",
}

ORDER: tuple[Step, ...] = tuple(Step)

# The answer-file section each step's page edits (fields are named `section.key`).
_SECTION_STEP: dict[str, Step] = {
    "proxy": Step.PROXY,
    "vault": Step.VAULT,
    "throttling": Step.THROTTLING,
    "recovery": Step.RECOVERY,
    "encryption": Step.ENCRYPTION,
}


def next_step(step: Step) -> Step | None:
    """The step after `step`, or None after the last one."""
    index = ORDER.index(step)
    return ORDER[index + 1] if index + 1 < len(ORDER) else None


def step_for(code_or_field: str) -> Step | None:
    """The step whose page can fix an error code (`proxy.auth_required`) or field (`proxy.port`).

    A code is routed by its catalogue entry's `fixed_on` column (`machine.*` codes, a clock
    or the vault's own refusals have no page: None); a field by the section its page edits.
    """
    from wizard.core.errors import CATALOGUE

    if code_or_field in CATALOGUE:
        return CATALOGUE[code_or_field].fixed_on
    return _SECTION_STEP.get(code_or_field.split(".", 1)[0])
