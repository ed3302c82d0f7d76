"""What a newcomer sees on the terminal: the one-time password boxed and last, a busy
port explained, an error outside the project in one line with its own exit code."""

import socket
import subprocess
import sys

import pytest
import typer

from admin import cli
from core.text import vietnamese_key


def test_the_demo_password_is_boxed_and_shown_once_more_by_serve(tmp_path, monkeypatch,
                                                                 capsys):
    monkeypatch.setattr(cli, "get_settings", lambda: type("S", (), {"data_dir": tmp_path})())
    (tmp_path / cli.PASSWORD_NOTICE).write_text("GV004\nmat-khau-mot-lan\n")
    cli._print_pending_password()
    shown = capsys.readouterr().out
    assert "╔" in shown and "mat-khau-mot-lan" in shown and "GV004" in shown
    assert not (tmp_path / cli.PASSWORD_NOTICE).exists()  # printed once
    cli._print_pending_password()
    assert capsys.readouterr().out == ""


def test_a_busy_port_is_one_vietnamese_line_with_the_fix(capsys):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(typer.Exit) as stopped:
            cli._refuse_busy_port("127.0.0.1", port)
    assert stopped.value.exit_code == cli.EXIT_ERROR
    assert f"--port {port + 1}" in capsys.readouterr().err


def test_an_error_outside_the_project_is_one_line_and_not_the_tampered_code(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "admin.cli", "print-class", "6A1", "-o", str(tmp_path / "x.pdf"),
         "--database-url", f"sqlite:///{tmp_path / 'trong.db'}"],
        capture_output=True, text=True, cwd=str(tmp_path.parent),
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(__import__("pathlib").Path(
            __file__).resolve().parent.parent), "SODIEM_AUDIT_KEY": "k",
             "SODIEM_DATA_DIR": str(tmp_path)})
    assert result.returncode == cli.EXIT_ERROR, result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert result.stderr.startswith("Lỗi:")


def test_names_sort_in_vietnamese_order():
    names = ["Trần Thị Đào", "Lê Văn Dung", "Vũ Thị Ánh", "Phạm Anh", "Lý Thị Ư", "Lê Văn Uy",
             "Đỗ Văn An", "Nguyễn Văn Dũng"]
    assert sorted(names, key=vietnamese_key) == [
        "Đỗ Văn An", "Phạm Anh", "Vũ Thị Ánh", "Lê Văn Dung", "Nguyễn Văn Dũng",
        "Trần Thị Đào", "Lê Văn Uy", "Lý Thị Ư"]
