"""Reading an absence message: who was absent, which class, day and session, and — for a
GVCN with a parent's note — whether it was excused (P) or not (K).

"vắng 6A1 20/11 sáng 3 5 12", "6a1 vang 4 13 26", "hôm qua vắng 5", "Vắng 6A1: 4, 13",
"nghỉ học: Nguyễn Văn An có phép", "6A1 16/11 An có phép", "t2", "thứ hai", "16-11".
Pure text work: the day is worked out from `today`, nothing is looked up here.
"""

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from core.text import fold
from handlers.score_reading import CLASS_NAME, ParseError

VERBS = {"vang", "nghi"}
STATUS_WORDS = {("co", "phep"): "P", ("khong", "phep"): "K", ("ko", "phep"): "K",
                ("k", "phep"): "K"}
STATUS_SHORT = {"cp": "P", "kp": "K", "p": "P", "k": "K"}
WEEKDAYS = {"hai": 0, "ba": 1, "tu": 2, "nam": 3, "sau": 4, "bay": 5}
DAY = re.compile(r"^(\d{1,2})[/-](\d{1,2})(?:[/-](\d{2,4}))?$")
FILLERS = {"hoc", "buoi", "ngay", "lop", "hs", "em", "cac", "va", "cua", "hoc sinh", "sinh"}


@dataclass
class AbsenceGroup:
    """Students named together, with the status said after them (None: not said)."""

    who: list[str]
    status: str | None = None


@dataclass
class AbsenceDraft:
    class_text: str | None
    day: date
    session: str | None  # "sang", "chieu", or None: from the time of day
    groups: list[AbsenceGroup] = field(default_factory=list)
    day_said: bool = False

    @property
    def who(self) -> list[str]:
        return [w for g in self.groups for w in g.who]


def is_absence_message(text: str) -> bool:
    words = fold(text.replace(":", " ").replace(",", " ")).split()
    if not words:
        return False
    if words[0] in VERBS or words[:3] in (["hom", "qua", "vang"], ["hom", "nay", "vang"]):
        return True
    if len(words) > 1 and CLASS_NAME.fullmatch(words[0]) and words[1] in VERBS:
        return True
    has_status = any(tuple(words[i:i + 2]) in STATUS_WORDS for i in range(len(words)))
    return has_status and any(CLASS_NAME.fullmatch(w) for w in words)


def parse_absences(text: str, today: date) -> AbsenceDraft:
    segments = [s for s in re.split(r"[,;\n]+", text.replace(":", " ")) if s.strip()]
    draft = AbsenceDraft(None, today, None)
    for segment in segments:
        group = _read_segment(segment, draft, today)
        if group.who:
            draft.groups.append(group)
        elif group.status and draft.groups and draft.groups[-1].status is None:
            draft.groups[-1].status = group.status  # "An, Bình có phép"
    if not draft.groups:
        raise ParseError("Chưa có học sinh nào. Ghi số thứ tự hoặc tên, ví dụ “vắng 6A1 sáng "
                         "3 5” hoặc “vắng 6A1: Nguyễn Văn An”.")
    if len({g.status for g in draft.groups}) == 1 or len(draft.groups) == 1:
        return draft
    said = [g.status for g in draft.groups if g.status]
    if len(set(said)) == 1 and said:  # "4, 13, 26 có phép": one status for everyone
        for group in draft.groups:
            group.status = group.status or said[0]
    return draft


def _read_segment(segment: str, draft: AbsenceDraft, today: date) -> AbsenceGroup:
    words = segment.split()
    folded = [fold(w) for w in words]
    group, name, index = AbsenceGroup([]), [], 0
    while index < len(words):
        word, pair = folded[index], tuple(folded[index:index + 2])
        taken = _day_at(folded, index, draft, today)
        if taken:
            index += taken
        elif pair in STATUS_WORDS:
            group.status = STATUS_WORDS[pair]
            index += 2
        elif word in STATUS_SHORT and (name or group.who) and index == len(words) - 1:
            group.status = STATUS_SHORT[word]
            index += 1
        elif word in ("sang", "chieu"):
            draft.session = word
            index += 1
        elif word in VERBS or word in FILLERS:
            index += 1
        elif CLASS_NAME.fullmatch(word) and draft.class_text is None:
            draft.class_text = words[index]
            index += 1
        elif word.isdigit():
            _flush(name, group)
            group.who.append(word)
            index += 1
        else:
            name.append(words[index])
            index += 1
    _flush(name, group)
    return group


def _flush(name: list[str], group: AbsenceGroup) -> None:
    if name:
        group.who.append(" ".join(name))
        name.clear()


def _day_at(words: list[str], i: int, draft: AbsenceDraft, today: date) -> int:
    word, nxt = words[i], words[i + 1] if i + 1 < len(words) else ""
    if (word, nxt) in (("hom", "nay"), ("hom", "qua"), ("hom", "kia")):
        draft.day = today - timedelta(days={"nay": 0, "qua": 1, "kia": 2}[nxt])
        draft.day_said = True
        return 2
    matched = DAY.match(word)
    if matched:
        draft.day, draft.day_said = _date(word, matched, today), True
        return 1
    weekday, size = _weekday(word, nxt, words[i + 2] if i + 2 < len(words) else "")
    if weekday is None:
        return 0
    draft.day = today - timedelta(days=(today.weekday() - weekday) % 7)
    draft.day_said = True
    return size


def _weekday(word: str, nxt: str, third: str) -> tuple[int | None, int]:
    """"t2", "thứ 2", "thứ hai", "cn", "chủ nhật": Monday 0 … Sunday 6."""
    glued = re.fullmatch(r"t([2-7])", word)
    if glued:
        return int(glued.group(1)) - 2, 1
    if word == "thu" and re.fullmatch(r"[2-7]", nxt):
        return int(nxt) - 2, 2
    if word == "thu" and nxt in WEEKDAYS:
        return WEEKDAYS[nxt], 2
    if word == "cn":
        return 6, 1
    if word == "chu" and nxt == "nhat":
        return 6, 2
    return None, 0


def _date(word: str, matched: re.Match, today: date) -> date:
    day, month, year = matched.groups()
    full_year = int(year) + (2000 if len(year) == 2 else 0) if year else today.year
    try:
        found = date(full_year, int(month), int(day))
    except ValueError:
        raise ParseError(f"Ngày “{word}” không có thật. Ghi theo dạng ngày/tháng, ví dụ "
                         "20/11.") from None
    if not year and (found - today).days > 180:
        found = found.replace(year=found.year - 1)  # "28/12" typed on 3 January
    return found
