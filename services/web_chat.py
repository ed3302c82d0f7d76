"""The panel's web chat transcript, stored so that every replica shows the same one."""

import json

from sqlmodel import Session, select

from core.clock import Clock
from models import WebChatLine

SHOWN = 200  # lines of a conversation shown on the page


def transcript(session: Session, admin_id: int, as_staff_id: int) -> list[tuple]:
    """(speaker, text, button rows as (label, data), table cells or None), oldest first."""
    rows = session.exec(select(WebChatLine).where(
        WebChatLine.admin_id == admin_id, WebChatLine.as_staff_id == as_staff_id)
        .order_by(WebChatLine.id.desc()).limit(SHOWN)).all()
    return [(r.speaker, r.text, json.loads(r.buttons) if r.buttons else [],
             json.loads(r.table) if r.table else None) for r in reversed(rows)]


def add(session: Session, clock: Clock, admin_id: int, as_staff_id: int, speaker: str,
        text: str, buttons: list | None = None, table: list | None = None) -> None:
    """Add a line (the caller commits)."""
    session.add(WebChatLine(admin_id=admin_id, as_staff_id=as_staff_id, speaker=speaker,
                            text=text, buttons=json.dumps(buttons or [], ensure_ascii=False),
                            table=json.dumps(table, ensure_ascii=False) if table else "",
                            at=clock.now()))
