"""What a page needs of the window that holds it: a small Protocol, not the concrete wizard.

Why: the wizard window imports its pages to build them; if the pages named the window's
class back (even for type checking only) the two modules would import each other. Pages
depend on this instead; `RegisterWizard` satisfies it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from wizard.core.model import RegistrationSettings

if TYPE_CHECKING:
    from wizard.core.registration.record import RegistrationRecord


class WizardHost(Protocol):
    """The window a settings page lives in."""

    settings: RegistrationSettings
    home: Any
    # The registration on this machine (None when not registered) and what the person is doing:
    # "view" (the registered view), "change" (Change settings), "again" (Register again), "first".
    record: "RegistrationRecord | None"
    mode: str
    saved_settings: RegistrationSettings

    def currentPage(self) -> Any: ...

    def next(self) -> None: ...

    def windowTitle(self) -> str: ...

    def next_id_after(self, step: Any) -> int: ...

    def store_root(self) -> Path: ...

    def begin(self, mode: str, settings: RegistrationSettings) -> None: ...

    def settings_saved(self, settings: RegistrationSettings) -> None: ...

    def forget_registration(self) -> None: ...
