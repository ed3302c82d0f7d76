"""Importing staff (with roles) and teaching assignments from Excel, all or nothing.

Same rules as the student import: every row is checked first; a known staff
code is updated; importing the same file again changes nothing.
"""

from sqlmodel import Session, select

from core.clock import Clock
from core.text import fold, nfc
from models import (
    Department,
    SchoolClass,
    SchoolYear,
    Staff,
    StaffRole,
    Subject,
    TeachingAssignment,
)
from models.types import ROLE_LABELS, Role
from services import audit
from services.directory import find_subjects
from services.import_conflicts import retried_on_conflict
from services.importing import ImportResult, RowError, Rows, read_rows
from services.school import class_subjects

STAFF_COLUMNS = ["Mã cán bộ", "Họ và tên", "Giới tính", "Điện thoại", "Email", "Tổ chuyên môn",
                 "Vai trò"]
STAFF_FIELDS = ["code", "full_name", "gender", "phone", "email", "department", "roles"]
STAFF_EXAMPLE = ["GV101", "Trần Văn Bình", "Nam", "0912345678", "binh@truong.edu.vn",
                 "Tổ Toán – Tin", "GVBM, GVCN"]
ASSIGNMENT_COLUMNS = ["Mã giáo viên", "Lớp", "Môn"]
ASSIGNMENT_FIELDS = ["teacher", "class_name", "subject"]
ASSIGNMENT_EXAMPLE = ["GV101", "6A1", "Toán"]
ROLE_WORDS = {fold(label): role for role, label in ROLE_LABELS.items()
              if role != Role.DISTRICT_OFFICER} | {
    fold(role.value): role for role in Role if role != Role.DISTRICT_OFFICER}


def _text(value) -> str:
    return nfc(str(value)) if value is not None else ""


@retried_on_conflict
def import_staff(session: Session, clock: Clock, actor_id: int, school_id: int,
                 content: bytes | Rows) -> ImportResult:
    rows = read_rows(content, STAFF_COLUMNS, STAFF_FIELDS)
    departments = {fold(d.name): d for d in session.exec(
        select(Department).where(Department.school_id == school_id))}
    cleaned, errors, seen = [], [], {}
    for number, raw in rows:
        values = {k: _text(raw.get(k)) for k in STAFF_FIELDS}
        values["code"] = values["code"].upper()
        if not values["code"]:
            errors.append(RowError(number, STAFF_COLUMNS[0], "thiếu mã cán bộ."))
        elif values["code"] in seen:
            errors.append(RowError(number, STAFF_COLUMNS[0],
                                   f"trùng mã với dòng {seen[values['code']]}."))
        seen.setdefault(values["code"], number)
        if len(values["full_name"].split()) < 2:
            errors.append(RowError(number, STAFF_COLUMNS[1], "cần họ và tên đầy đủ."))
        department = departments.get(fold(values["department"]))
        if values["department"] and department is None:
            names = ", ".join(d.name for d in departments.values())
            errors.append(RowError(number, STAFF_COLUMNS[5],
                                   f"không có tổ “{values['department']}”. Các tổ: {names}."))
        values["department_id"] = department.id if department else None
        roles = [ROLE_WORDS.get(fold(word)) for word in values["roles"].split(",") if word.strip()]
        if None in roles or not roles:
            errors.append(RowError(number, STAFF_COLUMNS[6], "ghi một hay nhiều vai trò, cách "
                                   "nhau bởi dấu phẩy: " + ", ".join(r.value for r in Role) + "."))
        values["role_set"] = {r for r in roles if r}
        cleaned.append(values)
    if errors:
        return ImportResult(errors=errors)
    result = ImportResult()
    for values in cleaned:
        _apply_staff(session, clock, actor_id, school_id, values, result)
    session.commit()
    return result


def _apply_staff(session, clock, actor_id, school_id, values, result: ImportResult) -> None:
    fields = {"full_name": values["full_name"], "folded_name": fold(values["full_name"]),
              "gender": values["gender"], "phone": values["phone"], "email": values["email"],
              "department_id": values["department_id"]}
    staff = session.exec(select(Staff).where(Staff.school_id == school_id,
                                             Staff.code == values["code"])).first()
    created = staff is None
    if created:
        staff = Staff(school_id=school_id, code=values["code"], **fields)
        session.add(staff)
        session.flush()
    changed = {} if created else {k: v for k, v in fields.items() if getattr(staff, k) != v}
    for key, value in changed.items():
        setattr(staff, key, value)
    have = set(session.exec(select(StaffRole.role).where(StaffRole.staff_id == staff.id)))
    added = values["role_set"] - {Role(r) for r in have}
    for role in added:
        session.add(StaffRole(staff_id=staff.id, role=role))
    if created or changed or added:
        audit.append(session, clock, actor_id=actor_id, action="staff.import", entity="staff",
                     entity_id=staff.id, new={**{k: str(v) for k, v in changed.items()},
                                              "roles_added": sorted(added)})
    result.created += created
    result.updated += bool(not created and (changed or added))
    result.unchanged += not (created or changed or added)


@retried_on_conflict
def import_assignments(session: Session, clock: Clock, actor_id: int, year: SchoolYear,
                       content: bytes | Rows) -> ImportResult:
    rows = read_rows(content, ASSIGNMENT_COLUMNS, ASSIGNMENT_FIELDS)
    classes = {c.name.upper(): c for c in session.exec(
        select(SchoolClass).where(SchoolClass.year_id == year.id))}
    teachers = {s.code: s for s in session.exec(select(Staff).where(
        Staff.school_id == year.school_id))}
    cleaned, errors = [], []
    for number, raw in rows:
        values = {k: _text(raw.get(k)) for k in ASSIGNMENT_FIELDS}
        teacher = teachers.get(values["teacher"].upper())
        school_class = classes.get(values["class_name"].replace(" ", "").upper())
        subjects = find_subjects(session, year.school_id, values["subject"])
        if teacher is None:
            errors.append(RowError(number, ASSIGNMENT_COLUMNS[0],
                                   f"không có cán bộ mã “{values['teacher']}”."))
        if school_class is None:
            errors.append(RowError(number, ASSIGNMENT_COLUMNS[1],
                                   f"không có lớp “{values['class_name']}”."))
        if len(subjects) != 1:
            errors.append(RowError(number, ASSIGNMENT_COLUMNS[2],
                                   f"không rõ môn “{values['subject']}”; ghi đúng tên môn."))
        elif school_class is not None and subjects[0].id not in _studied(session, school_class):
            errors.append(RowError(number, ASSIGNMENT_COLUMNS[2],
                                   f"lớp {school_class.name} không học môn {subjects[0].name} "
                                   "(xem kế hoạch dạy học của khối và tổ hợp của lớp)."))
        if not errors or errors[-1].row != number:
            cleaned.append((teacher, school_class, subjects[0]))
    if errors:
        return ImportResult(errors=errors)
    result = ImportResult()
    for teacher, school_class, subject in cleaned:
        _apply_assignment(session, clock, actor_id, year, teacher, school_class, subject, result)
    session.commit()
    return result


def _studied(session, school_class: SchoolClass) -> set[int]:
    return {subject.id for subject, _ in class_subjects(session, school_class)}


def _apply_assignment(session, clock, actor_id, year, teacher: Staff, school_class: SchoolClass,
                      subject: Subject, result: ImportResult) -> None:
    exists = session.exec(select(TeachingAssignment).where(
        TeachingAssignment.class_id == school_class.id,
        TeachingAssignment.subject_id == subject.id,
        TeachingAssignment.teacher_id == teacher.id)).first()
    if exists:
        result.unchanged += 1
        return
    row = TeachingAssignment(year_id=year.id, teacher_id=teacher.id, class_id=school_class.id,
                             subject_id=subject.id)
    session.add(row)
    session.flush()
    if not session.exec(select(StaffRole).where(StaffRole.staff_id == teacher.id,
                                                StaffRole.role == Role.SUBJECT_TEACHER)).first():
        session.add(StaffRole(staff_id=teacher.id, role=Role.SUBJECT_TEACHER))
    audit.append(session, clock, actor_id=actor_id, action="assignment.import",
                 entity="teaching_assignment", entity_id=row.id,
                 new={"teacher": teacher.code, "class": school_class.name,
                      "subject": subject.code})
    result.created += 1
