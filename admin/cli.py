"""`sodiem` command line: set up the database, seed the demo school, serve, verify."""

from pathlib import Path
from typing import Annotated

import typer
from sqlmodel import Session, select

from core.config import get_settings
from models import School
from models.db import make_engine, migrate
from services import audit
from services.demo_school import (
    build_demo_school,
    demo_exists,
    fill_scores,
    record_demo_absences,
)

app = typer.Typer(help="Sổ gọi tên và ghi điểm điện tử", no_args_is_help=True,
                  add_completion=False)


def _engine(database_url: str | None):
    return make_engine(database_url or get_settings().database_url)


@app.command("init-db")
def init_db(database_url: str = typer.Option(None, help="Mặc định: SODIEM_DATABASE_URL")) -> None:
    """Tạo hoặc nâng cấp cơ sở dữ liệu lên lược đồ mới nhất."""
    migrate(_engine(database_url))
    typer.echo("Đã cập nhật cơ sở dữ liệu.")


@app.command()
def demo(database_url: str = typer.Option(None), seed: int = typer.Option(None),
         classes_per_grade: int = 4, class_size: int = 40,
         with_scores: bool = typer.Option(True, help="Nhập sẵn một phần điểm học kì I")) -> None:
    """Tạo trường mẫu (THCS, khối 6–9) nếu cơ sở dữ liệu còn trống."""
    engine = _engine(database_url)
    migrate(engine)
    with Session(engine, expire_on_commit=False) as session:
        if demo_exists(session):
            typer.echo("Cơ sở dữ liệu đã có dữ liệu trường; không tạo thêm trường mẫu.")
            return
        school = build_demo_school(session, seed or get_settings().demo_seed,
                                   classes_per_grade, class_size)
        typer.echo(f"Đã tạo trường mẫu: {len(school.class_ids)} lớp.")
        if with_scores:
            batches = fill_scores(session, school)
            absences = record_demo_absences(session, school)
            typer.echo(f"Đã nhập sẵn {batches} lượt điểm học kì I và {absences} lượt vắng.")


@app.command("audit-verify")
def audit_verify(database_url: str = typer.Option(None)) -> None:
    """Kiểm tra chuỗi mã băm của nhật ký; thoát mã 1 nếu có bản ghi bị sửa hoặc xóa."""
    with Session(_engine(database_url)) as session:
        result = audit.verify(session)
    typer.echo(result.message())
    raise typer.Exit(0 if result.ok else 1)


@app.command("correction-minutes")
def correction_minutes(request_id: int,
                       output: Annotated[Path, typer.Option("-o", "--output")],
                       database_url: str = typer.Option(None)) -> None:
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
def corrections_summary(output_dir: Annotated[Path, typer.Option("-o", "--output-dir")],
                        database_url: str = typer.Option(None)) -> None:
    """Tổng hợp sửa chữa dữ liệu của năm học hiện hành (PDF và Excel)."""
    from printing.correction_summary import summary_pdf, summary_xlsx
    from services.correction_records import year_facts
    from services.school import current_year

    with Session(_engine(database_url)) as session:
        school = session.exec(select(School)).first()
        year = current_year(session, school.id)
        facts = year_facts(session, year.id)
    output_dir.mkdir(parents=True, exist_ok=True)
    stem = f"tong-hop-sua-du-lieu-{year.name}"
    (output_dir / f"{stem}.pdf").write_bytes(summary_pdf(facts, school.name, year.name))
    (output_dir / f"{stem}.xlsx").write_bytes(summary_xlsx(facts, school.name, year.name))
    typer.echo(f"Đã ghi {len(facts)} yêu cầu vào {output_dir}/{stem}.pdf và .xlsx.")


@app.command()
def serve(database_url: str = typer.Option(None), host: str = typer.Option(None),
          port: int = typer.Option(None)) -> None:
    """Chạy máy chủ web (trang trạng thái; trang quản trị khi có)."""
    import uvicorn

    from admin.status_app import create_app

    settings = get_settings()
    engine = _engine(database_url)
    migrate(engine)
    host, port = host or settings.admin_host, port or settings.admin_port
    telegram = None
    if settings.telegram_token:
        from bot.telegram_adapter import build_application
        from core.clock import SystemClock

        telegram = build_application(settings.telegram_token, engine, SystemClock(),
                                     base_url=settings.telegram_api_url or None)
        typer.echo(f"Bot Telegram chạy ở chế độ {settings.telegram_mode}.")
    else:
        typer.echo("Chưa có SODIEM_TELEGRAM_TOKEN: bot Telegram chưa chạy. Sao chép "
                   ".env.example thành .env và điền mã bot lấy từ @BotFather.")
    typer.echo(f"Mở http://{host}:{port}/ để xem trạng thái hệ thống. Nhấn Ctrl+C để dừng.")
    uvicorn.run(create_app(engine, settings, telegram), host=host, port=port,
                log_level="warning")


def main() -> None:  # pragma: no cover
    Path("data").mkdir(exist_ok=True)
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
