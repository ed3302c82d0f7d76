"""Plain words that are not a score or absence message: a typed "ok" or "huỷ" for the
open preview, a greeting, a question ("còn thiếu cột nào", "điểm tb lớp 6a1 môn toán",
"lớp 6a1 ai vắng hôm nay"). Each is routed to what a button or a command would do."""

import re
from datetime import timedelta

from core.text import fold
from handlers import texts
from handlers.context import Context
from handlers.events import Reply
from handlers.score_reading import CLASS_NAME

CONFIRM_WORDS = {"ok", "oke", "okay", "xac nhan", "dong y", "dung roi", "luu", "co", "yes"}
CANCEL_WORDS = {"huy", "huy bo", "thoi", "bo", "khong", "no", "cancel"}
GREETINGS = {"chao", "xin chao", "hello", "hi", "alo", "chao bot", "chao ban", "hey",
             "chao thay", "chao co", "a lo"}


def typed_answer(text: str) -> str | None:
    """"ok" → "ok", "huỷ" → "no": the verb a Xác nhận / Hủy button would carry."""
    words = fold(re.sub(r"[.!?,]+", " ", text))
    if words in CONFIRM_WORDS:
        return "ok"
    if words in CANCEL_WORDS:
        return "no"
    return None


def route(ctx: Context, text: str, views: dict) -> list[Reply] | None:
    """A greeting or a one-line question, answered by the matching view; None otherwise."""
    if "\n" in text.strip():
        return None
    words = fold(re.sub(r"[?.!,:]+", " ", text))
    if words in GREETINGS or any(words.startswith(g + " ") for g in ("chao", "xin chao")):
        return [Reply(texts.GREETING.format(name=ctx.staff.full_name))]
    class_text = next((w for w in words.split() if CLASS_NAME.fullmatch(w)), "")
    if re.search(r"\b(ai vang|vang nhung ai|ai nghi|diem danh)\b", words) and class_text:
        return views["absences_of_day"](ctx, class_text, _day_in(words, ctx))
    if re.search(r"\b(con thieu|thieu cot|tien do|chua nhap|cot nao)\b", words):
        return views["tiendo"](ctx, "")
    if re.search(r"\b(diem tb|diem trung binh|trung binh|dtb|ket qua|xep loai)\b", words) \
            and class_text:
        subject = _subject_after(words, class_text)
        return views["ketqua"](ctx, f"{class_text} {subject}".strip())
    if re.search(r"\b(danh sach lop|ds lop)\b", words) and class_text:
        return views["lop"](ctx, class_text)
    if re.search(r"\b(cho duyet|yeu cau sua)\b", words):
        return views["choduyet"](ctx, "")
    return None


def _day_in(words: str, ctx: Context):
    if "hom qua" in words:
        return ctx.today - timedelta(days=1)
    return ctx.today


def _subject_after(words: str, class_text: str) -> str:
    """"điểm tb lớp 6a1 môn toán" → "toan": the words after "môn", else after the class."""
    if re.search(r"\bmon\b", words):
        return re.split(r"\bmon\b", words, maxsplit=1)[1].strip()
    return words.split(class_text, 1)[1].strip()
