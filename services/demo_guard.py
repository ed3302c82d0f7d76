"""Demo mode lets an admin speak as anyone through the web chat: fine for the demo
school, an impersonation tool anywhere else. So it runs only on a database whose every
school was made by `sodiem demo`, unless forced — and forcing it is itself audited."""

from sqlmodel import Session, select

from core.clock import Clock
from models import School
from services import audit


def refusal(session: Session) -> str | None:
    """Why demo mode may not run on this database, or None if it may."""
    real = session.exec(select(School).where(School.demo == False)).all()  # noqa: E712
    if not real:
        return None
    names = ", ".join(school.name for school in real[:3])
    return (f"Không bật được chế độ thử (SODIEM_DEMO_MODE): cơ sở dữ liệu có trường thật "
            f"({names}), không phải trường mẫu. Ở chế độ thử, quản trị nói thay được bất kỳ "
            "ai. Tắt SODIEM_DEMO_MODE, hoặc nếu thật sự cần, chạy lại với --force-demo-mode "
            "(việc này được ghi vào nhật ký).")


def record_forced(session: Session, clock: Clock, reason: str) -> None:
    """Logged in every school's chain: each of them was exposed."""
    for school in session.exec(select(School)).all():
        audit.append(session, clock, actor_id=None, action="demo.forced", entity="school",
                     entity_id=school.id, new={"reason": reason}, via="cli:serve",
                     school_id=school.id)
    session.commit()
