"""Playing a teacher against the conversation handlers, with no network."""

import itertools
from dataclasses import dataclass, field

from sqlmodel import Session

from handlers.conversation import handle
from handlers.events import Incoming, Reply
from services.linking import create_invite

_updates = itertools.count(1)


@dataclass
class Phone:
    """One chat account talking to the bot."""

    engine: object
    clock: object
    user_id: str
    channel: str = "telegram"
    last: list[Reply] = field(default_factory=list)

    def say(self, text: str, update_key: str | None = None) -> list[Reply]:
        return self._send(Incoming(self.channel, self.user_id, self.user_id, text=text,
                                   update_key=update_key or f"u{next(_updates)}"))

    def press(self, label: str, reply: Reply | None = None) -> list[Reply]:
        reply = reply or self.last[-1]
        button = next(b for row in reply.button_rows() for b in row if b.label == label)
        return self.press_data(button.data)

    def press_data(self, data: str) -> list[Reply]:
        return self._send(Incoming(self.channel, self.user_id, self.user_id, button_data=data,
                                   update_key=f"u{next(_updates)}"))

    def _send(self, event: Incoming) -> list[Reply]:
        with Session(self.engine, expire_on_commit=False) as session:
            self.last = handle(session, self.clock, event)
        return self.last


def linked_phone(engine, clock, school, staff_id: int, user_id: str) -> Phone:
    with Session(engine, expire_on_commit=False) as session:
        invite = create_invite(session, clock, school.admin_id, staff_id)
    phone = Phone(engine, clock, user_id)
    phone.say(f"/start {invite.code}")
    return phone
