"""Reading a teacher's absence message into a draft; pure text work, no database.

Absence message: "vắng <lớp> [ngày] [sáng|chiều] <số thứ tự hoặc tên, …>". Score
messages are read by `handlers.score_reading`.
"""

import re
from dataclasses import dataclass
from datetime import date, timedelta

from core.text import fold
from handlers.score_reading import ParseError, ScoreDraft, ScoreLine, parse_scores

__all__ = ["AbsenceDraft", "ParseError", "ScoreDraft", "ScoreLine", "is_absence_message",
           "parse_absences", "parse_scores"]
ABSENCE_WORDS = {"vang", "nghi"}


@dataclass
class AbsenceDraft:
    class_text: str
    day: date
    session: str  # "sang" or "chieu"
    who: list[str]


def is_absence_message(text: str) -> bool:
    words = fold(text).split()
    return bool(words) and words[0] in ABSENCE_WORDS


def parse_absences(text: str, today: date) -> AbsenceDraft:
    words = text.split()[1:]
    if not words:
        raise ParseError("Ghi lớp sau chữ “vắng”, ví dụ “vắng 6A1 sáng 3 5”.")
    class_text, rest = words[0], words[1:]
    day, session, who_words = today, None, []
    index = 0
    while index < len(rest):
        word, folded = rest[index], fold(rest[index])
        pair = fold(" ".join(rest[index:index + 2]))
        if pair in ("hom nay", "hom qua"):
            day = today if pair == "hom nay" else today - timedelta(days=1)
            index += 2
            continue
        if re.fullmatch(r"\d{1,2}/\d{1,2}(/\d{4})?", word):
            day = _date(word, today)
        elif folded in ("sang", "chieu"):
            session = folded
        else:
            who_words.append(word)
        index += 1
    who = _people(" ".join(who_words))
    if not who:
        raise ParseError("Chưa có học sinh nào. Ghi số thứ tự hoặc tên, cách nhau bởi dấu phẩy.")
    return AbsenceDraft(class_text, day, session or "sang", who)


def _date(word: str, today: date) -> date:
    parts = [int(p) for p in word.split("/")]
    year = parts[2] if len(parts) == 3 else today.year
    try:
        return date(year, parts[1], parts[0])
    except ValueError:
        raise ParseError(f"Ngày “{word}” không có thật. Ghi theo dạng ngày/tháng, "
                         "ví dụ 20/11.") from None


def _people(text: str) -> list[str]:
    people = []
    for part in text.replace(";", ",").split(","):
        tokens = part.split()
        if tokens and all(t.isdigit() for t in tokens):
            people.extend(tokens)
        elif tokens:
            people.append(" ".join(tokens))
    return people
