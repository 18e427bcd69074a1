"""Small Markdown helpers: tables and escaping, so every generated table looks the same."""

from __future__ import annotations

from typing import Iterable, Sequence


def cell(text: object) -> str:
    """Text safe inside a table cell: pipes escaped, line breaks folded."""
    parts = " ".join(str(text).split()).split("`")
    # Outside code spans "<" would start an HTML tag; inside them an entity would show literally.
    parts = [p if i % 2 else p.replace("<", "&lt;") for i, p in enumerate(parts)]
    return "`".join(parts).replace("|", "\\|")


def code(text: object) -> str:
    """Inline code; a backtick inside is handled with a longer fence."""
    value = str(text)
    fence = "``" if "`" in value else "`"
    pad = " " if value.startswith("`") or value.endswith("`") else ""
    return f"{fence}{pad}{value}{pad}{fence}"


def table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    lines = ["| " + " | ".join(cell(h) for h in headers) + " |",
             "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def anchor(title: str) -> str:
    """GitHub's heading anchor for `title` (lower case, spaces to hyphens, punctuation dropped)."""
    kept = "".join(ch for ch in title.lower() if ch.isalnum() or ch in " -_")
    return "#" + kept.replace(" ", "-")
