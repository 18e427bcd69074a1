"""The command-line reference, generated from the real argparse parser.

`wizard.commands.parser.build_parser()` discovers every subcommand module, so the reference lists
whatever commands exist when the docs are generated, with their own help texts: a new
option appears in the docs the next time they are regenerated, and the docs test fails
until they are. Usage lines are formatted at a fixed width so the text never depends
on the terminal the generator ran in.
"""

from __future__ import annotations

import argparse
from typing import Iterator

from wizard.docs.markdown import code, table

USAGE_WIDTH = 100


def _usage(parser: argparse.ArgumentParser) -> str:
    formatter = argparse.HelpFormatter(parser.prog, width=USAGE_WIDTH)
    formatter.add_usage(parser.usage, parser._actions, parser._mutually_exclusive_groups)  # noqa: SLF001
    return formatter.format_help().strip()


def _help(action: argparse.Action, prog: str) -> str:
    text = action.help or ""
    if "%" in text:
        params = {**vars(action), "prog": prog}
        try:
            text = text % params
        except (KeyError, TypeError, ValueError):
            pass
    return text


def _metavar(action: argparse.Action) -> str:
    """Like argparse's own help: the metavar, else the choices in braces, else DEST."""
    if action.metavar:
        return str(action.metavar)
    if action.choices is not None:
        return "{" + ",".join(str(c) for c in action.choices) + "}"
    return action.dest.upper()


def _option_name(action: argparse.Action) -> str:
    if action.option_strings:
        names = ", ".join(action.option_strings)
        if action.nargs == 0:
            return names
        return f"{names} {_metavar(action)}"
    return str(action.metavar or action.dest)


def _details(action: argparse.Action) -> str:
    notes = []
    if action.required and action.option_strings:
        notes.append("required")
    default = action.default
    if (action.option_strings and action.nargs != 0 and default not in (None, argparse.SUPPRESS)
            and "default" not in (action.help or "")):
        notes.append(f"default {code(default)}")
    return "; ".join(notes)


def _options_table(parser: argparse.ArgumentParser) -> str | None:
    rows = []
    for action in parser._actions:  # noqa: SLF001
        if isinstance(action, (argparse._HelpAction, argparse._SubParsersAction)):  # noqa: SLF001
            continue
        if action.help == argparse.SUPPRESS:
            continue
        help_text = _help(action, parser.prog)
        details = _details(action)
        meaning = f"{help_text} ({details})" if help_text and details else help_text or details or "—"
        rows.append((code(_option_name(action)), meaning))
    return table(("argument", "meaning"), rows) if rows else None


def _subparsers(parser: argparse.ArgumentParser) -> Iterator[tuple[str, str, argparse.ArgumentParser]]:
    for action in parser._actions:  # noqa: SLF001
        if isinstance(action, argparse._SubParsersAction):  # noqa: SLF001
            helps = {choice.dest: choice.help or "" for choice in action._choices_actions}  # noqa: SLF001
            for name, sub in action.choices.items():
                yield name, helps.get(name, ""), sub


def _section(parser: argparse.ArgumentParser, level: int, title: str, summary: str) -> list[str]:
    out = [f"{'#' * level} {title}", ""]
    if summary:
        out += [summary[0].upper() + summary[1:] + ("" if summary.endswith(".") else "."), ""]
    out += ["```text", _usage(parser), "```", ""]
    options = _options_table(parser)
    if options:
        out += [options, ""]
    for name, help_text, sub in _subparsers(parser):
        if level >= 5:  # Markdown headings stop at six levels; nothing nests deeper today
            continue
        out += _section(sub, level + 1, code(f"{sub.prog}"), help_text)
    return out


def cli_reference(parser: argparse.ArgumentParser, *, level: int = 2) -> str:
    """The reference of `parser` and every subcommand (and their actions), as Markdown."""
    intro = [f"{'#' * level} Command-line reference", "",
             "Generated from the command's own argument parser. `register-server COMMAND --help` prints the "
             "same text. Secrets (passphrase, proxy password) are never taken as arguments: an answer file "
             "names where they come from.", ""]
    body = _section(parser, level + 1, code(parser.prog), parser.description or "")
    return "\n".join(intro + body).rstrip() + "\n"
