"""Reading a teacher's message into a draft; pure text work, no database.

Score message: a header line "<lớp> <môn> <cột> [HK1|HK2]", then one line per
student "<số thứ tự|tên> <điểm>", or all scores in roll order after a colon
("6A1 Toán TX2: 8 7 9") or on one line of three or more values.
Absence message: "vắng <lớp> [ngày] [sáng|chiều] <số thứ tự hoặc tên, …>".
"""

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from core.text import fold

COLUMN_WORDS = {"gk": "GK", "ck": "CK", "giua ki": "GK", "giua ky": "GK", "cuoi ki": "CK",
                "cuoi ky": "CK", "giuaki": "GK", "cuoiki": "CK"}
TERM_WORDS = {"hk1": 1, "hki": 1, "hk2": 2, "hkii": 2, "ki1": 1, "ki2": 2, "ky1": 1, "ky2": 2}
VALUE = re.compile(r"^(\d{1,3}([.,]\d+)?|-\d+([.,]\d+)?|đ|d|cđ|cd|đạt|dat)$", re.IGNORECASE)
ROLL_PREFIX = re.compile(r"^(\d{1,3})(?:$|[\s.):\-])")  # "3", "3.", "3. Nguyễn Văn An"
ABSENCE_WORDS = {"vang", "nghi"}


class ParseError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class ScoreLine:
    source: str  # the line as typed, for error messages
    who: str  # a roll number or a name
    value: str


@dataclass
class ScoreDraft:
    class_text: str
    subject_text: str
    column: str
    term: int | None
    lines: list[ScoreLine] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class AbsenceDraft:
    class_text: str
    day: date
    session: str  # "sang" or "chieu"
    who: list[str]


def is_absence_message(text: str) -> bool:
    words = fold(text).split()
    return bool(words) and words[0] in ABSENCE_WORDS


def parse_scores(text: str) -> ScoreDraft:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    if not lines:
        raise ParseError("Tin nhắn trống.")
    header, _, inline = lines[0].partition(":")
    draft = _parse_header(header)
    body = lines[1:]
    values_inline = inline.split()
    if values_inline:
        _roll_order(draft, values_inline, lines[0])
        body_rest = body
    elif len(body) == 1 and len(body[0].split()) >= 3 and all(VALUE.match(t)
                                                               for t in body[0].split()):
        _roll_order(draft, body[0].split(), body[0])
        body_rest = []
    else:
        body_rest = body
    for line in body_rest:
        _parse_line(draft, line)
    if not draft.lines and not draft.problems:
        raise ParseError("Chưa có điểm nào. Sau dòng tiêu đề, mỗi dòng ghi số thứ tự (hoặc tên) "
                         "và điểm, ví dụ “1 8”.")
    return draft


def _roll_order(draft: ScoreDraft, values: list[str], source: str) -> None:
    for index, value in enumerate(values, start=1):
        draft.lines.append(ScoreLine(f"số {index}", str(index), value))


def _parse_header(header: str) -> ScoreDraft:
    words = header.split()
    if len(words) < 3:
        raise ParseError("Dòng đầu cần đủ lớp, môn và cột điểm, ví dụ “6A1 Toán TX2” "
                         "(có thể thêm HK1 hoặc HK2).")
    term = TERM_WORDS.get(fold(words[-1]))
    if term is not None:
        words = words[:-1]
    column, words = _take_column(words)
    if column is None:
        raise ParseError(f"Không thấy cột điểm ở cuối dòng “{header.strip()}”. Ghi TX1, TX2, "
                         "TX3, TX4, GK (giữa kì) hoặc CK (cuối kì).")
    if len(words) < 2:
        raise ParseError("Dòng đầu cần cả lớp và môn, ví dụ “6A1 Toán TX2”.")
    return ScoreDraft(words[0], " ".join(words[1:]), column, term)


def _take_column(words: list[str]) -> tuple[str | None, list[str]]:
    last = fold(words[-1]).replace(" ", "")
    if re.fullmatch(r"tx\d", last):
        return last.upper(), words[:-1]
    if last in COLUMN_WORDS:
        return COLUMN_WORDS[last], words[:-1]
    if len(words) >= 3:
        two = fold(" ".join(words[-2:]))
        if re.fullmatch(r"tx \d", two):
            return two.replace(" ", "").upper(), words[:-2]
        if two in COLUMN_WORDS:
            return COLUMN_WORDS[two], words[:-2]
    return None, words


def _parse_line(draft: ScoreDraft, line: str) -> None:
    words = line.split()
    if len(words) >= 3 and fold(" ".join(words[-2:])) == "chua dat":
        who, value = " ".join(words[:-2]), "CĐ"
    elif len(words) >= 2:
        who, value = " ".join(words[:-1]), words[-1]
    else:
        draft.problems.append((line, "thiếu điểm hoặc thiếu tên. Ghi “số thứ tự điểm”, "
                                     "ví dụ “3 8,5”."))
        return
    roll = ROLL_PREFIX.match(who)
    draft.lines.append(ScoreLine(line, roll.group(1) if roll else who.strip(" .:-"), value))


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
