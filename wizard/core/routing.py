"""Which wizard step can fix a problem: the "Go to ..." button, the guide's column.

Its own module because it reads both the flow (the steps) and the error catalogue, which
itself names steps in its `fixed_on` column: flow <- errors <- routing, no cycle.
"""

from __future__ import annotations

from wizard.core.errors import CATALOGUE
from wizard.core.fields import SECTIONS
from wizard.core.flow import Step


def step_for(code_or_field: str) -> Step | None:
    """The step whose page can fix an error code (`proxy.auth_required`) or field (`proxy.port`).

    A code is routed by its catalogue entry's `fixed_on` column (`machine.*` codes, a clock
    or the vault's own refusals have no page: None); a field by the section its page edits
    (`wizard.core.fields.SECTIONS`).
    """
    if code_or_field in CATALOGUE:
        return CATALOGUE[code_or_field].fixed_on
    return SECTIONS.get(code_or_field.split(".", 1)[0])
