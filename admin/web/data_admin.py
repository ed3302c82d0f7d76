"""CRUD of the school's reference data with sqladmin, behind our own sign-in.

Only admins get in; every create, edit and delete leaves an audit entry. Scores,
absences and corrections are not editable here: they change only through the
services (entry, corrections), which check rights, locks and deadlines.
"""

from pathlib import Path

from sqladmin import Admin, ModelView
from sqladmin.authentication import AuthenticationBackend
from sqlalchemy import Engine
from sqlmodel import Session
from starlette.requests import Request

from admin.web.security import SESSION_USER
from core.clock import Clock
from core.text import fold, nfc
from grading.tt22 import Adjustment, LoneSubject
from models import (
    CombinationSubject,
    CurriculumEntry,
    Department,
    School,
    SchoolClass,
    SchoolYear,
    Staff,
    StaffRole,
    Student,
    Subject,
    SubjectAlias,
    SubjectCombination,
    TeachingAssignment,
    Term,
)
from models.types import Role
from services import audit
from services.permissions import roles_of

OVERRIDES = Path(__file__).resolve().parent.parent / "templates" / "sqladmin_overrides"


class PanelAuth(AuthenticationBackend):
    """Reuses the panel's signed session: no second login, admins only."""

    def __init__(self, engine: Engine) -> None:
        super().__init__(secret_key="unused")
        self.middlewares = []  # the panel's SessionMiddleware already decoded the cookie
        self.engine = engine

    async def login(self, request: Request) -> bool:
        return False

    async def logout(self, request: Request) -> bool:
        request.session.clear()
        return True

    async def authenticate(self, request: Request) -> bool:
        staff_id = request.session.get(SESSION_USER)
        if not staff_id:
            return False
        with Session(self.engine) as session:  # the gate checked first; this is the second lock
            staff = session.get(Staff, staff_id)
            return bool(staff and staff.active and Role.ADMIN in roles_of(session, staff_id))


class AuditedView(ModelView):
    clock: Clock
    engine: Engine
    can_export = False
    page_size = 50

    async def on_model_change(self, data, model, is_created, request) -> None:
        """Names are stored folded too, so that chat look-ups match without diacritics."""
        if data.get("alias") and hasattr(model, "alias"):  # matched folded, so stored folded
            data["alias"] = fold(data["alias"])
        _check_readings(data)
        if "full_name" in data and hasattr(model, "folded_name"):
            data["full_name"] = nfc(data["full_name"])
            model.folded_name = fold(data["full_name"])

    async def after_model_change(self, data, model, is_created, request) -> None:
        self._record(request, "create" if is_created else "update", model, data)

    async def after_model_delete(self, model, request) -> None:
        self._record(request, "delete", model, None)

    def _record(self, request: Request, verb: str, model, data) -> None:
        with Session(self.engine) as session:
            audit.append(session, self.clock, actor_id=request.session.get(SESSION_USER),
                         action=f"{model.__tablename__}.{verb}", entity=model.__tablename__,
                         entity_id=getattr(model, "id", None),
                         new={k: str(v) for k, v in (data or {}).items()}, via="admin-data")
            session.commit()


READINGS = {"learning_adjustment": Adjustment, "lone_subject_reading": LoneSubject}


def _check_readings(data: dict) -> None:
    """A school's TT22 readings are names the grading engine knows; anything else is
    refused here, before it could stop every report of the school."""
    for field, choices in READINGS.items():
        if field in data and data[field] not in {c.value for c in choices}:
            raise ValueError(f"Giá trị «{data[field]}» không hợp lệ cho {field}. "
                             f"Chọn một trong: {', '.join(c.value for c in choices)}.")


VIEWS = [
    (SchoolYear, "Năm học", ["id", "name", "start_date", "end_date", "circular", "is_current"]),
    (Term, "Học kì", ["id", "year_id", "number", "start_date", "end_date"]),
    (Department, "Tổ chuyên môn", ["id", "name"]),
    (Subject, "Môn học", ["id", "code", "name", "kind", "order"]),
    (CurriculumEntry, "Số tiết theo khối", ["id", "grade", "subject_id", "periods_per_year",
                                            "elective"]),
    (SubjectCombination, "Tổ hợp môn (THPT)", ["id", "year_id", "code", "name"]),
    (CombinationSubject, "Môn, chuyên đề của tổ hợp", ["id", "combination_id", "subject_id",
                                                        "topic_periods"]),
    (SchoolClass, "Lớp", ["id", "name", "grade", "homeroom_teacher_id", "combination_id"]),
    (Staff, "Cán bộ, giáo viên", ["id", "code", "full_name", "phone", "active"]),
    (StaffRole, "Vai trò", ["id", "staff_id", "role", "grade"]),
    (Student, "Học sinh", ["id", "code", "full_name", "birth_date", "gender"]),
    (TeachingAssignment, "Phân công giảng dạy", ["id", "teacher_id", "class_id",
                                                 "subject_id"]),
    (SubjectAlias, "Tên gọi khác của môn", ["id", "subject_id", "alias"]),
    (School, "Cài đặt trường", ["id", "name", "scores_without_comma", "afternoon_starts",
                                "unlock_days", "correction_expiry_days", "learning_adjustment",
                                "lone_subject_reading", "comment_subject_counts",
                                "topic_periods_count"]),
]


def mount_data_admin(app, engine: Engine, clock: Clock) -> Admin:
    admin = Admin(app, engine, base_url="/admin/data", title="Sổ điểm — danh mục",
                  authentication_backend=PanelAuth(engine), templates_dir=str(OVERRIDES))
    for model, label, columns in VIEWS:
        view = type(f"{model.__name__}View", (AuditedView,), {
            "name": label, "name_plural": label, "column_list": columns,
            "column_searchable_list": [c for c in ("name", "full_name", "code")
                                       if c in columns],
            "form_include_pk": True,  # sqladmin hides foreign keys otherwise; ids stay hidden
            "form_excluded_columns": ["id", "password_hash", "password_changed_at",
                                      "folded_name", "demo"],
            "clock": clock, "engine": engine}, model=model)
        admin.add_view(view)
    return admin
