"""`sodiem` command line: set up the database, seed the demo school, serve, verify."""

import os
from pathlib import Path
from typing import Annotated

import click
import typer
from sqlmodel import Session, select

from core.clock import SystemClock
from core.config import get_settings
from models import School
from models.db import make_engine, migrate
from models.school import DISTRICT_OFFICE_LEVEL
from services import audit_verification, demo_guard
from services.demo_school import (
    build_demo_school,
    demo_exists,
    fill_scores,
    record_demo_absences,
)


def _vietnamese_help() -> None:
    """typer's own labels in Vietnamese, so that `sodiem --help` reads in one language."""
    from typer import rich_utils

    labels = {"ARGUMENTS_PANEL_TITLE": "Đối số", "OPTIONS_PANEL_TITLE": "Tùy chọn",
              "COMMANDS_PANEL_TITLE": "Lệnh", "ERRORS_PANEL_TITLE": "Lỗi",
              "ABORTED_TEXT": "Đã dừng.", "REQUIRED_LONG_STRING": "[bắt buộc]",
              "DEFAULT_STRING": "[mặc định: {}]", "ENVVAR_STRING": "[biến môi trường: {}]",
              "RICH_HELP": "Gõ [blue]'{command_path} {help_option}'[/] để xem hướng dẫn."}
    for name, text in labels.items():
        if hasattr(rich_utils, name):
            setattr(rich_utils, name, text)


_vietnamese_help()
DB_OPTION = typer.Option(None, help="Cơ sở dữ liệu (mặc định: SODIEM_DATABASE_URL trong .env)")
PdfOut = Annotated[Path, typer.Option("-o", "--output", help="Tệp PDF ghi ra")]
DirOut = Annotated[Path, typer.Option("-o", "--output-dir", help="Thư mục ghi ra")]
app = typer.Typer(help="Sổ gọi tên và ghi điểm điện tử", no_args_is_help=True,
                  context_settings={"help_option_names": ["-h", "--help"]},
                  add_completion=False)


_chosen_school: dict[str, str | None] = {"code": None}


@app.callback()
def _options(school: str = typer.Option(
        None, "--school", envvar="SODIEM_SCHOOL",
        help="Mã trường, khi cơ sở dữ liệu có nhiều trường (ví dụ THCS-NSL)")) -> None:
    """Sổ gọi tên và ghi điểm điện tử"""
    _chosen_school["code"] = school


def _school(session: Session) -> School | None:
    """The school a command works on: the only one, or the one named by --school."""
    schools = session.exec(select(School).where(School.level != DISTRICT_OFFICE_LEVEL)
                           .order_by(School.code)).all()
    code = _chosen_school["code"]
    if code:
        found = next((s for s in schools if s.code.upper() == code.strip().upper()), None)
        if found is None:
            typer.echo(f"Không có trường mã «{code}». Các trường: "
                       f"{', '.join(s.code for s in schools) or '(chưa có)'}.", err=True)
            raise typer.Exit(1)
        return found
    if len(schools) > 1:
        typer.echo("Cơ sở dữ liệu có nhiều trường; chọn một bằng --school MÃ (đặt trước tên "
                   f"lệnh): {', '.join(s.code for s in schools)}.", err=True)
        raise typer.Exit(1)
    return schools[0] if schools else None


def _engine(database_url: str | None):
    return make_engine(database_url or get_settings().database_url)


@app.command("init-db")
def init_db(database_url: str = typer.Option(None, help="Mặc định: SODIEM_DATABASE_URL")) -> None:
    """Tạo hoặc nâng cấp cơ sở dữ liệu lên lược đồ mới nhất."""
    migrate(_engine(database_url))
    typer.echo("Đã cập nhật cơ sở dữ liệu.")


@app.command()
def demo(database_url: str = DB_OPTION,
         seed: int = typer.Option(None, help="Hạt giống (cùng số, cùng trường mẫu)"),
         classes_per_grade: int = 4, class_size: int = 40,
         schools: int = typer.Option(1, help="Số trường mẫu (một phòng GD&ĐT, tối đa 5)"),
         level: str = typer.Option("thcs", help="Cấp học: thcs (khối 6–9), thpt (khối "
                                   "10–12, có tổ hợp môn) hoặc thcs+thpt (trường nhiều cấp)"),
         with_scores: bool = typer.Option(True, help="Nhập sẵn một phần điểm học kì I")) -> None:
    """Tạo trường mẫu (THCS khối 6–9, hoặc THPT khối 10–12) nếu cơ sở dữ liệu còn trống."""
    from services.demo_school import DEMO_LEVELS, DEMO_SCHOOLS, THPT_SCHOOL

    level = level.strip().upper()
    if level not in DEMO_LEVELS:
        typer.echo(f"Cấp học «{level}» không có. Chọn một trong: "
                   f"{', '.join(lv.lower() for lv in DEMO_LEVELS)}.", err=True)
        raise typer.Exit(2)
    if not 1 <= schools <= (len(DEMO_SCHOOLS) if level == "THCS" else 1):
        typer.echo(f"Số trường mẫu từ 1 đến {len(DEMO_SCHOOLS)} (trường THCS của một phòng "
                   "GD&ĐT); trường mẫu THPT hoặc nhiều cấp chỉ tạo một trường.", err=True)
        raise typer.Exit(2)
    names = DEMO_SCHOOLS[:schools] if level == "THCS" else [THPT_SCHOOL]
    engine = _engine(database_url)
    migrate(engine)
    with Session(engine, expire_on_commit=False) as session:
        if demo_exists(session):
            typer.echo("Cơ sở dữ liệu đã có dữ liệu trường; không tạo thêm trường mẫu.")
            return
        admins = []
        for index, (code, name) in enumerate(names):
            school = build_demo_school(session, (seed or get_settings().demo_seed) + index,
                                       classes_per_grade, class_size, code, name, level)
            typer.echo(f"Đã tạo trường mẫu {name} ({code}): {len(school.class_ids)} lớp.")
            if with_scores:
                batches = fill_scores(session, school)
                absences = record_demo_absences(session, school)
                typer.echo(f"Đã nhập sẵn {batches} lượt điểm học kì I và {absences} lượt vắng.")
            admins.append((f"Trường {code}", school.admin_id, ADMIN_TITLE))
        if schools > 1:
            admins.append(_demo_district_office(session))
        _demo_password(session, admins)


def _demo_district_office(session: Session) -> tuple[str, int, str]:
    """The demo schools' district office and its read-only officer (CVP01)."""
    from services.district import create_office

    office, officer, _ = create_office(
        session, SystemClock(), code="PGD-TANBINH", name="Phòng GD&ĐT Quận Tân Bình",
        district="Quận Tân Bình", province="Thành phố Hồ Chí Minh", officer_code="CVP01",
        officer_name="Trần Thị Minh Châu", demo=True)
    typer.echo(f"Đã tạo {office.name} với tài khoản chuyên viên {officer.code} (chỉ xem, "
               "trang /admin/district).")
    return office.name, officer.id, OFFICER_TITLE


def _demo_password(session: Session, admins: list[tuple[str, int, str]]) -> None:
    """A one-time password for each demo school's admin, shown once and kept in a 0600
    file until the first sign-in (the same staff code may exist in every school)."""
    import secrets

    from models import Staff
    from services.accounts import set_password

    lines = []
    for label, staff_id, title in admins:
        password = secrets.token_urlsafe(9)
        set_password(session, SystemClock(), staff_id, password)
        code = session.get(Staff, staff_id).code
        lines += [code, password]
        if len(admins) > 1:
            typer.echo(f"{label}:")
        typer.echo(boxed_password(code, password, title))
    notice = get_settings().data_dir / PASSWORD_NOTICE
    notice.parent.mkdir(parents=True, exist_ok=True)
    notice.write_text("\n".join(lines) + "\n", encoding="utf-8")
    notice.chmod(0o600)


PASSWORD_NOTICE = "mat-khau-quan-tri-mot-lan.txt"


ADMIN_TITLE = "TÀI KHOẢN QUẢN TRỊ CỦA TRƯỜNG MẪU (chỉ hiện một lần — hãy ghi lại)"
OFFICER_TITLE = "TÀI KHOẢN CHUYÊN VIÊN PHÒNG, CHỈ XEM (chỉ hiện một lần — hãy ghi lại)"


def boxed_password(code: str, password: str, title: str = ADMIN_TITLE) -> str:
    """The one-time password, framed so it is not lost in the scroll (never logged)."""
    lines = [title,
             f"Mã đăng nhập: {code}    Mật khẩu: {password}", "Đăng nhập tại /admin/"]
    width = max(len(line) for line in lines) + 2
    return "\n".join(["╔" + "═" * width + "╗", *(f"║ {line.ljust(width - 2)} ║" for line in lines),
                      "╚" + "═" * width + "╝"])


def _print_pending_password() -> None:
    """Shown by `serve` as its last start-up line, once: then the file is gone."""
    notice = get_settings().data_dir / PASSWORD_NOTICE
    if notice.exists():
        words = notice.read_text(encoding="utf-8").split()
        notice.unlink()
        for code, password in zip(words[::2], words[1::2], strict=False):
            typer.echo(boxed_password(code, password))


@app.command("district-office")
def district_office_command(
        code: str = typer.Argument(..., help="Mã đơn vị, ví dụ PGD-TANBINH"),
        name: str = typer.Argument(..., help="Tên, ví dụ «Phòng GD&ĐT Quận Tân Bình»"),
        district: str = typer.Option(..., help="Quận/huyện, như ghi ở các trường"),
        province: str = typer.Option(..., help="Tỉnh/thành phố, như ghi ở các trường"),
        officer_code: str = typer.Option(..., help="Mã đăng nhập của chuyên viên"),
        officer_name: str = typer.Option(..., help="Họ tên chuyên viên"),
        database_url: str = DB_OPTION) -> None:
    """Tạo Phòng GD&ĐT và tài khoản chuyên viên (chỉ xem tiến độ, thống kê các trường cùng
    quận/huyện); in mật khẩu một lần."""
    from services.district import create_office
    from services.errors import DomainError

    with Session(_engine(database_url), expire_on_commit=False) as session:
        try:
            office, officer, password = create_office(
                session, SystemClock(), code=code, name=name, district=district,
                province=province, officer_code=officer_code, officer_name=officer_name)
        except DomainError as error:
            typer.echo(error.message, err=True)
            raise typer.Exit(1) from None
    typer.echo(f"Đã tạo {office.name}; chuyên viên {officer.full_name}: mã {officer.code}, "
               f"mật khẩu {password}")


@app.command("create-admin")
def create_admin_command(full_name: str, code: str, database_url: str = DB_OPTION
                         ) -> None:
    """Tạo tài khoản quản trị (người đầu tiên); in mật khẩu một lần."""
    from services.accounts import create_admin
    from services.errors import DomainError

    with Session(_engine(database_url), expire_on_commit=False) as session:
        try:
            staff, password = create_admin(session, SystemClock(), full_name, code)
        except DomainError as error:
            typer.echo(error.message, err=True)
            raise typer.Exit(1) from None
    typer.echo(f"Đã tạo quản trị {staff.full_name}: mã {staff.code}, mật khẩu {password}")


@app.command("audit-verify")
def audit_verify(database_url: str = DB_OPTION) -> None:
    """Kiểm tra toàn bộ nhật ký (chuỗi mã băm, niêm phong, điểm kiểm) và dựng lại từng ô điểm,
    lượt vắng để so với bảng; thoát mã 1 nếu có gì bị sửa, thêm, xóa hoặc cắt."""
    with Session(_engine(database_url)) as session:
        report = audit_verification.run(session, SystemClock(), "cli")
    typer.echo(report.summary())
    for line in report.lines():
        typer.echo(f"• {line}")
    raise typer.Exit(0 if report.ok else 1)


@app.command("correction-minutes")
def correction_minutes(request_id: int,
                       output: PdfOut,
                       database_url: str = DB_OPTION) -> None:
    """In biên bản sửa chữa dữ liệu (PDF) của một yêu cầu đã sửa."""
    from printing.minutes import minutes_pdf
    from services.correction_records import applied_facts
    from services.errors import DomainError

    with Session(_engine(database_url)) as session:
        try:
            facts = applied_facts(session, request_id)
        except DomainError as error:
            typer.echo(error.message, err=True)
            raise typer.Exit(1) from None
    output.write_bytes(minutes_pdf(facts))
    typer.echo(f"Đã ghi biên bản vào {output}.")


@app.command("corrections-summary")
def corrections_summary(output_dir: DirOut,
                        database_url: str = DB_OPTION) -> None:
    """Tổng hợp sửa chữa dữ liệu của năm học hiện hành (PDF và Excel)."""
    from printing.correction_summary import summary_pdf, summary_xlsx
    from services.correction_records import year_facts
    from services.school import current_year

    with Session(_engine(database_url)) as session:
        school = _school(session)
        year = current_year(session, school.id)
        facts = year_facts(session, year.id)
    output_dir.mkdir(parents=True, exist_ok=True)
    stem = f"tong-hop-sua-du-lieu-{year.name}"
    (output_dir / f"{stem}.pdf").write_bytes(summary_pdf(facts, school.name, year.name))
    (output_dir / f"{stem}.xlsx").write_bytes(summary_xlsx(facts, school.name, year.name))
    typer.echo(f"Đã ghi {len(facts)} yêu cầu vào {output_dir}/{stem}.pdf và .xlsx.")


def _find_class(session: Session, class_name: str) -> int:
    from services.directory import find_class
    from services.school import current_year

    school = _school(session)
    school_class = find_class(session, current_year(session, school.id).id, class_name)
    if school_class is None:
        typer.echo(f"Không có lớp {class_name}.", err=True)
        raise typer.Exit(1)
    return school_class.id


def _class_book(session: Session, class_name: str, what: str):
    from services.book_data import printed_class_book

    return printed_class_book(session, SystemClock(), _find_class(session, class_name), what)


def _document_signer():
    from printing import signing

    settings = get_settings()
    try:
        return signing.configured(settings)
    except signing.SigningError as error:
        typer.echo(error.args[0], err=True)
        raise typer.Exit(1) from None


def _traced(session: Session, book, kind: str, title: str, render, final: bool,
            signer) -> bytes:
    from printing.traced import signed_if_final, traced_pdf

    pdf = traced_pdf(session, SystemClock(), book.school_id, kind, title, render)
    return signed_if_final(pdf, signer, final, title, book.district)


def _signed_note(signer, final: bool) -> str:
    if not final:
        return " (BẢN NHÁP, không ký số)"
    return ", đã ký số" if signer else " (chưa ký số: chưa có chứng thư, xem sodiem keygen)"


@app.command("print-class")
def print_class(class_name: str, output: PdfOut,
                database_url: str = DB_OPTION) -> None:
    """In Sổ theo dõi và đánh giá học sinh của một lớp (PDF), mỗi trang có mã kiểm tra."""
    from printing.traced import class_book_document

    signer = _document_signer()
    with Session(_engine(database_url), expire_on_commit=False) as session:
        book, pdf = class_book_document(session, SystemClock(),
                                        _find_class(session, class_name), "sổ theo dõi", signer)
    output.write_bytes(pdf)
    reasons = f" — {'; '.join(book.draft_reasons())}" if book.draft else ""
    typer.echo(f"Đã in sổ lớp {book.class_name} vào {output}"
               f"{_signed_note(signer, not book.draft)}{reasons}.")


@app.command("confirmation-sheet")
def confirmation_sheet(class_name: str, term: int,
                       output: PdfOut,
                       database_url: str = DB_OPTION) -> None:
    """In bảng xác nhận kết quả học tập, rèn luyện của một lớp trong một học kì."""
    from printing.class_book import confirmation_sheet_pdf

    if term not in (1, 2):
        typer.echo(f"Học kì {term} không có: ghi 1 (học kì I) hoặc 2 (học kì II).", err=True)
        raise typer.Exit(1)
    signer = _document_signer()
    with Session(_engine(database_url), expire_on_commit=False) as session:
        book = _class_book(session, class_name, f"bảng xác nhận HK{term}")
        book.certificate = signer.fingerprint if signer else ""
        final = book.terms.get(term, False)
        pdf = _traced(session, book, "confirmation",
                      f"Bảng xác nhận kết quả lớp {book.class_name} học kì {term}",
                      lambda trace: confirmation_sheet_pdf(book, term, trace), final, signer)
    output.write_bytes(pdf)
    typer.echo(f"Đã in bảng xác nhận lớp {book.class_name} học kì {term} vào {output}"
               f"{_signed_note(signer, final)}.")


@app.command("attendance-sheet")
def attendance_sheet(class_name: str, month: str,
                     output: PdfOut,
                     database_url: str = DB_OPTION) -> None:
    """In bảng chuyên cần một tháng (ví dụ 9/2026) của một lớp để GVCN ký, trình BGH."""
    from printing.class_book import attendance_sheet_pdf

    month = _month(month)
    signer = _document_signer()
    with Session(_engine(database_url), expire_on_commit=False) as session:
        book = _class_book(session, class_name, f"bảng chuyên cần {month}")
        grid = next((g for g in book.attendance if f"{g.month:%m/%Y}" == month), None)
        if grid is None:
            typer.echo(f"Tháng {month} không thuộc năm học {book.year}.", err=True)
            raise typer.Exit(1)
        pdf = _traced(session, book, "attendance",
                      f"Chuyên cần tháng {month} lớp {book.class_name}",
                      lambda trace: attendance_sheet_pdf(book, grid, trace), grid.closed, signer)
    output.write_bytes(pdf)
    typer.echo(f"Đã in bảng chuyên cần tháng {month} lớp {book.class_name} vào {output}"
               f"{_signed_note(signer, grid.closed)}.")


@app.command("verify-print")
def verify_print(code: str, database_url: str = DB_OPTION) -> None:
    """Kiểm tra một trang in theo mã ở chân trang: các ô điểm còn đúng như khi in không."""
    from services.errors import DomainError
    from services.print_records import check_page

    with Session(_engine(database_url)) as session:
        try:
            result = check_page(session, code)
        except DomainError as error:
            typer.echo(error.message, err=True)
            raise typer.Exit(2) from None
        for line in result.lines():
            typer.echo(line)
    raise typer.Exit(0 if result.ok else 1)


def _month(text: str) -> str:
    """"9/2026", "09/2026" and "9-2026" all mean 09/2026."""
    import re

    match = re.fullmatch(r"\s*(\d{1,2})\s*[/.-]\s*(\d{4})\s*", text)
    if not match or not 1 <= int(match[1]) <= 12:
        typer.echo(f"Không hiểu tháng «{text}»: ghi tháng/năm, ví dụ 9/2026 hoặc 10/2026.",
                   err=True)
        raise typer.Exit(1)
    return f"{int(match[1]):02d}/{match[2]}"


@app.command("print-teacher")
def print_teacher(code: str, output: PdfOut, database_url: str = DB_OPTION) -> None:
    """In sổ theo dõi và đánh giá học sinh của một giáo viên (mã giáo viên), mọi lớp và môn."""
    from printing.class_book import teacher_book_pdf
    from services.book_data import teacher_book

    with Session(_engine(database_url), expire_on_commit=False) as session:
        school = _school(session)
        found = teacher_book(session, SystemClock(), school.id, code)
        if found is None:
            typer.echo(f"Không có giáo viên mã «{code}», hoặc giáo viên chưa được phân công dạy "
                       "lớp nào trong năm học.", err=True)
            raise typer.Exit(1)
        teacher, parts = found
        final = not any(book.draft for book, _ in parts)
        signer = _document_signer()
        pdf = _traced(session, parts[0][0], "teacher_book", f"Sổ của giáo viên {teacher}",
                      lambda trace: teacher_book_pdf(teacher, parts, trace), final, signer)
    output.write_bytes(pdf)
    typer.echo(f"Đã in sổ của giáo viên {teacher} ({len(parts)} lớp–môn) vào {output}"
               f"{_signed_note(signer, final)}.")


def _signer_key() -> tuple[str, str] | None:
    """(PKCS#12 path, password) of the school's certificate, checked now, or None."""
    from printing import signing

    try:
        return signing.configured_key(get_settings())
    except signing.SigningError as error:
        typer.echo(error.args[0], err=True)
        raise typer.Exit(1) from None


@app.command()
def keygen(school_name: str = typer.Option(None, "--name", help="Tên trường trên chứng thư"),
           output: Path = typer.Option(None, "-o", "--output",
                                       help="Tệp PKCS#12 (mặc định data/school-signing.p12)"),
           force: bool = typer.Option(False, "--force", help="Ghi đè chứng thư đang có")) -> None:
    """Tạo chứng thư số tự ký để thử ký sổ (trường thật dùng chứng thư do CA cấp)."""
    import secrets

    from printing import signing

    settings = get_settings()
    path = output or settings.data_dir / signing.DEFAULT_P12
    if path.exists() and not force:
        typer.echo(f"Đã có {path}; thêm --force để tạo chứng thư mới (sổ đã ký bằng chứng thư "
                   "cũ vẫn kiểm tra được bằng certificate.pem trong lưu trữ).", err=True)
        raise typer.Exit(1)
    if school_name is None:
        with Session(_engine(None)) as session:
            school = _school(session)
            school_name = school.name if school else "Trường thử nghiệm"
    password = secrets.token_urlsafe(18)
    fingerprint = signing.make_demo_certificate(path, school_name, password)
    secret = path.with_name(signing.DEFAULT_PASS)
    secret.write_text(password + "\n", encoding="utf-8")
    secret.chmod(0o600)
    typer.echo(f"Đã tạo chứng thư tự ký «{school_name}» vào {path} (mật khẩu trong {secret}).\n"
               f"Dấu vân tay SHA-256: {fingerprint}\n"
               "Đây là chứng thư thử: trình đọc PDF báo «đã ký, không bị sửa» nhưng chưa tin "
               "cậy người ký cho đến khi thêm chứng thư này vào danh sách tin cậy.")


@app.command()
def archive(output_dir: DirOut,
            database_url: str = DB_OPTION,
            workers: int = typer.Option(None, help="Số tiến trình in (mặc định: số lõi)"),
            draft: bool = typer.Option(
                False, "--draft", help="Lập bản nháp dù năm học chưa khóa, chưa chốt"),
            ) -> None:
    """Lập bộ lưu trữ cuối năm: sổ các lớp, sổ giáo viên, Excel, nhật ký, biên bản, manifest."""
    from printing.archive import ArchiveNotReady, build_archive
    from services.school import current_year

    engine = _engine(database_url)
    with Session(engine) as session:
        school = _school(session)
        year_id = current_year(session, school.id).id
    key = _signer_key()
    try:
        result = build_archive(engine, year_id, output_dir, SystemClock().now(), workers,
                               signer_key=key, draft=draft)
    except ArchiveNotReady as error:
        typer.echo(error.args[0], err=True)
        raise typer.Exit(1) from None
    typer.echo(f"Đã lập lưu trữ {result.folder} ({result.files} tệp"
               f"{', đã ký số' if key else ', CHƯA KÝ SỐ (sodiem keygen)'}"
               f"{', BẢN NHÁP' if draft else ''}). Kiểm tra bằng: "
               f"sodiem archive-verify {result.folder}")


@app.command("archive-verify")
def archive_verify(folder: Path,
                   fingerprint: str = typer.Option(
                       "", help="Dấu vân tay chứng thư in trên tờ danh mục (đối chiếu)"),
                   allow_unsigned: bool = typer.Option(
                       False, "--allow-unsigned", help="Chấp nhận lưu trữ chưa ký số")) -> None:
    """Kiểm tra lại một bộ lưu trữ (ví dụ chép từ đĩa CD): thiếu, thừa, bị sửa tệp nào, chữ
    ký số của manifest và của từng PDF."""
    from printing.archive import verify_archive

    result = verify_archive(folder, fingerprint, allow_unsigned)
    typer.echo(result.message())
    raise typer.Exit(0 if result.ok else 1)


@app.command()
def serve(database_url: str = DB_OPTION,
          host: str = typer.Option(None, help="Địa chỉ nghe (mặc định SODIEM_ADMIN_HOST)"),
          port: int = typer.Option(None, help="Cổng (mặc định SODIEM_ADMIN_PORT, 8000)"),
          workers: int = typer.Option(1, help="Số tiến trình phục vụ (nhiều bản sao cần "
                                              "PostgreSQL và bot ở chế độ webhook)"),
          force_demo_mode: bool = typer.Option(
              False, "--force-demo-mode",
              help="Bật chế độ thử dù cơ sở dữ liệu có trường thật (ghi vào nhật ký)")) -> None:
    """Chạy máy chủ web: trang trạng thái, trang quản trị, bot và lịch nhắc."""
    import uvicorn

    settings = get_settings()
    engine = _engine(database_url)
    _refuse_replicas(engine, settings, workers)
    migrate(engine)
    _check_demo_mode(engine, settings.demo_mode, force_demo_mode)
    host, port = host or settings.admin_host, port or settings.admin_port
    _announce(settings)
    _refuse_busy_port(host, port)
    typer.echo(f"Mở http://{host}:{port}/ để xem trạng thái hệ thống. Nhấn Ctrl+C để dừng.")
    _print_pending_password()
    if workers > 1:
        if database_url:
            os.environ["SODIEM_DATABASE_URL"] = database_url
        typer.echo(f"{workers} tiến trình phục vụ; lịch nhắc và gửi tin chạy ở một tiến trình "
                   "được bầu (khóa trên PostgreSQL), tiến trình khác thay trong vài giây nếu "
                   "nó dừng.")
        engine.dispose()
        uvicorn.run("admin.asgi:app_from_settings", factory=True, workers=workers, host=host,
                    port=port, log_level="warning")
        return
    from admin.asgi import build_app

    uvicorn.run(build_app(settings, engine), host=host, port=port, log_level="warning")


def _refuse_replicas(engine, settings, workers: int) -> None:
    """Replicas need one shared engine and bots that do not poll."""
    problem = ""
    if workers < 1:
        problem = "Số tiến trình (--workers) phải từ 1 trở lên."
    elif workers > 1 and engine.dialect.name != "postgresql":
        problem = ("SQLite chỉ phục vụ một tiến trình. Chạy nhiều bản sao cần PostgreSQL: "
                   "đặt SODIEM_DATABASE_URL=postgresql+psycopg://… rồi chạy lại.")
    elif workers > 1 and settings.telegram_token and settings.telegram_mode != "webhook":
        problem = ("Bot Telegram ở chế độ polling chỉ chạy trong một tiến trình. Đặt "
                   "SODIEM_TELEGRAM_MODE=webhook để chạy nhiều bản sao.")
    elif workers > 1 and settings.zalo_token and settings.zalo_mode != "webhook":
        problem = ("Bot Zalo ở chế độ polling chỉ chạy trong một tiến trình. Đặt "
                   "SODIEM_ZALO_MODE=webhook để chạy nhiều bản sao.")
    if problem:
        typer.echo(problem, err=True)
        raise typer.Exit(2)


def _announce(settings) -> None:
    if settings.telegram_token:
        typer.echo(f"Bot Telegram chạy ở chế độ {settings.telegram_mode}.")
    else:
        typer.echo("Chưa có SODIEM_TELEGRAM_TOKEN: bot Telegram chưa chạy. Sao chép "
                   ".env.example thành .env và điền mã bot lấy từ @BotFather.")
    if settings.zalo_token:
        typer.echo(f"Bot Zalo chạy ở chế độ {settings.zalo_mode}.")


def _check_demo_mode(engine, demo_mode: bool, forced: bool) -> None:
    if not demo_mode:
        return
    with Session(engine) as session:
        refused = demo_guard.refusal(session)
        if refused and not forced:
            typer.echo(refused, err=True)
            raise typer.Exit(2)
        if refused:
            demo_guard.record_forced(session, SystemClock(), refused)
            typer.echo("CẢNH BÁO: chế độ thử bị ép bật trên dữ liệu thật; đã ghi vào nhật ký.",
                       err=True)
    typer.echo("Chế độ thử đang bật: trang quản trị có “Trò chuyện thử”, nói thay mọi người.")


def _refuse_busy_port(host: str, port: int) -> None:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            typer.echo(f"Cổng {port} đang bận (có thể sổ điểm đã chạy ở cửa sổ khác). Dừng "
                       f"chương trình kia, hoặc chạy với cổng khác: --port {port + 1}.", err=True)
            raise typer.Exit(EXIT_ERROR) from None


EXIT_ERROR = 3  # not 1: `audit-verify` exits 1 for "tampered", and only for that


def main() -> None:
    """The `sodiem` command: an unexpected error is one Vietnamese line, not a traceback."""
    try:
        code = app(standalone_mode=False)  # click returns an Exit's code in this mode
    except click.exceptions.Exit as done:
        raise SystemExit(done.exit_code) from None
    except click.ClickException as error:
        error.show()
        raise SystemExit(2) from None
    except click.exceptions.Abort:
        raise SystemExit(130) from None
    except Exception as error:
        first = (str(error).splitlines() or [""])[0][:160]
        hint = ("cơ sở dữ liệu trống hoặc sai đường dẫn (chạy `.venv/bin/sodiem init-db` hay "
                "`demo` trước)" if "no such table" in first or "does not exist" in first
                else type(error).__name__)
        typer.echo(f"Lỗi: {hint}: {first}. Chạy lệnh trong thư mục dự án (có .env), hoặc đặt "
                   "SODIEM_DATABASE_URL trỏ tới cơ sở dữ liệu; chi tiết: SODIEM_DEBUG=1.",
                   err=True)
        if os.environ.get("SODIEM_DEBUG"):
            raise
        raise SystemExit(EXIT_ERROR) from None
    if isinstance(code, int) and code:
        raise SystemExit(code)


if __name__ == "__main__":
    main()
