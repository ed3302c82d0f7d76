"""The command line a newcomer runs: init-db, demo, audit-verify."""

from sqlalchemy import text
from typer.testing import CliRunner

from admin.cli import app
from models.db import make_engine


def test_demo_then_verify_on_an_empty_sqlite_file(tmp_path):
    url = f"sqlite:///{tmp_path / 'sodiem.db'}"
    runner = CliRunner()
    created = runner.invoke(app, ["demo", "--database-url", url, "--classes-per-grade", "1",
                                  "--class-size", "8"])
    assert created.exit_code == 0, created.output
    assert "Đã tạo trường mẫu Trường THCS Ngô Sĩ Liên (THCS-NSL): 4 lớp." in created.output
    again = runner.invoke(app, ["demo", "--database-url", url])
    assert "không tạo thêm" in again.output
    verified = runner.invoke(app, ["audit-verify", "--database-url", url])
    assert verified.exit_code == 0 and "toàn vẹn" in verified.output
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE auditentry SET via = 'sửa lén' WHERE seq = 5"))
    engine.dispose()
    tampered = runner.invoke(app, ["audit-verify", "--database-url", url])
    assert tampered.exit_code == 1 and "bản ghi số 5" in tampered.output


def test_init_db_is_repeatable(tmp_path):
    url = f"sqlite:///{tmp_path / 'x.db'}"
    runner = CliRunner()
    for _ in range(2):
        result = runner.invoke(app, ["init-db", "--database-url", url])
        assert result.exit_code == 0 and "Đã cập nhật" in result.output


def test_demo_with_three_schools_and_commands_that_ask_which(tmp_path, monkeypatch):
    """`demo --schools 3` seeds a small district; commands then need --school."""
    monkeypatch.setenv("SODIEM_DATA_DIR", str(tmp_path))
    from core.config import get_settings

    get_settings.cache_clear()
    url = f"sqlite:///{tmp_path / 'phong.db'}"
    runner = CliRunner()
    try:
        made = runner.invoke(app, ["demo", "--database-url", url, "--schools", "3",
                                   "--classes-per-grade", "1", "--class-size", "4",
                                   "--no-with-scores"])
        assert made.exit_code == 0, made.output
        for name in ("Trường THCS Ngô Sĩ Liên", "Trường THCS Trần Văn Ơn",
                     "Trường THCS Lê Quý Đôn"):
            assert name in made.output
        assert made.output.count("Mật khẩu:") == 4  # three admins and the district officer
        assert "TÀI KHOẢN CHUYÊN VIÊN PHÒNG" in made.output
        which = runner.invoke(app, ["print-class", "6A1", "-o", str(tmp_path / "a.pdf"),
                                    "--database-url", url])
        assert which.exit_code == 1 and "THCS-TVO" in which.output
        assert "PGD-TANBINH" not in which.output  # the office is no school to print
        printed = runner.invoke(app, ["--school", "thcs-tvo", "print-class", "6A1", "-o",
                                      str(tmp_path / "a.pdf"), "--database-url", url])
        assert printed.exit_code == 0, printed.output
        from pypdf import PdfReader

        cover = PdfReader(str(tmp_path / "a.pdf")).pages[0].extract_text()
        assert "TRƯỜNG THCS TRẦN VĂN ƠN" in cover
        unknown = runner.invoke(app, ["--school", "XYZ", "archive", "-o", str(tmp_path),
                                      "--database-url", url])
        assert unknown.exit_code == 1 and "Không có trường mã «XYZ»" in unknown.output
    finally:
        get_settings.cache_clear()
