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

# The answer-file section / code prefix each step owns.
_PREFIX_STEP: dict[str, Step] = {
    "machine": Step.PROXY,
    "proxy": Step.PROXY,
    "network": Step.PROXY,
    "tls": Step.VAULT,
    "vault": Step.VAULT,
    "credentials": Step.VAULT,
    "auth": Step.VAULT,
    "throttling": Step.THROTTLING,
    "recovery": Step.RECOVERY,
    "encryption": Step.ENCRYPTION,
    "passphrase": Step.ENCRYPTION,
}


def next_step(step: Step) -> Step | None:
    """The step after `step`, or None after the last one."""
    index = ORDER.index(step)
    return ORDER[index + 1] if index + 1 < len(ORDER) else None


def step_for(code_or_field: str) -> Step | None:
    """The step whose page can fix an error code (`proxy.auth_required`) or field (`proxy.port`).

    `vault.full`, `vault.not_found` and `vault.wrong_vault` point to the Backup Vault
    step (choose another vault's file); codes no page can fix return None.
    """
    prefix = code_or_field.split(".", 1)[0]
    return _PREFIX_STEP.get(prefix)
