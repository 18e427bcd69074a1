"""The guide describes the wizard that exists: its fields, their labels, its window size, the README.

The step tables name each field by its label and by the widget's accessible name; when
a page renames or drops a field, these tests say which documented field is gone.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from wizard.core.flow import Step
from wizard.cli import build_parser
from wizard.docs import render_markdown
from wizard.docs.sample_data import SHOT_HEIGHT, SHOT_WIDTH
from wizard.docs.steps import STEP_TEXT

ROOT = Path(__file__).resolve().parents[2]


def _visible_texts(page: object) -> set[str]:
    """Every caption a user reads on `page`: labels, buttons, check boxes, group titles."""
    from PySide6.QtWidgets import QAbstractButton, QGroupBox, QLabel

    texts = set()
    for widget in page.findChildren(QLabel) + page.findChildren(QAbstractButton):  # type: ignore[attr-defined]
        texts.add(widget.text())
    for box in page.findChildren(QGroupBox):  # type: ignore[attr-defined]
        texts.add(box.title())
    return {t.replace("&", "").strip().rstrip(":.").strip() for t in texts if t}


@pytest.fixture
def wizard(qtbot: object, tmp_path: Path) -> object:
    from wizard.ui import create_wizard

    created = create_wizard(home=tmp_path / "state")
    qtbot.addWidget(created)  # type: ignore[attr-defined]
    return created


@pytest.mark.parametrize("step", [s for s in Step if STEP_TEXT[s].fields], ids=lambda s: s.name)
def test_every_documented_field_is_on_its_page(wizard: object, step: Step) -> None:
    from PySide6.QtWidgets import QWidget

    page = wizard.page(int(step))  # type: ignore[attr-defined]
    names = {w.objectName() for w in page.findChildren(QWidget)}
    texts = _visible_texts(page)
    missing = [f.key for f in STEP_TEXT[step].fields if f.key not in names]
    # "Work hours: Start" is the "Start" label in the "Work hours" row; a long check box text starts with the label.
    unlabelled = [f.label for f in STEP_TEXT[step].fields
                  if not any(t.startswith(f.label.split(": ")[-1].rstrip(".")) for t in texts)]
    assert (missing, unlabelled) == ([], [])


def test_screenshots_are_taken_at_the_wizards_own_size() -> None:
    from wizard.ui.wizard import DEFAULT_SIZE

    assert (SHOT_WIDTH, SHOT_HEIGHT) == (DEFAULT_SIZE.width(), DEFAULT_SIZE.height())


def test_the_quick_start_has_the_readme_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## The two commands", 1)[1].split("\n## ", 1)[0]
    rows = "\n".join(line for line in section.splitlines() if line.startswith("|"))
    commands = re.findall(r"`(scripts/[\w.-]+)`", rows)
    assert len(commands) == 2
    guide = render_markdown(build_parser())
    quick_start = guide.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    assert re.findall(r"`(scripts/[\w.-]+)`", quick_start) == commands
    assert "docs/register-server.md" in readme
