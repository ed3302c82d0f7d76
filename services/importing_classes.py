"""Importing THPT combinations and the year's classes from Excel, all or nothing.

A combination (tổ hợp) is defined once, by its code: its four electives and the
subjects of its three chuyên đề clusters. A class row names its grade and, where the
grade has electives, its combination. Same rules as the other imports: every row is
checked first, a known code is updated only where that cannot orphan recorded
scores, and importing the same file again changes nothing.
"""

from dataclasses import dataclass

from sqlmodel import Session, select

from core.clock import Clock
from core.text import nfc
from models import (
    CombinationSubject,
    CurriculumEntry,
    SchoolClass,
    SchoolYear,
    ScoreEntry,
    Staff,
    StaffRole,
    Subject,
    SubjectCombination,
)
from models.types import Role
from services import audit
from services.curricula import TOPIC_PERIODS
from services.directory import find_subjects
from services.import_conflicts import retried_on_conflict
from services.importing import ImportResult, RowError, Rows, read_rows
from services.limits import too_long

ELECTIVES_PER_COMBINATION, TOPICS_PER_COMBINATION = 4, 3
COMBINATION_COLUMNS = ["Mã tổ hợp", "Tên tổ hợp",
                       *(f"Môn lựa chọn {n}" for n in range(1, ELECTIVES_PER_COMBINATION + 1)),
                       *(f"Chuyên đề {n}" for n in range(1, TOPICS_PER_COMBINATION + 1))]
COMBINATION_FIELDS = ["code", "name", "e1", "e2", "e3", "e4", "t1", "t2", "t3"]
COMBINATION_EXAMPLE = ["TN1", "Khoa học tự nhiên", "Vật lí", "Hóa học", "Sinh học", "Tin học",
                       "Toán", "Vật lí", "Hóa học"]
CLASS_COLUMNS = ["Lớp", "Khối", "Mã tổ hợp", "GVCN (mã cán bộ)"]
CLASS_FIELDS = ["name", "grade", "combination", "homeroom"]
CLASS_EXAMPLE = ["10A1", "10", "TN1", "GV101"]


def _text(value) -> str:
    return nfc(str(value)).strip() if value is not None else ""


@dataclass
class _Combination:
    number: int
    code: str
    name: str
    subjects: dict[int, int]  # subject id → chuyên đề periods (0: elective only)


@retried_on_conflict
def import_combinations(session: Session, clock: Clock, actor_id: int, year: SchoolYear,
                        content: bytes | Rows) -> ImportResult:
    rows = read_rows(content, COMBINATION_COLUMNS, COMBINATION_FIELDS)
    entries = session.exec(select(CurriculumEntry).where(CurriculumEntry.year_id == year.id)
                           ).all()
    electives = {e.subject_id for e in entries if e.elective}
    compulsory = {e.subject_id for e in entries if not e.elective}
    cleaned, errors, seen = [], [], {}
    for number, raw in rows:
        values = {k: _text(raw.get(k)) for k in COMBINATION_FIELDS}
        code = values["code"].replace(" ", "").upper()
        problems = _code_problems(code, "tổ hợp", seen.get(code))
        seen.setdefault(code, number)
        for problem in problems:
            errors.append(RowError(number, COMBINATION_COLUMNS[0], problem))
        if too_long(values["name"], 200):
            errors.append(RowError(number, COMBINATION_COLUMNS[1], too_long(values["name"], 200)))
        chosen, row_errors = _subjects_of(session, year.school_id, number, values, electives,
                                          compulsory)
        errors.extend(row_errors)
        cleaned.append(_Combination(number, code, values["name"] or code, chosen))
    if errors:
        return ImportResult(errors=errors)
    existing = {c.code: c for c in session.exec(select(SubjectCombination).where(
        SubjectCombination.year_id == year.id))}
    errors = [e for c in cleaned if c.code in existing
              for e in _change_problems(session, existing[c.code], c)]
    if errors:
        return ImportResult(errors=errors)
    result = ImportResult()
    for combination in cleaned:
        _apply_combination(session, clock, actor_id, year, existing.get(combination.code),
                           combination, result)
    session.commit()
    return result


def _code_problems(code: str, what: str, seen_at: int | None) -> list[str]:
    if not code:
        return [f"thiếu mã {what}."]
    if len(code) > 16:
        return [f"mã {what} dài quá 16 kí tự."]
    if seen_at is not None:
        return [f"trùng mã với dòng {seen_at}."]
    return []


def _one_subject(session, school_id: int, typed: str) -> Subject | list[Subject]:
    found = find_subjects(session, school_id, typed)
    return found[0] if len(found) == 1 else found


def _subjects_of(session, school_id: int, number: int, values: dict, electives: set[int],
                 compulsory: set[int]) -> tuple[dict[int, int], list[RowError]]:
    """The combination's subjects, each elective and chuyên đề resolved to one subject;
    row errors say which cell is wrong and why."""
    errors, chosen, picked = [], {}, []
    for index, field in enumerate(("e1", "e2", "e3", "e4"), start=2):
        subject = _resolved(session, school_id, values[field], number,
                            COMBINATION_COLUMNS[index], errors)
        if subject is None:
            continue
        if subject.id not in electives:
            errors.append(RowError(number, COMBINATION_COLUMNS[index],
                                   f"{subject.name} không phải môn lựa chọn trong kế hoạch "
                                   "năm học."))
        elif subject.id in chosen:
            errors.append(RowError(number, COMBINATION_COLUMNS[index],
                                   f"{subject.name} đã ghi ở cột trước."))
        chosen[subject.id] = 0
        picked.append(subject.id)
    for index, field in enumerate(("t1", "t2", "t3"), start=6):
        subject = _resolved(session, school_id, values[field], number,
                            COMBINATION_COLUMNS[index], errors)
        if subject is None:
            continue
        if subject.id not in compulsory and subject.id not in picked:
            errors.append(RowError(number, COMBINATION_COLUMNS[index],
                                   f"chuyên đề {subject.name}: môn này không bắt buộc và không "
                                   "có trong 4 môn lựa chọn của tổ hợp."))
        elif chosen.get(subject.id):
            errors.append(RowError(number, COMBINATION_COLUMNS[index],
                                   f"chuyên đề {subject.name} đã ghi ở cột trước."))
        chosen[subject.id] = TOPIC_PERIODS
    return chosen, errors


def _resolved(session, school_id: int, typed: str, number: int, column: str,
              errors: list[RowError]) -> Subject | None:
    if not typed:
        errors.append(RowError(number, column, "ô trống; ghi tên môn (ví dụ Vật lí)."))
        return None
    found = _one_subject(session, school_id, typed)
    if isinstance(found, Subject):
        return found
    hint = (f"có thể là {' hoặc '.join(s.name for s in found)}" if found
            else "không có môn này trong danh mục")
    errors.append(RowError(number, column, f"“{typed}”: {hint}. Ghi đúng tên môn."))
    return None


def _change_problems(session, row: SubjectCombination, wanted: _Combination) -> list[RowError]:
    """Changing a combination already given to classes would drop subjects that may have
    scores: refused here, with the classes named."""
    have = dict(session.exec(select(CombinationSubject.subject_id,
                                    CombinationSubject.topic_periods).where(
        CombinationSubject.combination_id == row.id)).all())
    if have == wanted.subjects:
        return []
    classes = session.exec(select(SchoolClass.name).where(
        SchoolClass.combination_id == row.id).order_by(SchoolClass.name)).all()
    if not classes:
        return []
    return [RowError(wanted.number, COMBINATION_COLUMNS[0],
                     f"tổ hợp {row.code} đã gán cho lớp {', '.join(classes)}; không đổi môn "
                     "của tổ hợp đang dùng. Tạo tổ hợp mới (mã khác) rồi chuyển lớp sang.")]


def _apply_combination(session, clock, actor_id, year, row, wanted: _Combination,
                       result: ImportResult) -> None:
    created = row is None
    if created:
        row = SubjectCombination(year_id=year.id, code=wanted.code, name=wanted.name)
        session.add(row)
        session.flush()
    have = {c.subject_id: c for c in session.exec(select(CombinationSubject).where(
        CombinationSubject.combination_id == row.id))}
    same = {k: v.topic_periods for k, v in have.items()} == wanted.subjects
    if not created and same and row.name == wanted.name:
        result.unchanged += 1
        return
    for old in have.values():
        session.delete(old)
    session.flush()
    for subject_id, topics in wanted.subjects.items():
        session.add(CombinationSubject(combination_id=row.id, subject_id=subject_id,
                                       topic_periods=topics))
    row.name = wanted.name
    session.add(row)
    audit.append(session, clock, actor_id=actor_id, action="combination.import",
                 entity="subjectcombination", entity_id=row.id,
                 new={"code": row.code, "subjects": {str(k): v for k, v in
                                                     wanted.subjects.items()}})
    result.created += created
    result.updated += not created


@retried_on_conflict
def import_classes(session: Session, clock: Clock, actor_id: int, year: SchoolYear,
                   content: bytes | Rows) -> ImportResult:
    rows = read_rows(content, CLASS_COLUMNS, CLASS_FIELDS, optional=1)
    grades = _grades(session, year.id)
    combinations = {c.code: c for c in session.exec(select(SubjectCombination).where(
        SubjectCombination.year_id == year.id))}
    staff = {s.code: s for s in session.exec(select(Staff).where(
        Staff.school_id == year.school_id))}
    classes = {c.name.upper(): c for c in session.exec(select(SchoolClass).where(
        SchoolClass.year_id == year.id))}
    cleaned, errors, seen = [], [], {}
    for number, raw in rows:
        values = {k: _text(raw.get(k)) for k in CLASS_FIELDS}
        name = values["name"].replace(" ", "").upper()
        for problem in _code_problems(name, "lớp", seen.get(name)):
            errors.append(RowError(number, CLASS_COLUMNS[0], problem.replace("mã lớp", "tên lớp")))
        seen.setdefault(name, number)
        grade = _grade(values["grade"])
        if grade not in grades:
            known = ", ".join(str(g) for g in sorted(grades))
            errors.append(RowError(number, CLASS_COLUMNS[1],
                                   f"“{values['grade']}”: khối này không có trong kế hoạch dạy "
                                   f"học năm học. Các khối có: {known}."))
        combination = _combination_of(values, grade, grades, combinations, number, errors)
        homeroom = staff.get(values["homeroom"].upper()) if values["homeroom"] else None
        if values["homeroom"] and homeroom is None:
            errors.append(RowError(number, CLASS_COLUMNS[3],
                                   f"không có cán bộ mã “{values['homeroom']}”."))
        existing = classes.get(name)
        if existing is not None and grade is not None and existing.grade != grade:
            errors.append(RowError(number, CLASS_COLUMNS[1],
                                   f"lớp {existing.name} đã có, ở khối {existing.grade}."))
        if existing is not None and combination is not None:
            errors.extend(_class_change_problems(session, existing, combination, number))
        cleaned.append((name, grade, combination, homeroom, existing))
    if errors:
        return ImportResult(errors=errors)
    result = ImportResult()
    for values in cleaned:
        _apply_class(session, clock, actor_id, year, *values, result)
    session.commit()
    return result


def _grades(session, year_id: int) -> dict[int, bool]:
    """Grade → whether it has electives (then every class needs a combination)."""
    grades: dict[int, bool] = {}
    for grade, elective in session.exec(select(CurriculumEntry.grade, CurriculumEntry.elective)
                                        .where(CurriculumEntry.year_id == year_id)):
        grades[grade] = grades.get(grade, False) or elective
    return grades


def _grade(text: str) -> int | None:
    try:
        return int(float(text))
    except ValueError:
        return None


def _combination_of(values, grade, grades, combinations, number, errors):
    code = values["combination"].replace(" ", "").upper()
    needs = grades.get(grade, False)
    if not code:
        if needs:
            errors.append(RowError(number, CLASS_COLUMNS[2],
                                   f"khối {grade} có môn lựa chọn: ghi mã tổ hợp của lớp. "
                                   f"Các tổ hợp: {', '.join(sorted(combinations)) or 'chưa có'}."))
        return None
    if grade in grades and not needs:
        errors.append(RowError(number, CLASS_COLUMNS[2],
                               f"khối {grade} không có môn lựa chọn: để trống cột này."))
        return None
    combination = combinations.get(code)
    if combination is None:
        errors.append(RowError(number, CLASS_COLUMNS[2],
                               f"không có tổ hợp “{values['combination']}”. Nhập tổ hợp trước; "
                               f"các tổ hợp: {', '.join(sorted(combinations)) or 'chưa có'}."))
    return combination


def _class_change_problems(session, school_class: SchoolClass,
                           combination: SubjectCombination, number: int) -> list[RowError]:
    """A class moving to another combination must not leave scores in a subject it no
    longer studies."""
    if school_class.combination_id in (None, combination.id):
        return []
    keeps = set(session.exec(select(CombinationSubject.subject_id).where(
        CombinationSubject.combination_id == combination.id)).all())
    studied = set(session.exec(select(CombinationSubject.subject_id).where(
        CombinationSubject.combination_id == school_class.combination_id)).all())
    scored = session.exec(select(Subject.name).join(
        ScoreEntry, ScoreEntry.subject_id == Subject.id).where(
        ScoreEntry.class_id == school_class.id,
        Subject.id.in_(studied - keeps or {0})).distinct()).all()
    if not scored:
        return []
    return [RowError(number, CLASS_COLUMNS[2],
                     f"lớp {school_class.name} đã có điểm môn {', '.join(sorted(scored))}, "
                     f"môn này không có trong tổ hợp {combination.code}: không đổi tổ hợp.")]


def _apply_class(session, clock, actor_id, year, name, grade, combination, homeroom, existing,
                 result: ImportResult) -> None:
    combination_id = combination.id if combination else None
    wanted = {"grade": grade, "combination_id": combination_id,
              "homeroom_teacher_id": homeroom.id if homeroom else None}
    if existing is None:
        row = SchoolClass(year_id=year.id, name=name, **wanted)
        session.add(row)
        session.flush()
        changed = wanted
    else:
        row = existing
        changed = {k: v for k, v in wanted.items()
                   if v is not None and getattr(row, k) != v}
        for key, value in changed.items():
            setattr(row, key, value)
        session.add(row)
    if homeroom is not None and not session.exec(select(StaffRole).where(
            StaffRole.staff_id == homeroom.id, StaffRole.role == Role.HOMEROOM_TEACHER)).first():
        session.add(StaffRole(staff_id=homeroom.id, role=Role.HOMEROOM_TEACHER))
    if changed:
        audit.append(session, clock, actor_id=actor_id, action="class.import",
                     entity="schoolclass", entity_id=row.id,
                     new={"name": name, **changed})
    result.created += existing is None
    result.updated += existing is not None and bool(changed)
    result.unchanged += existing is not None and not changed
