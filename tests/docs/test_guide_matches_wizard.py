"""The guide describes the wizard that exists: its fields, their labels, its window size, the README.

The step tables name each field by its key (the widget's objectName) and take its label from
the field registry (`wizard.core.fields.LABELS`), which the pages read too; when a page drops
a field or shows a caption the registry does not hold, these tests say which.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from wizard.core.fields import LABELS, plain_label, without_mnemonic
from wizard.core.flow import Step
from wizard.cli import build_parser
from wizard.docs import render_markdown
from wizard.docs.sample_data import SHOT_HEIGHT, SHOT_WIDTH
from wizard.docs.steps import STEP_TEXT

ROOT = Path(__file__).resolve().parents[2]


def _visible_texts(page: object) -> set[str]:
    """Every caption a user reads on `page`: labels, buttons, check boxes, group titles, a list's choices."""
    from PySide6.QtWidgets import QAbstractButton, QComboBox, QGroupBox, QLabel

    texts = set()
    for widget in page.findChildren(QLabel) + page.findChildren(QAbstractButton):  # type: ignore[attr-defined]
        texts.add(widget.text())
    for combo in page.findChildren(QComboBox):  # type: ignore[attr-defined]
        texts |= {combo.itemText(i) for i in range(combo.count())}
    for box in page.findChildren(QGroupBox):  # type: ignore[attr-defined]
        texts.add(box.title())
    return {without_mnemonic(t) for t in texts if t}


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
    # The guide's "Work hours: Start" is the "Start" caption in the "Work hours" row: both on the page.
    unlabelled = [f.key for f in STEP_TEXT[step].fields
                  if not {plain_label(f.key), *([plain_label(f.within)] if f.within else [])} <= texts]
    assert (missing, unlabelled) == ([], [])


def test_every_registered_label_is_shown_by_a_page(wizard: object) -> None:
    """A row of `LABELS` no page shows is a label declared for nothing (or a page that stopped
    reading the registry and spells its own)."""
    wizard.build_all_pages()  # type: ignore[attr-defined]
    shown: set[str] = set()
    for step in Step:
        shown |= _visible_texts(wizard.page(int(step)))  # type: ignore[attr-defined]
    assert [row.key for row in LABELS if plain_label(row.key) not in shown] == []


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
