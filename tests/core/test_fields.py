"""The field table is the one list of answer-file keys: the reader, the routing and the guide read it."""

from __future__ import annotations

import pytest

from wizard.core.answers import InvalidAnswers, parse_answers
from wizard.core.fields import FIELDS, SECTIONS
from wizard.core.flow import Step
from wizard.core.routing import step_for
from wizard.docs.reference import answer_file_reference

_VALUE_OF_TYPE = {str: '"x"', int: "1", bool: "true", list: "[]"}


def _codes_of(text: str) -> list[tuple[str, str]]:
    try:
        parse_answers(text)
    except InvalidAnswers as error:
        return [(i.field, i.code) for i in error.issues]
    return []


def test_the_reader_knows_every_field_of_the_table() -> None:
    for section in SECTIONS:
        rows = [f"{f.name} = {_VALUE_OF_TYPE[f.types[0]]}" for f in FIELDS if f.section == section]
        text = f"[{section}]\n" + "\n".join(rows) + "\n"
        refused = [(field, code) for field, code in _codes_of(text)
                   if code in ("answers.unknown_key", "answers.unknown_section")]
        assert not refused, (section, refused)


@pytest.mark.parametrize("text, field", [("[proxy]\nport_number = 3128\n", "proxy.port_number"),
                                         ("[throttling]\nwork_days = \"monday\"\n", "throttling.work_days")])
def test_a_key_outside_the_table_or_of_another_type_is_refused_with_its_field(text: str, field: str) -> None:
    assert field in [f for f, code in _codes_of(text) if code in ("answers.unknown_key", "answers.wrong_type")]


def test_a_fields_problem_is_routed_to_the_page_of_its_section() -> None:
    assert step_for("throttling.work_days") is Step.THROTTLING
    assert step_for("security.pin_env") is None  # no page edits a PIN: it is typed when a change asks
    for f in FIELDS:
        assert step_for(f.key) is f.step


def test_the_guide_describes_every_field_with_the_tables_text() -> None:
    reference = answer_file_reference()
    for f in FIELDS:
        assert f"| `{f.key}` |" in reference and f.doc.split("`")[0].strip()[:30] in reference, f.key
