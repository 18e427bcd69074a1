"""Every problem of an answer file in one run, each with its line.

Why one pass: a fleet operator fixes a file and reruns; problems that surface in rounds
(the file's shape, then its secrets, then the rules, then the disk) cost a rerun each across
hundreds of servers. So the reading goes on past a problem with what could be read, each
stage skips a field an earlier one already refused (one problem per field, the first found),
and every issue carries the line of the key it is about when the file has that key.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Mapping

from wizard.core.answers import Answers, InvalidAnswers, SecretPrompt, line_of_field, load_answers, resolve_answers
from wizard.core.issues import Issue
from wizard.core.model import RegistrationSettings
from wizard.core.validators import check_settings_on_disk, validate_settings

_HAS_LINE = re.compile(r"\(line \d+\)")


def load_checked_settings(path: str | Path, *, environ: Mapping[str, str], state_root: Path | None = None,
                          prompt: SecretPrompt | None = None) -> RegistrationSettings:
    """The answer file's settings, secrets fetched and every check passed; else `InvalidAnswers` with all."""
    problems: list[Issue] = []
    try:
        answers: Answers = load_answers(path)
    except InvalidAnswers as error:
        if error.answers is None:  # not TOML at all: nothing more can be read
            raise
        problems += error.issues
        answers = error.answers
    settings = resolve_answers(answers, environ=environ, state_root=state_root, prompt=prompt, problems=problems)
    problems += _new_fields(problems, [i for i in validate_settings(settings) if i.blocking])
    problems += _new_fields(problems, [i for i in check_settings_on_disk(settings) if i.blocking])
    if problems:
        text = _text_of(answers.path)
        raise InvalidAnswers([_with_line(i, text) for i in problems], answers=answers)
    return settings


def _new_fields(known: list[Issue], found: list[Issue]) -> list[Issue]:
    refused = {i.field for i in known}
    return [i for i in found if i.field not in refused]


def _text_of(path: Path | None) -> str:
    try:
        return path.read_text(encoding="utf-8-sig") if path is not None else ""
    except (OSError, UnicodeDecodeError):
        return ""


def _with_line(found: Issue, text: str) -> Issue:
    if _HAS_LINE.search(found.message):
        return found
    line = line_of_field(text, found.field)
    return replace(found, message=f"{found.message.rstrip('.')} (line {line}).") if line else found
