"""The Qt face: the QWizard, one module per page, small reusable widgets.

Pages load from and apply to the core model (`wizard.core.model`); every rule comes
from the core validators. Nothing here holds business logic.

`create_wizard(answers=None, *, home=None)` is the one entry point (imported lazily, so
`import wizard.ui` stays cheap).
"""

from __future__ import annotations

from typing import Any


def create_wizard(answers: Any = None, *, home: Any = None, settings: Any = None, lazy: bool = False,
                  check_secret_store: bool = True) -> Any:
    from wizard.ui.wizard import create_wizard as _create

    return _create(answers, home=home, settings=settings, lazy=lazy, check_secret_store=check_secret_store)


__all__ = ["create_wizard"]
