"""Properties of reading score messages, for any message the generator can make:

- every value in a preview is traceable to exactly one token of the message, and that
  token reads as the stored value for the student the line named;
- a message with a line that can be read two ways, or whose number and name disagree,
  is never previewed (so one tap on Xác nhận can never write it).
"""

import json
from dataclasses import dataclass

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlmodel import Session, select

from models import PendingAction
from services.school import roster
from services.score_values import parse_score
from tests.conversation_helpers import linked_phone
from tests.helpers import class_named, subject, teacher

HEADERS = ["6A1 Toán TX1", "lop 6a1 toan tx1", "Toán 6A1 TX1 HK1", "6A1 - Toán - TX1"]
GOOD_VALUES = ["8", "7,5", "10", "0", "9.5", "6,0"]
TWO_READINGS = ["8, 5", "8 ,5", "8 5", "7 9"]


@dataclass(frozen=True)
class Line:
    text: str
    roll: int | None  # the student meant (None: a line that must be refused)
    value: str | None  # None: "v", the student missed the test
    bad: bool  # two readings, or number and name disagree


@st.composite
def lines(draw, names: dict[int, str]) -> Line:
    roll = draw(st.integers(1, len(names)))
    kind = draw(st.sampled_from(["roll", "name", "both", "tab", "absent"] * 4 +
                                ["mismatch", "ambiguous", "range"]))
    value = draw(st.sampled_from(GOOD_VALUES))
    if kind == "roll":
        return Line(f"{roll} {value}", roll, value, False)
    if kind == "name":
        return Line(f"{names[roll]} {value}", roll, value, False)
    if kind == "both":
        return Line(f"{roll}. {names[roll]} {value}", roll, value, False)
    if kind == "tab":
        return Line(f"{roll}\t{names[roll]}\t{value}", roll, value, False)
    if kind == "absent":
        return Line(f"{roll} {draw(st.sampled_from(['v', 'vắng']))}", roll, None, False)
    if kind == "mismatch":
        other = roll % len(names) + 1
        return Line(f"{roll}. {names[other]} {value}", None, None, True)
    if kind == "range":
        return Line(f"{roll}-{roll + 2} {value}", None, None, True)
    return Line(f"{roll} {draw(st.sampled_from(TWO_READINGS))}", None, None, True)


def _tokens(message: str, line_no: int) -> list[str]:
    raw = [line for line in message.strip().splitlines() if line.strip()][line_no]
    if line_no == 0:
        return raw.rpartition(":")[2].split()
    return [c.strip() for c in raw.split("\t")] if "\t" in raw else raw.split()


_phones: dict = {}


def _phone(engine, clock, school, teacher_id):
    key = (id(engine), teacher_id)
    if key not in _phones:
        _phones[key] = linked_phone(engine, clock, school, teacher_id, f"prop{len(_phones)}")
    return _phones[key]


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_every_value_traces_to_one_token_and_two_readings_are_never_written(db, school, clock,
                                                                            data):
    engine, _ = db
    with Session(engine, expire_on_commit=False) as session:
        cls, math = class_named(session, "6A1"), subject(session, "TOAN")
        teacher_id = teacher(school, cls.id, math.id)
        class_roster = roster(session, cls.id)
    names = {line.roll_number: line.student.full_name for line in class_roster}
    ids = {line.roll_number: line.student.id for line in class_roster}
    body = data.draw(st.lists(lines(names), min_size=1, max_size=6))
    header = data.draw(st.sampled_from(HEADERS))
    message = header + "\n" + "\n".join(line.text for line in body)
    phone = _phone(engine, clock, school, teacher_id)
    replies = phone.say(message)
    token = next((b.data[3:] for r in replies for row in r.button_rows() for b in row
                  if b.data.startswith("ok:")), None)
    rolls = [line.roll for line in body if line.roll is not None]
    if any(line.bad for line in body) or len(rolls) != len(set(rolls)):
        event("refused: two readings, a mismatch or a student twice")
        assert token is None, (message, [r.text for r in replies])
        return
    if all(line.value is None for line in body):
        assert token is None
        return
    event("previewed")
    assert token is not None, (message, [r.text for r in replies])
    with Session(engine) as check:
        action = check.exec(select(PendingAction).where(PendingAction.token == token)).one()
        payload = json.loads(action.payload)
    phone.press_data(f"no:{token}")
    expected = {str(ids[line.roll]): line.value for line in body if line.value is not None}
    assert set(payload["values"]) == set(expected)
    used = set()
    for student_id, stored in payload["values"].items():
        line_no, index, text = payload["sources"][student_id]
        assert _tokens(message, line_no)[index] == text  # the token is in the message
        assert (line_no, index) not in used  # and no token feeds two cells
        used.add((line_no, index))
        assert parse_score(text, "scored") == parse_score(stored, "scored")
        assert parse_score(stored, "scored") == parse_score(expected[student_id], "scored")
