"""What a page needs of the window that holds it: a small Protocol, not the concrete wizard.

Why: the wizard window imports its pages to build them; if the pages named the window's
class back (even for type checking only) the two modules would import each other. Pages
depend on this instead; `RegisterWizard` satisfies it.
"""

from __future__ import annotations

from typing import Any, Protocol

from wizard.core.model import RegistrationSettings


class WizardHost(Protocol):
    """The window a settings page lives in."""

    settings: RegistrationSettings
    home: Any

    def currentPage(self) -> Any: ...

    def next(self) -> None: ...
