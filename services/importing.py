"""Importing students from Excel: every row checked before anything is written.

The template's columns are the ones school offices already keep. A row for a
known student code updates that student; a different class becomes a class
change that keeps history; importing the same file again changes nothing.
"""

import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from io import BytesIO

from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException
from sqlmodel import Session, select

from core.clock import Clock, today
from core.config import get_settings
from core.text import fold, nfc
from models import SchoolClass, SchoolYear, Student
from models.types import EnrolmentStatus
from services import audit
from services.enrolments import current_enrolment, enrol
from services.errors import DomainError
from services.import_conflicts import retried_on_conflict
from services.limits import FIELD_LIMITS, SHORT_TEXT_MAX, too_long

COLUMNS = ["Mã học sinh", "Họ và tên", "Ngày sinh", "Giới tính", "Dân tộc", "Nơi sinh",
           "Chỗ ở", "Họ tên cha", "Họ tên mẹ", "Điện thoại", "Lớp",
           # optional: files made from the older template stop at "Lớp"
           "Đối tượng ưu tiên", "Nghề nghiệp cha", "Nghề nghiệp mẹ"]
FIELDS = ["code", "full_name", "birth_date", "gender", "ethnicity", "birthplace", "address",
          "father_name", "mother_name", "guardian_phone", "class_name",
          "priority_group", "father_occupation", "mother_occupation"]
OPTIONAL_COLUMNS = 3
RECORD_FIELDS = [*FIELDS[1:10], *FIELDS[11:]]  # what is stored on the student
MAX_ROWS = 5000
BLANK_ROWS_ALLOWED = 1000  # empty rows between data rows, before the file is refused
NOT_XLSX = ("Tệp không phải bảng tính Excel (.xlsx). Hãy tải mẫu, điền vào và lưu dưới dạng "
            ".xlsx.")


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str

    def text(self) -> str:
        return f"Dòng {self.row}, cột “{self.column}”: {self.message}"


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    moved: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


EXAMPLE = ["HS0001", "Nguyễn Thị Hương", "05/09/2014", "Nữ", "Kinh", "Thành phố Hồ Chí Minh",
           "12 Cộng Hòa, Phường 4, Quận Tân Bình", "Nguyễn Văn Hải", "Trần Thị Lan",
           "0901234567", "6A1", "", "Kỹ sư", "Giáo viên"]


def template_xlsx(title: str = "Học sinh", columns: list[str] = COLUMNS,
                  example: list[str] = EXAMPLE) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    sheet.append(columns)
    sheet.append(example)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


Rows = list[tuple[int, dict]]


def check_archive(content: bytes) -> None:
    """An xlsx is a zip: refuse one that would unpack beyond the limit (a "zip bomb")
    before openpyxl touches it."""
    limit = get_settings().max_xlsx_uncompressed_bytes
    try:
        with zipfile.ZipFile(BytesIO(content)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise DomainError(NOT_XLSX) from None
    unpacked = sum(entry.file_size for entry in entries)
    if len(entries) > 500 or unpacked > limit:
        raise DomainError(f"Tệp Excel này khi giải nén lớn hơn {limit // 2**20} MB (hoặc có quá "
                          "nhiều phần). Hãy chép dữ liệu sang tệp mẫu mới, chỉ giữ các cột "
                          "của mẫu, rồi nhập lại.")


def read_rows(content: bytes | Rows, columns: list[str] = COLUMNS,
              fields: list[str] = FIELDS, optional: int | None = None) -> Rows:
    """The data rows, or a DomainError saying what is wrong with the file itself. Reads at
    most the template's columns and a bounded number of rows, whatever the sheet claims;
    already-read rows (from `read_rows` in a worker process) pass through."""
    if isinstance(content, list):
        return content
    check_archive(content)
    try:
        workbook = load_workbook(BytesIO(content), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise DomainError(NOT_XLSX) from None
    sheet = workbook.active
    last_row = min(MAX_ROWS + BLANK_ROWS_ALLOWED + 1,
                   get_settings().max_xlsx_cells // max(len(columns), 1))
    if (sheet.max_row or 0) > last_row:
        workbook.close()
        raise DomainError(f"Bảng tính có {sheet.max_row:,} dòng, quá giới hạn {MAX_ROWS:,} dòng "
                          "dữ liệu. Xóa các dòng thừa (kể cả dòng trống ở cuối) hoặc chia "
                          "thành nhiều tệp.".replace(",", "."))
    rows = sheet.iter_rows(max_row=last_row + 1, max_col=len(columns), values_only=True)
    header = [str(c).strip() if c is not None else "" for c in next(rows, ())]
    optional = (OPTIONAL_COLUMNS if columns is COLUMNS else 0) if optional is None else optional
    required = columns[:len(columns) - optional]
    extra = [h for h in header[len(required):] if h]
    if header[:len(required)] != required or extra != columns[len(required):][:len(extra)]:
        raise DomainError("Các cột không đúng mẫu. Dòng đầu phải là: " + ", ".join(columns)
                          + ". Hãy tải mẫu và chép dữ liệu vào đúng cột.")
    result = []
    for number, values in enumerate(rows, start=2):
        if all(v is None or str(v).strip() == "" for v in values):
            continue
        if len(result) >= MAX_ROWS or number > last_row:
            raise DomainError(f"Tệp có hơn {MAX_ROWS} dòng dữ liệu (hoặc quá nhiều dòng trống "
                              "xen giữa). Chia thành nhiều tệp (ví dụ theo khối) rồi nhập lần "
                              "lượt.")
        result.append((number, dict(zip(fields, values, strict=False))))
    workbook.close()
    if not result:
        raise DomainError("Tệp không có dòng dữ liệu nào dưới dòng tiêu đề.")
    return result


@retried_on_conflict
def import_students(session: Session, clock: Clock, actor_id: int, year: SchoolYear,
                    content: bytes | Rows) -> ImportResult:
    rows = read_rows(content)
    classes = {c.name.upper(): c for c in session.exec(
        select(SchoolClass).where(SchoolClass.year_id == year.id))}
    cleaned, errors = _validate(rows, classes)
    if errors:
        return ImportResult(errors=errors)
    result = ImportResult()
    for values in cleaned:
        _apply(session, clock, actor_id, year, values, classes, result)
    session.commit()
    return result


def _validate(rows, classes) -> tuple[list[dict], list[RowError]]:
    cleaned, errors, seen = [], [], {}
    for number, raw in rows:
        values, row_errors = _clean(number, raw, classes)
        code = values.get("code")
        if code and code in seen:
            row_errors.append(RowError(number, COLUMNS[0], f"trùng mã với dòng {seen[code]}."))
        elif code:
            seen[code] = number
        errors.extend(row_errors)
        cleaned.append(values)
    return cleaned, errors


def _text(value) -> str:
    return nfc(str(value)) if value is not None else ""


def _clean(number: int, raw: dict, classes) -> tuple[dict, list[RowError]]:
    errors = []
    values = {name: _text(raw.get(name)) for name in FIELDS}
    values["code"] = values["code"].upper()
    for index, name in enumerate(FIELDS):
        problem = too_long(values.get(name, ""), FIELD_LIMITS.get(name, SHORT_TEXT_MAX))
        if problem:
            errors.append(RowError(number, COLUMNS[index], problem))
    if not values["code"]:
        errors.append(RowError(number, COLUMNS[0], "thiếu mã học sinh."))
    if len(values["full_name"].split()) < 2:
        errors.append(RowError(number, COLUMNS[1], "cần họ và tên đầy đủ (ít nhất hai chữ)."))
    values["birth_date"], problem = _birth_date(raw.get("birth_date"))
    if problem:
        errors.append(RowError(number, COLUMNS[2], problem))
    gender = {"nam": "Nam", "nu": "Nữ"}.get(fold(values["gender"]))
    if gender is None:
        errors.append(RowError(number, COLUMNS[3], f"“{values['gender']}” — ghi Nam hoặc Nữ."))
    values["gender"] = gender or ""
    values["ethnicity"] = values["ethnicity"] or "Kinh"
    school_class = classes.get(values["class_name"].replace(" ", "").upper())
    if school_class is None:
        names = ", ".join(sorted(classes))
        errors.append(RowError(number, COLUMNS[10], f"không có lớp “{values['class_name']}” "
                                                    f"trong năm học. Các lớp: {names}."))
    values["class_id"] = school_class.id if school_class else None
    return values, errors


def _birth_date(value) -> tuple[date | None, str]:
    if isinstance(value, datetime):
        return value.date(), ""
    if isinstance(value, date):
        return value, ""
    text = _text(value).strip()
    try:
        day, month, year = (int(p) for p in text.replace("-", "/").split("/"))
        return date(year, month, day), ""
    except ValueError:
        return None, f"“{text}” không phải ngày; ghi theo dạng ngày/tháng/năm, ví dụ 05/09/2014."


def _apply(session, clock, actor_id, year, values, classes, result: ImportResult) -> None:
    fields = {k: values[k] for k in RECORD_FIELDS}
    fields["folded_name"] = fold(values["full_name"])
    student = session.exec(select(Student).where(Student.school_id == year.school_id,
                                                 Student.code == values["code"])).first()
    if student is None:
        student = Student(school_id=year.school_id, code=values["code"], **fields)
        session.add(student)
        session.flush()
        enrol(session, student.id, values["class_id"], max(year.start_date, today(clock)))
        audit.append(session, clock, actor_id=actor_id, action="student.import",
                     entity="student", entity_id=student.id,
                     new={"code": student.code, "class": values["class_name"]})
        result.created += 1
        return
    changed = {k: v for k, v in fields.items() if getattr(student, k) != v}
    moved = _move_if_needed(session, clock, actor_id, student, values["class_id"], year)
    if changed:
        old = {k: getattr(student, k) for k in changed}
        for key, value in changed.items():
            setattr(student, key, value)
        session.add(student)
        audit.append(session, clock, actor_id=actor_id, action="student.update",
                     entity="student", entity_id=student.id, old=old, new=changed)
    result.updated += bool(changed)
    result.moved += moved
    result.unchanged += not (changed or moved)


def _move_if_needed(session, clock, actor_id, student, class_id, year) -> bool:
    current = current_enrolment(session, student.id)
    if current is not None and current.class_id == class_id:
        return False
    day = max(year.start_date, today(clock))
    if current is not None:
        current.end_date = max(current.start_date, day - timedelta(days=1))
        current.status = EnrolmentStatus.CHANGED_CLASS
        session.add(current)
    enrol(session, student.id, class_id, day)
    audit.append(session, clock, actor_id=actor_id, action="enrolment.import_move",
                 entity="student", entity_id=student.id,
                 old={"class_id": current.class_id if current else None},
                 new={"class_id": class_id})
    return True
