"""The committed guide (docs/register-server.md + docs/images) is current and complete.

The text is regenerated in text-only mode (no Qt, no vault) and compared byte for byte:
when the catalogue, a limit, a command-line option or the answer-file format changes,
this fails with the diff and the command that regenerates the guide.
"""

from __future__ import annotations

import argparse
import difflib
import re
import struct
from pathlib import Path

import pytest

from tests.core.test_answers import SAMPLE
from wizard.cli import build_parser
from wizard.core.answers import parse_answers
from wizard.core.errors import CATALOGUE
from wizard.core.exit_codes import ExitCode
from wizard.docs import render_markdown
from wizard.docs.reference import UNDOCUMENTED, answer_keys
from wizard.docs.sample_data import (ALL_SHOTS, ERROR_SHOTS, HIGH_DPI_RATIO, PAGE_SHOTS, SAMPLE_ANSWER_FILE,
                                     SHOT_HEIGHT, SHOT_WIDTH)
from wizard.docs.walkthrough import DOC_NAME, REGENERATE, referenced_images

DOCS = Path(__file__).resolve().parents[2] / "docs"
COMMITTED = DOCS / DOC_NAME


@pytest.fixture(scope="module")
def generated() -> str:
    return render_markdown(build_parser())


@pytest.fixture(scope="module")
def committed() -> str:
    assert COMMITTED.is_file(), f"{COMMITTED} is missing; run `{REGENERATE}`"
    return COMMITTED.read_text(encoding="utf-8")


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk (the first chunk of every valid PNG)."""
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n" and head[12:16] == b"IHDR", f"{path.name} is not a PNG"
    return struct.unpack(">II", head[16:24])


def test_the_committed_guide_is_up_to_date(generated: str, committed: str) -> None:
    if generated != committed:
        diff = "".join(difflib.unified_diff(committed.splitlines(keepends=True), generated.splitlines(keepends=True),
                                            "docs/register-server.md (committed)", "generated now", n=1))
        pytest.fail(f"docs/register-server.md is out of date. Regenerate it with\n    {REGENERATE}\n"
                    f"(or `{REGENERATE} --text-only` when only text changed)\n\n{diff}")


def test_every_referenced_image_exists_at_its_size(committed: str) -> None:
    images = referenced_images(committed)
    expected = {f"images/{s.file}" for s in ALL_SHOTS} | {f"images/{s.file_2x}" for s in ALL_SHOTS}
    assert set(images) == expected
    wrong = {}
    for relative in images:
        path = DOCS / relative
        assert path.is_file(), f"{relative} is referenced but missing; run `{REGENERATE}`"
        ratio = HIGH_DPI_RATIO if relative.endswith("@2x.png") else 1
        size = png_size(path)
        if size != (SHOT_WIDTH * ratio, SHOT_HEIGHT * ratio):
            wrong[relative] = size
    assert wrong == {}


def test_no_image_lies_in_docs_unreferenced(committed: str) -> None:
    on_disk = {f"images/{p.name}" for p in (DOCS / "images").glob("*.png")}
    assert on_disk - set(referenced_images(committed)) == set()


def test_the_walkthrough_has_every_page_and_four_error_states() -> None:
    assert len(PAGE_SHOTS) >= 7 and len(ERROR_SHOTS) >= 4
    assert len({s.name for s in ALL_SHOTS}) == len(ALL_SHOTS)


def test_the_sample_answer_file_in_the_guide_parses(committed: str) -> None:
    blocks = re.findall(r"```toml\n(.*?)```", committed, flags=re.S)
    assert len(blocks) == 1
    answers = parse_answers(blocks[0])
    assert answers.settings.throttling.enabled and answers.settings.proxy.port == 3128
    # It is the format's public sample, word for word.
    assert blocks[0] == SAMPLE == SAMPLE_ANSWER_FILE


def test_every_answer_key_is_documented(generated: str) -> None:
    assert UNDOCUMENTED not in generated
    missing = [key for key in answer_keys() if f"| `{key}` |" not in generated]
    assert missing == []


def test_every_error_code_and_exit_code_is_in_the_guide(generated: str) -> None:
    rows = set(re.findall(r"^\| `([a-z_]+\.[a-z_]+)` \|", generated, flags=re.M))
    assert set(CATALOGUE) <= rows
    for code in ExitCode:
        assert f"| {code.value} | `{code.name}` | {code.meaning} |" in generated


def test_every_command_and_option_is_in_the_guide(generated: str) -> None:
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")  # noqa: SLF001
    for name, command in sub.choices.items():
        assert f"`register-server {name}`" in generated
        for action in command._actions:  # noqa: SLF001
            if action.help == argparse.SUPPRESS:  # internal (the screenshot run's child): not for users
                continue
            for option in action.option_strings:
                if option not in ("-h", "--help"):
                    assert f"`{option}" in generated or f", {option}" in generated, (name, option)


def test_internal_links_point_at_headings(generated: str) -> None:
    from wizard.docs.markdown import anchor

    anchors = {anchor(h.lstrip("#").strip()) for h in re.findall(r"^#+ .*$", generated, flags=re.M)}
    links = set(re.findall(r"\]\((#[^)]+)\)", generated))
    assert links and links <= anchors


def test_every_command_the_guide_mentions_exists(generated: str) -> None:
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")  # noqa: SLF001
    mentioned = set(re.findall(r"`register-server ([a-z][a-z-]+)", generated))
    assert mentioned - set(sub.choices) == set()
