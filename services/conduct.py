"""Kết quả rèn luyện of a term, entered by the GVCN of the class."""

from collections.abc import Mapping

from sqlmodel import Session, select

from core.clock import Clock
from models import ConductRating, SchoolClass, SchoolYear, SummerConduct, Term
from services import audit
from services.errors import DomainError, InvalidBatch, LineProblem, PermissionDenied
from services.locks import refuse_if_locked, score_lock
from services.permissions import is_homeroom_of
from services.school import circular_of, get_or_fail, roster


def rate_conduct(session: Session, clock: Clock, actor_id: int, class_id: int, term_id: int,
                 levels: Mapping[int, str], via: str = "") -> list[ConductRating]:
    school_class = get_or_fail(session, SchoolClass, class_id, "lớp")
    term = get_or_fail(session, Term, term_id, "học kì")
    if not is_homeroom_of(session, actor_id, school_class):
        raise PermissionDenied(f"Chỉ GVCN lớp {school_class.name} được đánh giá rèn luyện.")
    refuse_if_locked(session, score_lock(session, clock.now(), school_class.year_id, term.id,
                                         class_id, None))
    existing = set(session.exec(select(ConductRating.student_id).where(
        ConductRating.term_id == term_id, ConductRating.student_id.in_(list(levels)))).all())
    _refuse_bad_levels(session, school_class, levels, existing, "học kì này",
                       "kết quả rèn luyện")
    rows = [ConductRating(student_id=sid, term_id=term_id, level=level,
                          entered_by_id=actor_id, entered_at=clock.now())
            for sid, level in levels.items()]
    session.add_all(rows)
    session.flush()
    audit.append_many(session, clock, actor_id=actor_id, via=via, changes=[
        audit.Change("conduct.rate", "conduct", r.id, None,
                     {"student_id": r.student_id, "term": term.number, "level": r.level})
        for r in rows])
    session.commit()
    return rows


def _refuse_bad_levels(session: Session, school_class: SchoolClass, levels: Mapping[int, str],
                       existing: set[int], period: str, what: str) -> None:
    """Nothing is saved unless every line is right: the student is in the class, has no
    result for `period` yet, and the level is one of the circular's."""
    allowed = circular_of(session, session.get(SchoolYear, school_class.year_id)).conduct_levels
    enrolled = {line.student.id for line in roster(session, school_class.id)}
    problems = []
    for sid, level in levels.items():
        problem = _problem(sid, level, enrolled, existing, allowed, period)
        if problem:
            problems.append(LineProblem(f"HS mã {sid}", problem))
    if problems:
        raise InvalidBatch(f"Chưa lưu {what} nào.", problems)
    if not levels:
        raise DomainError(f"Chưa có {what} nào để lưu.")


def _problem(student_id: int, level: str, enrolled: set[int], existing: set[int],
             allowed: tuple[str, ...], period: str) -> str:
    if student_id not in enrolled:
        return "không có trong danh sách lớp."
    if student_id in existing:
        return f"đã có kết quả rèn luyện {period}; muốn đổi phải gửi yêu cầu sửa."
    if level not in allowed:
        return f"“{level}” không phải mức hợp lệ. Chọn một trong: {', '.join(allowed)}."
    return ""


def rate_summer_conduct(session: Session, clock: Clock, actor_id: int, class_id: int,
                        levels: Mapping[int, str], via: str = "") -> list[SummerConduct]:
    """Kết quả rèn luyện after the summer training (TT22 Điều 13), entered once by the GVCN
    for the students the year's result sent to it; it decides their promotion."""
    school_class = get_or_fail(session, SchoolClass, class_id, "lớp")
    if not is_homeroom_of(session, actor_id, school_class):
        raise PermissionDenied(f"Chỉ GVCN lớp {school_class.name} được ghi kết quả rèn luyện "
                               "trong hè.")
    existing = set(session.exec(select(SummerConduct.student_id).where(
        SummerConduct.year_id == school_class.year_id,
        SummerConduct.student_id.in_(list(levels)))).all())
    _refuse_bad_levels(session, school_class, levels, existing, "sau rèn luyện hè",
                       "kết quả rèn luyện trong hè")
    rows = [SummerConduct(student_id=sid, year_id=school_class.year_id, level=level,
                          rated_by_id=actor_id, rated_at=clock.now())
            for sid, level in levels.items()]
    session.add_all(rows)
    session.flush()
    audit.append_many(session, clock, actor_id=actor_id, via=via, changes=[
        audit.Change("conduct.summer", "summerconduct", r.id, None,
                     {"student_id": r.student_id, "level": r.level}) for r in rows])
    session.commit()
    return rows
