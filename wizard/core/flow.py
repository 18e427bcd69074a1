"""Which step follows which (DPM's order), and the steps' titles.

The Qt wizard's `nextId()`, the side panel and the guide ask this table, so the order
lives once. Which step fixes a problem is `wizard.core.routing.step_for`.
"""

from __future__ import annotations

from enum import IntEnum

from wizard.core.i18n import N_, gettext


class Step(IntEnum):
    PROXY = 0
    VAULT = 1
    THROTTLING = 2
    RECOVERY = 3
    ENCRYPTION = 4
    REGISTER = 5
    SUMMARY = 6


TITLES: dict[Step, str] = {
    Step.PROXY: N_("Proxy Configuration"),
    Step.VAULT: N_("Backup Vault"),
    Step.THROTTLING: N_("Throttling Setting"),
    Step.RECOVERY: N_("Recovery Folder Setting"),
    Step.ENCRYPTION: N_("Encryption Setting"),
    Step.REGISTER: N_("Register"),
    Step.SUMMARY: N_("Summary"),
}

ORDER: tuple[Step, ...] = tuple(Step)


def title(step: Step, language: str | None = None) -> str:
    """The step's title in `language` (default: the active one); `TITLES` keeps the English."""
    return gettext(TITLES[step], language)


def step_heading(step: Step, language: str | None = None) -> str:
    """"Step 2 of 7: Backup Vault": where a page is, for the side panel and assistive technology."""
    return gettext("Step {number} of {count}: {title}", language).format(
        number=ORDER.index(step) + 1, count=len(ORDER), title=title(step, language))

def next_step(step: Step) -> Step | None:
    """The step after `step`, or None after the last one."""
    index = ORDER.index(step)
    return ORDER[index + 1] if index + 1 < len(ORDER) else None
