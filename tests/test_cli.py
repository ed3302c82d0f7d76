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
    assert "Đã tạo trường mẫu: 4 lớp." in created.output
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
