"""Finding classes, subjects and students from what people type (with or without
diacritics, any case)."""

import difflib
from dataclasses import dataclass

from sqlalchemy import bindparam
from sqlmodel import Session, func, select

from core.text import fold
from models import SchoolClass, Subject
from services.school import RosterLine, roster
from services.subject_aliases import by_alias

_CLASS_BY_NAME = select(SchoolClass).where(SchoolClass.year_id == bindparam("year_id"),
                                           func.upper(SchoolClass.name) == bindparam("wanted"))


def find_class(session: Session, year_id: int, text: str) -> SchoolClass | None:
    """The year's class named `text` (any case, spaces or diacritics: "6 a1" is 6A1).

    The database narrows by its own `upper` (ASCII-only on SQLite, which is what class
    names are) instead of loading the year's every class; the comparison is made again in
    Python, so the database's reading can only narrow, never decide."""
    wanted = fold(text).replace(" ", "").upper()
    candidates = session.exec(_CLASS_BY_NAME, params={"year_id": year_id, "wanted": wanted})
    for school_class in candidates:
        if school_class.name.upper() == wanted:
            return school_class
    return None


def class_names(session: Session, year_id: int) -> list[str]:
    return list(session.exec(select(SchoolClass.name).where(SchoolClass.year_id == year_id)
                             .order_by(SchoolClass.name)))


def _initials(name: str) -> str:
    return "".join(word[0] for word in fold(name).replace(",", " ").split())


def closest_classes(session: Session, year_id: int, text: str, n: int = 3) -> list[str]:
    """The class names nearest to what was typed ("6a" → 6A1, 6A2, 6A3)."""
    names = class_names(session, year_id)
    wanted = fold(text).replace(" ", "").upper()
    starts = [name for name in names if name.upper().startswith(wanted)] if wanted else []
    close = difflib.get_close_matches(wanted, names, n=n, cutoff=0.3)
    return list(dict.fromkeys(starts + close))[:n] or names[:n]


def find_subjects(session: Session, school_id: int, text: str) -> list[Subject]:
    """Subjects matching an alias ("thể dục", "sử địa"), a name, code, initials ("khtn")
    or one word of the name ("anh"). Several may match: the caller asks which."""
    aliased = by_alias(session, school_id, text)
    if aliased:
        return aliased
    wanted = fold(text)
    subjects = session.exec(select(Subject).where(Subject.school_id == school_id)
                            .order_by(Subject.order)).all()
    for test in (lambda s: wanted in (fold(s.name), fold(s.code)),
                 lambda s: wanted == _initials(s.name),
                 lambda s: fold(s.name).startswith(wanted + " "),
                 lambda s: wanted in fold(s.name).replace(",", " ").split()):
        found = [s for s in subjects if test(s)]
        if found:
            return found
    return []


@dataclass(frozen=True)
class StudentMatch:
    line: RosterLine | None
    candidates: tuple[RosterLine, ...] = ()
    suggestions: tuple[RosterLine, ...] = ()


def match_student(lines: list[RosterLine], typed: str) -> StudentMatch:
    """By roll number, by full name, or by the end of the name ("Hương", "Thị Hương")."""
    text = typed.strip()
    if text.isdigit():
        found = [line for line in lines if line.roll_number == int(text)]
        return StudentMatch(found[0] if found else None)
    wanted = fold(text)
    exact = [line for line in lines if line.student.folded_name == wanted]
    if len(exact) == 1:
        return StudentMatch(exact[0])
    ending = exact or [line for line in lines
                       if line.student.folded_name.endswith(" " + wanted)]
    if len(ending) == 1:
        return StudentMatch(ending[0])
    if ending:
        return StudentMatch(None, tuple(ending))
    names = {line.student.folded_name: line for line in lines}
    close = difflib.get_close_matches(wanted, list(names), n=3, cutoff=0.75)
    return StudentMatch(None, (), tuple(names[n] for n in close))


def class_roster(session: Session, class_id: int) -> list[RosterLine]:
    return roster(session, class_id)
