"""Demo mode is off unless asked for, and never quietly on over a real school."""

from pathlib import Path

import pytest
import typer
from sqlmodel import select

from admin.cli import _check_demo_mode
from core.config import Settings
from models import AuditEntry, School
from services import demo_guard

ROOT = Path(__file__).resolve().parent.parent


def test_demo_mode_is_off_by_default_in_code_and_in_the_example_settings(monkeypatch):
    monkeypatch.delenv("SODIEM_DEMO_MODE", raising=False)
    assert Settings(_env_file=None).demo_mode is False
    assert "SODIEM_DEMO_MODE=false" in (ROOT / ".env.example").read_text()
    assert 'SODIEM_DEMO_MODE="${SODIEM_DEMO_MODE:-true}"' in (ROOT / "scripts/run.sh").read_text()


def test_the_demo_school_allows_demo_mode(db, session):
    assert demo_guard.refusal(session) is None
    engine, _ = db
    _check_demo_mode(engine, True, False)  # no exit


def _add_real_school(session):
    session.add(School(code="THPT-BK", name="Trường THPT Bình Khánh"))
    session.commit()


def test_serve_refuses_demo_mode_on_a_real_school(db, session):
    _add_real_school(session)
    assert "Trường THPT Bình Khánh" in demo_guard.refusal(session)
    engine, _ = db
    with pytest.raises(typer.Exit) as stopped:
        _check_demo_mode(engine, True, False)
    assert stopped.value.exit_code == 2
    _check_demo_mode(engine, False, False)  # demo mode off: nothing to refuse


def test_forcing_demo_mode_is_audited(db, session):
    _add_real_school(session)
    engine, _ = db
    _check_demo_mode(engine, True, True)
    session.expire_all()
    forced = session.exec(select(AuditEntry).where(AuditEntry.action == "demo.forced")).all()
    schools = session.exec(select(School.id)).all()  # every school was exposed: each chain says so
    assert sorted(e.chain for e in forced) == sorted(schools) and len(schools) == 2
    assert all("Bình Khánh" in e.new for e in forced)
