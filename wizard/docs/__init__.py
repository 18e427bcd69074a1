"""The documentation generator: `register-server docs --out DIR`.

Writes `register-server.md` (overview, prerequisites, the step-by-step walkthrough,
troubleshooting, answer-file, command-line and exit-code references) from the code's own
tables, and screenshots every wizard page and key error state by driving the real wizard
against a local vault. `generate(out, parser, screenshots=False)` is the text-only mode the docs
test uses to detect a stale committed guide.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class GenerationResult:
    markdown: Path
    images: list[Path] = field(default_factory=list)


def render_markdown(parser: argparse.ArgumentParser) -> str:
    """The guide's text, from the current code (no Qt, no clock); `parser` is the product's own."""
    from wizard.docs.walkthrough import render

    return render(parser)


def generate(out: Path, parser: argparse.ArgumentParser, *, screenshots: bool = True) -> GenerationResult:
    """Write the guide (and, unless text-only, its screenshots) into `out`."""
    from wizard.core.storage.atomic import atomic_write_text
    from wizard.docs.walkthrough import DOC_NAME

    out.mkdir(parents=True, exist_ok=True)
    result = GenerationResult(out / DOC_NAME)
    if screenshots:
        from wizard.docs.screenshots import capture_all

        result.images = capture_all(out)
    atomic_write_text(result.markdown, render_markdown(parser), mode=0o644)
    return result
