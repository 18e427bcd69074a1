"""Fixtures for the wizard's tests: the application style, a shown wizard, no modal dialogs.

Every test here fails on a Qt warning (qutebrowser's habit): a warning is a bug we have
not looked at yet.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

from tests.ui.helpers import install_dialog_stubs


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.qt_log_level_fail("WARNING"))
            item.add_marker(pytest.mark.qt_log_ignore(r"^This plugin does not support propagateSizeHints"))


@pytest.fixture
def dialogs(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Replaces every dialog function; tests set `dialogs.answers[...]`."""
    return install_dialog_stubs(monkeypatch)


@pytest.fixture
def make_wizard(qtbot: Any, dialogs: Any, tmp_path: Path) -> Iterator[Callable[..., Any]]:
    from wizard.ui.app import application
    from wizard.ui.wizard import create_wizard

    application()
    made: list[Any] = []

    def make(**kwargs: Any) -> Any:
        kwargs.setdefault("home", str(tmp_path / "home"))
        wizard = create_wizard(**kwargs)
        qtbot.addWidget(wizard)
        wizard.show()
        qtbot.waitExposed(wizard)
        made.append(wizard)
        return wizard

    yield make
    from wizard.ui.worker import Task

    Task.wait_all(10_000)
