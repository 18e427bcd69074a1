"""Which step follows which (DPM's order), and the steps' titles.

The Qt wizard's `nextId()`, the side panel and the guide ask this table, so the order
lives once. Which step fixes a problem is `wizard.core.routing.step_for`.
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

def next_step(step: Step) -> Step | None:
    """The step after `step`, or None after the last one."""
    index = ORDER.index(step)
    return ORDER[index + 1] if index + 1 < len(ORDER) else None
