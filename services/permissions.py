"""Who holds which role, and the checks every write path calls."""

from sqlalchemy import bindparam
from sqlmodel import Session, select

from models import SchoolClass, Staff, StaffRole, Subject, TeachingAssignment
from models.types import ROLE_LABELS, Role
from services.errors import PermissionDenied


def roles_of(session: Session, staff_id: int) -> set[Role]:
    rows = session.exec(select(StaffRole.role).where(StaffRole.staff_id == staff_id)).all()
    return {Role(r) for r in rows}


def active_staff(session: Session, staff_id: int) -> Staff:
    staff = session.get(Staff, staff_id)
    if staff is None or not staff.active:
        raise PermissionDenied("Tài khoản này không còn hoạt động. Liên hệ quản trị của trường.")
    return staff


def require_any_role(session: Session, staff_id: int, allowed: set[Role], action: str) -> Staff:
    staff = active_staff(session, staff_id)
    if not roles_of(session, staff_id) & allowed:
        names = ", ".join(ROLE_LABELS[r] for r in sorted(allowed))
        raise PermissionDenied(f"Chỉ {names} được {action}.")
    return staff


_TEACHES_CLASS = select(TeachingAssignment.id).where(
    TeachingAssignment.teacher_id == bindparam("staff_id"),
    TeachingAssignment.class_id == bindparam("class_id")).limit(1)
_TEACHES_SUBJECT = _TEACHES_CLASS.where(TeachingAssignment.subject_id == bindparam("subject_id"))


def teaches(session: Session, staff_id: int, class_id: int, subject_id: int | None = None) -> bool:
    """Built once (asked on every score message and Xác nhận)."""
    if subject_id is None:
        query, params = _TEACHES_CLASS, {"staff_id": staff_id, "class_id": class_id}
    else:
        query, params = _TEACHES_SUBJECT, {"staff_id": staff_id, "class_id": class_id,
                                           "subject_id": subject_id}
    return session.exec(query, params=params).first() is not None


def require_assigned_teacher(session: Session, staff_id: int, school_class: SchoolClass,
                             subject: Subject) -> Staff:
    staff = active_staff(session, staff_id)
    if not teaches(session, staff_id, school_class.id, subject.id):
        own = own_assignments_text(session, staff_id)
        raise PermissionDenied(
            f"Thầy/cô không được phân công dạy {subject.name} lớp {school_class.name}, nên không "
            f"nhập điểm được. {own}")
    return staff


def own_assignments_text(session: Session, staff_id: int) -> str:
    rows = session.exec(select(SchoolClass.name, Subject.name)
                        .join(TeachingAssignment, TeachingAssignment.class_id == SchoolClass.id)
                        .join(Subject, Subject.id == TeachingAssignment.subject_id)
                        .where(TeachingAssignment.teacher_id == staff_id)
                        .order_by(SchoolClass.name)).all()
    if not rows:
        return "Thầy/cô chưa có phân công giảng dạy nào; liên hệ quản trị."
    return "Các lớp/môn của thầy/cô: " + ", ".join(f"{s} {c}" for c, s in rows) + "."


def is_homeroom_of(session: Session, staff_id: int, school_class: SchoolClass) -> bool:
    return school_class.homeroom_teacher_id == staff_id
