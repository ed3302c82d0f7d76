"""The entry point every transport calls: one incoming event in, replies out."""

import logging

from sqlmodel import Session

from core.clock import Clock
from core.text import clean_input
from handlers import texts
from handlers.absence_entry import confirm_absences_preview, preview_absences
from handlers.absence_prompt import on_absence_button
from handlers.context import Context
from handlers.correction_entry import (
    REJECT_KINDS,
    back_to_decision,
    edit_reject_reason,
    is_correction_message,
    lapsed_reject_prompt,
    list_pending,
    on_decision_button,
    on_reject_text,
    preview_correction,
    reject_with_reason,
    send_absence_correction,
    send_correction,
)
from handlers.documents import class_book_link, minutes_link
from handlers.events import Incoming, Reply
from handlers.intents import route, typed_answer
from handlers.parse import is_absence_message
from handlers.score_entry import confirm_scores, missing_students, preview_scores
from handlers.score_reading import looks_like_score_header
from handlers.unlock_entry import ask_reason, on_reason_text
from handlers.unlock_entry import on_decision as on_unlock_decision
from handlers.views import LEADERS, absences_of_day, class_list, my_progress, results
from models import Staff
from services import pending
from services.errors import DomainError
from services.linking import identify, redeem_invite, unlink
from services.permissions import roles_of

log = logging.getLogger(__name__)
VIEWS = {"tiendo": my_progress, "ketqua": results, "lop": class_list,
         "choduyet": lambda ctx, args: list_pending(ctx, args),
         "absences_of_day": absences_of_day}
COMMANDS = {"help": lambda ctx, args: [Reply(texts.HELP)], "lop": class_list,
            "tiendo": my_progress, "ketqua": results, "choduyet": list_pending,
            "chuaco": missing_students, "bienban": minutes_link, "so": class_book_link}
CONFIRMERS = {"scores": confirm_scores, "absences": confirm_absences_preview,
              "correction": send_correction, "absence_fix": send_absence_correction,
              "unlock_ask": ask_reason}


def handle(session: Session, clock: Clock, event: Incoming) -> list[Reply]:
    """Never lets an exception escape unanswered: a failure is rolled back, logged with
    the update's id, and the person is told what to do."""
    try:
        replies = _handle(session, clock, event)
        session.commit()  # the update's de-duplication, if nothing committed it yet
        return replies
    except Exception:
        session.rollback()
        log.exception("update %s:%s failed", event.channel, event.update_key)
        if event.update_key:  # a redelivery of this update is tried again, not dropped
            pending.forget(session, event.channel, event.update_key)
        return [Reply(texts.INTERNAL_ERROR.format(code=event.update_key or "?"))]


def _handle(session: Session, clock: Clock, event: Incoming) -> list[Reply]:
    if event.update_key and not pending.first_time(session, clock, event.channel,
                                                   event.update_key):
        return []
    text = clean_input(event.text).strip()
    command, args = _command(text)
    if command == "start" and args:
        return _link(session, clock, event, args)
    staff = identify(session, event.channel, event.user_id)
    if staff is None:
        return [Reply(texts.UNKNOWN_CHAT)]
    ctx = Context(session, clock, staff, event.channel, event.chat_id, event.update_key,
                  event.user_id)
    if event.button_data:
        return on_button(ctx, event.button_data)
    if command:
        return _on_command(ctx, command, args)
    awaiting = pending.latest_pending(session, staff.id, event.chat_id)
    if awaiting is not None and awaiting.kind in REJECT_KINDS:
        return on_reject_text(ctx, awaiting, text)
    if awaiting is not None and awaiting.kind == "unlock_reason":
        return on_reason_text(ctx, awaiting, text)
    if text.isdigit() and len(text) <= 2:
        data, choices = pending.chosen(session, clock, staff.id, event.chat_id, int(text))
        if choices is not None:
            return on_button(ctx, data) if data else [Reply(texts.NO_SUCH_CHOICE)]
    if text in ("1", "2"):
        return _numbered_choice(ctx, text)
    answer = typed_answer(text)
    if answer is not None:
        return _typed_choice(ctx, answer)
    if is_absence_message(text):
        return preview_absences(ctx, text)
    if is_correction_message(text):
        return preview_correction(ctx, text)
    routed = route(ctx, text, VIEWS)
    if routed is not None:
        return routed
    if len(text.splitlines()) < 2 and ":" not in text and not looks_like_score_header(text):
        return [Reply(texts.DONT_UNDERSTAND)]
    return preview_scores(ctx, text)


def _command(text: str) -> tuple[str | None, str]:
    if not text.startswith("/"):
        return None, ""
    head, _, args = text[1:].partition(" ")
    return head.split("@")[0].lower(), args.strip()


def _link(session: Session, clock: Clock, event: Incoming, code: str) -> list[Reply]:
    try:
        staff = redeem_invite(session, clock, code, event.channel, event.user_id, event.chat_id)
    except DomainError as error:
        return [Reply(error.message)]
    return [Reply(texts.LINKED.format(name=staff.full_name), commands=menu(session, staff))]


def menu(session: Session, staff: Staff) -> list[tuple[str, str]]:
    leader = roles_of(session, staff.id) & LEADERS
    return texts.LEADER_COMMANDS if leader else texts.TEACHER_COMMANDS


def _on_command(ctx: Context, command: str, args: str) -> list[Reply]:
    if command == "start":
        return [Reply(texts.WELCOME_BACK.format(name=ctx.staff.full_name),
                      commands=menu(ctx.session, ctx.staff))]
    if command == "huylienket":
        done = unlink(ctx.session, ctx.clock, ctx.channel, ctx.user_id)
        return [Reply(texts.UNLINKED if done else texts.NOT_LINKED, commands=[])]
    action = COMMANDS.get(command)
    if action is None:
        return [Reply(f"Không có lệnh /{command}. Gõ /help để xem các lệnh.")]
    try:
        return action(ctx, args)
    except DomainError as error:
        return [Reply(error.message)]


def on_button(ctx: Context, data: str) -> list[Reply]:
    verb, _, token = data.partition(":")
    if verb in ("cy", "cn", "cw"):
        return on_decision_button(ctx, verb, token)
    if verb in ("uy", "un"):
        return on_unlock_decision(ctx, verb, token)
    if verb == "ax":
        return on_absence_button(ctx, data)
    try:
        claimed = pending.claim(ctx.session, ctx.clock, token, ctx.staff.id)
    except DomainError as error:
        return [Reply(error.message), *lapsed_reject_prompt(ctx, token)]
    kind = claimed.action.kind
    if kind in REJECT_KINDS:
        return _on_reject_button(ctx, verb, claimed)
    if verb == "no":
        if not pending.close(ctx.session, ctx.clock, claimed.action, "cancelled"):
            return [Reply(pending.status_text(claimed.action))]
        return [Reply(texts.CANCELLED, replace_original=True)]
    if verb != "ok" or kind not in CONFIRMERS:
        return [Reply("Nút không hợp lệ.")]
    return CONFIRMERS[kind](ctx, claimed)


def _on_reject_button(ctx: Context, verb: str, claimed: pending.Claimed) -> list[Reply]:
    if verb == "no":
        return back_to_decision(ctx, claimed)
    if verb == "re":
        return edit_reject_reason(ctx, claimed)
    if verb == "ok" and claimed.action.kind == "reject_confirm":
        return reject_with_reason(ctx, claimed)
    return [Reply("Nút không hợp lệ.")]


def _numbered_choice(ctx: Context, digit: str) -> list[Reply]:
    """For transports without buttons: "1" confirms, "2" cancels the latest preview."""
    return _typed_choice(ctx, "ok" if digit == "1" else "no")


def _typed_choice(ctx: Context, verb: str) -> list[Reply]:
    """"1", "ok", "xác nhận", "đồng ý" / "2", "huỷ": the latest open preview's buttons."""
    action = pending.latest_pending(ctx.session, ctx.staff.id, ctx.chat_id)
    if action is None:
        return [Reply(texts.NOTHING_PENDING)]
    return on_button(ctx, f"{verb}:{action.token}")
