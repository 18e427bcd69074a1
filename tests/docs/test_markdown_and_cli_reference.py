"""The Markdown helpers and the argparse walker on small hand-made inputs."""

from __future__ import annotations

import argparse

from wizard.docs.cli_reference import cli_reference
from wizard.docs.markdown import anchor, cell, code, table


def test_cells_escape_pipes_and_tags_but_not_inside_code() -> None:
    assert cell("a | b\n c") == "a \\| b c"
    assert cell("default: <state dir>/x") == "default: &lt;state dir>/x"
    assert cell("`<dir>` or <dir>") == "`<dir>` or &lt;dir>"


def test_code_spans_hold_backticks() -> None:
    assert code("x") == "`x`"
    assert code("a`b") == "``a`b``"
    assert code("`a") == "`` `a ``"


def test_tables_and_anchors() -> None:
    assert table(("a", "b"), [(1, "x|y")]) == "| a | b |\n|---|---|\n| 1 | x\\|y |"
    assert anchor("Exit codes") == "#exit-codes"
    assert anchor("5. Encryption Setting") == "#5-encryption-setting"


def test_the_reference_walks_nested_subcommands_with_defaults_and_choices() -> None:
    parser = argparse.ArgumentParser(prog="tool", description="does things")
    parser.add_argument("--level", type=int, default=3, help="how much (default %(default)s)")
    subs = parser.add_subparsers(dest="command", metavar="COMMAND")
    outer = subs.add_parser("outer", help="the outer command")
    inner = outer.add_subparsers(dest="action", metavar="ACTION").add_parser("inner", help="the inner action")
    inner.add_argument("name")
    inner.add_argument("--mode", choices=("a", "b"), default="a")
    text = cli_reference(parser)
    assert "| `--level LEVEL` | how much (default 3) |" in text
    assert "### `tool`" in text and "#### `tool outer`" in text and "##### `tool outer inner`" in text
    assert "| `name` | — |" in text
    assert "| `--mode {a,b}` | default `a` |" in text
    assert "the inner action." in text.lower()
