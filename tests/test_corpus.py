"""The phrasing corpus (tests/corpus/messages.jsonl): messages as teachers type them on
their phones, each with what the bot must make of it — a preview with exactly these
cells, or a problem naming what is wrong, or a reply. Run through the transport-free
entry point on both backends.

A preview that differs from the expected one, or a preview where a problem was expected,
is a silent wrong write waiting for one tap on Xác nhận: there must be none. At least
95 % of the corpus must be right the first time.
"""

import json
import unicodedata
from datetime import datetime
from pathlib import Path

from sqlmodel import Session, select

from core.clock import VN_TZ
from core.text import fold
from models import PendingAction, SchoolClass, Subject, Term
from services.school import roster
from services.score_values import parse_score
from tests.conversation_helpers import linked_phone
from tests.helpers import class_named, subject, teacher

CORPUS = Path(__file__).parent / "corpus" / "messages.jsonl"
SUBJECT_TEACHERS = ("TOAN", "NN", "LSDL", "KHTN", "TIN", "CN", "VAN", "GDCD", "GDTC", "NT")


def load_corpus() -> list[dict]:
    return [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines()
            if line.strip()]


def _fill(text: str, names: dict[int, str]) -> str:
    """{name:N}, {plain:N} (no diacritics), {nfd:N}, {last:N}, {upper:N} of roll N."""
    for roll, name in names.items():
        text = (text.replace(f"{{name:{roll}}}", name)
                .replace(f"{{plain:{roll}}}", fold(name))
                .replace(f"{{nfd:{roll}}}", unicodedata.normalize("NFD", name))
                .replace(f"{{last:{roll}}}", name.split()[-1])
                .replace(f"{{upper:{roll}}}", name.upper()))
    return text


def _phones(engine, session, school, clock) -> dict:
    cls = class_named(session, "6A1")
    people = {code: teacher(school, cls.id, subject(session, code).id)
              for code in SUBJECT_TEACHERS}
    people |= {"GVCN": school.homeroom[cls.id], "HT": school.principal_id}
    phones: dict[int, object] = {}
    for staff_id in dict.fromkeys(people.values()):  # one phone per person (GVCN teaches too)
        phones[staff_id] = linked_phone(engine, clock, school, staff_id, f"corpus-{staff_id}")
    return {key: phones[staff_id] for key, staff_id in people.items()}


def _payload(session, replies) -> PendingAction | None:
    token = next((b.data[3:] for r in replies for row in r.button_rows() for b in row
                  if b.data.startswith("ok:")), None)
    if token is None:
        return None
    return session.exec(select(PendingAction).where(PendingAction.token == token)).first()


def _scores_seen(session, action: PendingAction) -> dict:
    payload = json.loads(action.payload)
    school_class = session.get(SchoolClass, payload["class_id"])
    subj = session.get(Subject, payload["subject_id"])
    rolls = {line.student.id: line.roll_number for line in roster(session, school_class.id)}
    values = {}
    for student_id, raw in payload["values"].items():
        value = parse_score(raw, subj.kind)
        values[str(rolls[int(student_id)])] = str(value).replace(".", ",")
    return {"kind": "scores", "class": school_class.name, "subject": subj.code,
            "column": payload["column"], "term": session.get(Term, payload["term_id"]).number,
            "values": values}


def _absences_seen(session, action: PendingAction) -> dict:
    payload = json.loads(action.payload)
    school_class = session.get(SchoolClass, payload["class_id"])
    rolls = {line.student.id: line.roll_number for line in roster(session, school_class.id)}
    return {"kind": "absences", "class": school_class.name, "day": payload["day"],
            "session": payload["session"],
            "marks": {str(rolls[int(k)]): v for k, v in payload["marks"].items()}}


def judge(session, entry: dict, replies) -> str:
    """"right", "wrong" (a preview that would write what was not meant) or "missed"."""
    expect = entry["expect"]
    action = _payload(session, replies)
    text = "\n".join(r.text for r in replies)
    if expect["kind"] in ("scores", "absences"):
        if action is None:
            return "missed"
        seen = (_scores_seen if action.kind == "scores" else _absences_seen)(session, action)
        return "right" if seen == expect else "wrong"
    if action is not None and action.kind in ("scores", "absences"):
        return "wrong"
    return "right" if expect["contains"] in text else "missed"


def _run(phone, clock, entry: dict, names: dict[int, str]) -> list:
    at = entry.get("at")
    clock.move_to(datetime.fromisoformat(at).replace(tzinfo=VN_TZ) if at else
                  datetime(2026, 11, 20, 10, 0, tzinfo=VN_TZ))
    replies = []
    for message in entry.get("messages", [entry.get("message")]):
        replies = phone.say(_fill(message, names))
    return replies


def _cancel(phone, replies) -> None:
    for reply in replies:
        for row in reply.button_rows():
            for button in row:
                if button.data.startswith("no:"):
                    phone.press_data(button.data)
                    return


def test_the_corpus_is_understood_or_questioned_never_written_wrong(db, session, school, clock):
    engine, _ = db
    phones = _phones(engine, session, school, clock)
    names = {line.roll_number: line.student.full_name
             for line in roster(session, class_named(session, "6A1").id)}
    corpus = load_corpus()
    outcomes: dict[str, list] = {"right": [], "wrong": [], "missed": []}
    for entry in corpus:
        phone = phones[entry["as"]]
        replies = _run(phone, clock, entry, names)
        with Session(engine) as check:
            verdict = judge(check, entry, replies)
        outcomes[verdict].append((entry.get("message") or entry["messages"],
                                  [r.text for r in replies]))
        _cancel(phone, replies)
    rate = len(outcomes["right"]) / len(corpus)
    print(f"corpus: {len(corpus)} messages, {len(outcomes['right'])} right first time "
          f"({rate:.1%}), {len(outcomes['missed'])} missed, {len(outcomes['wrong'])} wrong")
    assert len(corpus) >= 300
    for message, said in outcomes["wrong"] + outcomes["missed"]:
        print("NOT RIGHT:", repr(message), "→", repr(said)[:300])
    assert outcomes["wrong"] == [], outcomes["wrong"]
    assert rate >= 0.95, outcomes["missed"]
