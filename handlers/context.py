"""What every conversation step needs: the database, the time, who is speaking."""

from dataclasses import dataclass
from datetime import date
from functools import cached_property

from sqlmodel import Session

from core.clock import Clock, today
from models import SchoolYear, Staff
from services.school import current_year


@dataclass
class Context:
    session: Session
    clock: Clock
    staff: Staff
    channel: str
    chat_id: str
    update_key: str
    user_id: str = ""

    @cached_property
    def year(self) -> SchoolYear:
        return current_year(self.session, self.staff.school_id)

    @property
    def today(self) -> date:
        return today(self.clock)

    @property
    def via(self) -> str:
        return f"{self.channel}:{self.update_key}"
