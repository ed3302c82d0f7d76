"""Reading a score message into a draft that remembers where every value came from.

The rule is never to guess. A header may put its parts in any order ("Toán 6A1 TX2",
"lop 6a1 toan tx1", "HK1 TX3 6A1 Toán", "giữa kì", "thường xuyên 4"); a line may give a
roll number, a name, or both (both must then agree, which the handler checks); values
may be "8,5", "Đ", "v" (missed the test). But a line that can be read two ways — "7 8, 5"
(8,5 or 8 and 5), "1-5 8" (student 1 or students 1 to 5), an Excel row with two score
cells — is a problem that states both readings, never a silent choice. Every value keeps
the token it came from (`ValueToken`), so a preview can be traced back to the message.
"""

import re
from dataclasses import dataclass, field

from core.text import fold

SPLIT = re.compile(r"[\s\-:;,.()\[\]|/]+")
CLASS_NAME = re.compile(r"\d{1,2}[a-z]{1,2}\d{0,2}")
VALUE = re.compile(r"^(\d{1,3}([.,]\d+)?|đ|d|cđ|cd|đạt|dat)$", re.IGNORECASE)
ROLL = re.compile(r"^(\d{1,3})[.):]?$")
RANGE = re.compile(r"^(\d{1,3})-(\d{1,3})[.):]?$")
DATE = re.compile(r"^\d{1,2}[/-]\d{1,2}[/-]\d{2,4}$")
ABSENT = {"v", "vang", "nghi", "vk", "vp"}
TERM_NUMBERS = {"1": 1, "2": 2, "i": 1, "ii": 2}
HEADER_FILLERS = {"lop", "mon", "cot", "diem", "nhap", "bai", "kiem", "tra", "cho"}
LEADING_FILLERS = {"ky", "ki", "so"}
TITLE = re.compile(r"\b(bang diem|danh sach|stt|ho va ten|ho ten|nam hoc|ngay sinh|diem so)\b")


class ParseError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class ValueToken:
    """Where a value was typed: line (0 = the header line) and token position."""

    line: int
    index: int
    text: str


@dataclass(frozen=True)
class ScoreLine:
    source: str  # the line as typed (or "số N" in roll order), for messages
    roll: int | None
    name: str | None
    value: str | None  # None: the student missed the test ("v", an empty Excel cell)
    token: ValueToken | None

    @property
    def who(self) -> str:
        return str(self.roll) if self.roll is not None else (self.name or "")


@dataclass
class ScoreDraft:
    class_text: str
    subject_text: str
    column: str | None
    term: int | None
    lines: list[ScoreLine] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)
    roll_order: bool = False
    ignored: int = 0  # title or header rows pasted above the data


@dataclass
class Header:
    class_text: str = ""
    subject_words: list[str] = field(default_factory=list)
    column: str | None = None
    term: int | None = None
    problems: list[str] = field(default_factory=list)
    stray_values: list[str] = field(default_factory=list)


def parse_scores(text: str) -> ScoreDraft:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    if not lines:
        raise ParseError("Tin nhắn trống.")
    head_text, inline = _split_inline(lines[0])
    header = read_header(head_text)
    if header.problems:
        raise ParseError(" ".join(header.problems) + " Ví dụ dòng đầu: “6A1 Toán TX2” (có thể "
                         "thêm HK1 hoặc HK2).")
    draft = ScoreDraft(header.class_text, " ".join(header.subject_words), header.column,
                       header.term)
    body = lines[1:]
    if inline:
        _read_roll_order(draft, inline, 0, lines[0])
    elif len(body) == 1 and _all_values(body[0].split()) and len(body[0].split()) >= 3:
        tokens = body[0].split()
        ambiguous = _split_decimal_reading(tokens)
        if ambiguous:
            draft.problems.append((body[0], ambiguous))
        else:
            _read_roll_order(draft, tokens, 1, body[0])
        body = []
    _read_body(draft, body, first_line=1)
    if not draft.lines and not draft.problems:
        raise ParseError("Chưa có điểm nào. Sau dòng tiêu đề, mỗi dòng ghi số thứ tự (hoặc tên) "
                         "và điểm, ví dụ “1 8”; hoặc cả lớp theo thứ tự: “6A1 Toán TX2: 8 7 9”.")
    return draft


def _split_decimal_reading(tokens: list[str]) -> str:
    """Three values alone on a line ("1 8 9", "8 7,5 9") are three scores in roll order —
    or a roll number and its score typed with a space ("1 8,9"). Four or more can only be
    roll order."""
    if len(tokens) != 3 or not tokens[0].isdigit():
        return ""
    first, second, third = tokens
    meant = f"{second},{third}" if second.isdigit() and re.fullmatch(r"\d", third) else \
        f"{second} {third}"
    return (f"“{' '.join(tokens)}” đọc được hai cách: ba điểm theo thứ tự danh sách (số 1, 2, "
            f"3), hay học sinh số {first} được {meant}. Theo thứ tự thì đặt dấu hai chấm cuối "
            "dòng đầu rồi ghi điểm (“6A1 Toán TX1: 8 7 9”); mỗi học sinh một dòng thì ghi "
            "“số thứ tự điểm”.")


def _split_inline(first: str) -> tuple[str, list[str]]:
    """"6A1 Toán TX2: 8 7 9" → header and the values after the last colon that is followed
    only by values; a colon inside the header ("Lớp: 6A1 - Môn: Toán") stays."""
    head, colon, tail = first.rpartition(":")
    if colon and tail.split() and _all_values(tail.split()):
        return head, tail.split()
    return first, []


def _all_values(tokens: list[str]) -> bool:
    return bool(tokens) and all(_value_like(t) or fold(t) in ABSENT for t in tokens)


def _value_like(token: str) -> bool:
    return bool(VALUE.match(token.rstrip(","))) or bool(re.fullmatch(r"\d+(,\d+)+", token))


# ---------------------------------------------------------------- the header line

def looks_like_score_header(line: str) -> bool:
    """A one-line message naming a class and a column is a score message gone wrong (its
    reply should say what is missing), not small talk."""
    header = read_header(line)
    return bool(header.class_text and header.column)


def read_header(text: str) -> Header:
    words = [w for w in SPLIT.split(text) if any(ch.isalnum() for ch in w)]
    folded = [fold(w) for w in words]
    header, index = Header(), 0
    while index < len(words):
        taken = _column_at(folded, index, header) or _term_at(folded, index, header)
        if taken:
            index += taken
            continue
        word = folded[index]
        if CLASS_NAME.fullmatch(word):
            if header.class_text and fold(header.class_text) != word:
                header.problems.append(f"Dòng đầu có hai lớp ({header.class_text}, "
                                       f"{words[index]}): mỗi tin nhắn một lớp.")
            header.class_text = words[index]
        elif word in HEADER_FILLERS or (word in LEADING_FILLERS and not header.subject_words):
            pass
        elif header.column and re.fullmatch(r"\d+", word):
            header.stray_values.append(words[index])
        else:
            header.subject_words.append(words[index])
        index += 1
    _check_header(header)
    return header


def _check_header(header: Header) -> None:
    if header.problems:
        return
    if header.stray_values:
        header.problems.append(f"Sau cột điểm có “{' '.join(header.stray_values)}”: nếu là "
                               "điểm cả lớp theo số thứ tự, thêm dấu hai chấm trước các điểm, "
                               "ví dụ “6A1 Toán TX2: 8 7 9”.")
        return
    if not header.class_text:
        header.problems.append("Dòng đầu chưa có lớp (ví dụ 6A1).")
    if header.column is None:
        header.problems.append("Dòng đầu chưa có cột điểm: TX1…TX4 (thường xuyên), GK (giữa "
                               "kì) hoặc CK (cuối kì).")
    if not header.subject_words:
        header.problems.append("Dòng đầu chưa có môn học.")


def _set_column(header: Header, column: str) -> None:
    if header.column and header.column != column:
        header.problems.append(f"Dòng đầu có hai cột điểm ({header.column}, {column}): mỗi "
                               "tin nhắn một cột.")
    header.column = column


def _set_term(header: Header, term: int) -> None:
    if header.term and header.term != term:
        header.problems.append("Dòng đầu ghi cả học kì I và học kì II: chọn một.")
    header.term = term


def _column_at(words: list[str], i: int, header: Header) -> int:
    """How many words a column name takes at position i (0: none), recording it."""
    word, nxt = words[i], words[i + 1] if i + 1 < len(words) else ""
    if re.fullmatch(r"(k?tx|tx?)\d", word) and word.startswith(("tx", "ktx")):
        _set_column(header, f"TX{word[-1]}")
        return 1
    if word in ("tx", "ktx") and re.fullmatch(r"\d", nxt):
        _set_column(header, f"TX{nxt}")
        return 2
    if word == "thuong" and nxt == "xuyen":
        number = words[i + 2] if i + 2 < len(words) else ""
        if re.fullmatch(r"\d", number):
            _set_column(header, f"TX{number}")
            return 3
        header.problems.append("“thường xuyên” cần số lần, ví dụ “thường xuyên 2” (TX2).")
        return 2
    fifteen = _fifteen_minutes(words, i, header)
    if fifteen:
        return fifteen
    for column, short, long in (("GK", ("gk", "gki", "giuaki", "giuaky", "giuahk"), "giua"),
                                ("CK", ("ck", "cki", "cuoiki", "cuoiky", "cuoihk"), "cuoi")):
        if word in short:
            _set_column(header, column)
            return 1 + _term_suffix(words, i + 1, header)
        if word == long and nxt in ("ki", "ky", "hk", "hoc"):
            size = 3 if nxt == "hoc" and i + 2 < len(words) and words[i + 2] in ("ki", "ky") \
                else 2
            _set_column(header, column)
            return size + _term_suffix(words, i + size, header)
    return 0


def _fifteen_minutes(words: list[str], i: int, header: Header) -> int:
    """"15p", "15 phút", "15p lần 2": a regular (TX) test; which TX must be said."""
    word = words[i]
    size = 0
    if re.fullmatch(r"15(p|ph|phut)", word):
        size = 1
    elif word == "15" and i + 1 < len(words) and words[i + 1] in ("p", "ph", "phut"):
        size = 2
    if not size:
        return 0
    rest = words[i + size:i + size + 2]
    if rest[:1] == ["lan"] and len(rest) == 2 and re.fullmatch(r"\d", rest[1]):
        _set_column(header, f"TX{rest[1]}")
        return size + 2
    if rest[:1] and re.fullmatch(r"\d", rest[0]):
        _set_column(header, f"TX{rest[0]}")
        return size + 1
    header.problems.append("Bài 15 phút là cột thường xuyên nào? Ghi TX1, TX2, TX3 hoặc TX4 "
                           "thay cho “15p”.")
    return size


def _term_suffix(words: list[str], i: int, header: Header) -> int:
    """"giữa kì 1", "cuối kì II": the number after a GK/CK name is the term."""
    if i < len(words) and words[i] in TERM_NUMBERS:
        _set_term(header, TERM_NUMBERS[words[i]])
        return 1
    return 0


def _term_at(words: list[str], i: int, header: Header) -> int:
    word, nxt = words[i], words[i + 1] if i + 1 < len(words) else ""
    glued = re.fullmatch(r"(hk|hocky|hocki|ky|ki)(1|2|i|ii)", word)
    if glued:
        _set_term(header, TERM_NUMBERS[glued.group(2)])
        return 1
    if word in ("hk", "ky", "ki") and nxt in TERM_NUMBERS:
        _set_term(header, TERM_NUMBERS[nxt])
        return 2
    if word == "hoc" and nxt in ("ky", "ki") and i + 2 < len(words) and \
            words[i + 2] in TERM_NUMBERS:
        _set_term(header, TERM_NUMBERS[words[i + 2]])
        return 3
    return 0


# ---------------------------------------------------------------- values in roll order

def _read_roll_order(draft: ScoreDraft, tokens: list[str], line_no: int, source: str) -> None:
    draft.roll_order = True
    ambiguous = _comma_ambiguities(tokens)
    if ambiguous:
        draft.problems.append((source, ambiguous))
        return
    for index, token in enumerate(tokens):
        value, roll = token.rstrip(","), index + 1
        if fold(value) in ABSENT:
            draft.lines.append(ScoreLine(f"số {roll}", roll, None, None, None))
        else:
            draft.lines.append(ScoreLine(f"số {roll}", roll, None, value,
                                         ValueToken(line_no, index, token)))


def _comma_ambiguities(tokens: list[str]) -> str:
    """"8, 5" is 8,5 or 8 and 5; "8,7,9" is 8,7 and 9 or three scores: say both."""
    for index, token in enumerate(tokens):
        if re.fullmatch(r"\d+(,\d+){2,}", token):
            return (f"“{token}” đọc được nhiều cách (điểm có phần thập phân, hay nhiều điểm "
                    "cách nhau bằng dấu phẩy). Cách các điểm bằng dấu cách, ví dụ “8 7,5 9”.")
        following = tokens[index + 1] if index + 1 < len(tokens) else ""
        if token.endswith(",") and re.fullmatch(r"\d{1,2}", token[:-1]) and \
                re.fullmatch(r"\d", following):
            return (f"“{token} {following}” đọc được hai cách: một điểm "
                    f"{token[:-1]},{following} hoặc hai điểm {token[:-1]} và {following}. "
                    f"Ghi liền “{token[:-1]},{following}” nếu là một điểm; cách bằng dấu cách "
                    "nếu là hai điểm.")
    return ""


# ---------------------------------------------------------------- one line per student

def _read_body(draft: ScoreDraft, body: list[str], first_line: int) -> None:
    for offset, raw in enumerate(body):
        line_no = first_line + offset
        if _title_row(raw):
            draft.ignored += 1
            continue
        read = _read_cells(raw, line_no) if "\t" in raw else _read_words(raw, line_no)
        if isinstance(read, str):
            draft.problems.append((raw.strip(), read))
        else:
            draft.lines.append(read)


def _title_row(raw: str) -> bool:
    """A title or column-header row pasted from Excel ("STT  Họ và tên  Điểm"): it names
    columns and carries no score at its end."""
    tokens = raw.replace("\t", " ").split()
    ends_with_value = bool(tokens) and _value_like(tokens[-1]) and len(tokens) > 1
    return bool(TITLE.search(fold(raw))) and not ends_with_value


def _read_words(raw: str, line_no: int) -> ScoreLine | str:
    tokens = raw.split()
    roll, start = _leading_roll(tokens)
    if isinstance(roll, str):
        return roll
    if len(tokens) >= 2 and fold(" ".join(tokens[-2:])) == "chua dat":
        tokens = [*tokens[:-2], "CĐ"]
    name_words, values = [], []
    for index, token in enumerate(tokens[start:], start=start):
        if token in ("-", ":", "=", "→"):
            continue
        if re.fullmatch(r"[,.]\d+", token) and values:
            prev = values[-1][1]
            return (f"“{prev} {token}” đọc được hai cách: một điểm {prev}{token}, hay điểm "
                    f"{prev} và một số lạ “{token}”. Ghi liền “{prev}{token}” nếu là một điểm.")
        if _value_like(token) or fold(token) in ABSENT:
            values.append((index, token))
        elif values:
            return (f"sau điểm còn chữ “{token}”: mỗi dòng ghi số thứ tự hoặc tên rồi đến "
                    "một điểm, ví dụ “3 8,5”.")
        else:
            name_words.append(token)
    return _line_from(raw.strip(), roll, " ".join(name_words).strip(" .:-") or None, values,
                      line_no)


def _leading_roll(tokens: list[str]) -> tuple[int | str | None, int]:
    if not tokens:
        return None, 0
    ranged = RANGE.match(tokens[0])
    if ranged:
        first, last = ranged.groups()
        return (f"“{tokens[0]}” đọc được hai cách: học sinh số {first}, hay các số {first} đến "
                f"{last}. Mỗi học sinh một dòng, ví dụ “{first} 8”."), 0
    roll = ROLL.match(tokens[0])
    if roll and len(tokens) > 1:  # "3 8": a roll; "8" alone is a lone number (asked)
        return int(roll.group(1)), 1
    return None, 0


def _line_from(source: str, roll, name, values, line_no: int) -> ScoreLine | str:
    if roll is None and name is None:
        if len(values) == 1:
            return "chỉ có một số: thiếu số thứ tự (hoặc tên) hay thiếu điểm? Ghi “3 8,5”."
        return "thiếu số thứ tự hoặc tên học sinh."
    ambiguous = _comma_ambiguities([t for _, t in values])
    if ambiguous:
        return ambiguous
    if not values:
        return "thiếu điểm. Ghi điểm sau số thứ tự hoặc tên, hoặc “v” nếu học sinh vắng."
    if len(values) > 1:
        shown = " và ".join(t for _, t in values)
        return (f"có {len(values)} điểm ({shown}) cho một học sinh. Mỗi dòng một điểm; nếu là "
                "điểm có phần thập phân, ghi liền “8,5”.")
    index, token = values[0]
    if fold(token) in ABSENT:
        return ScoreLine(source, roll, name, None, None)
    return ScoreLine(source, roll, name, token.rstrip(","), ValueToken(line_no, index, token))


def _read_cells(raw: str, line_no: int) -> ScoreLine | str:
    """An Excel row pasted as tab-separated cells: roll, name, maybe a birth date, the
    score. Two score cells are two readings; an empty score cell is a missed test."""
    cells = [c.strip() for c in raw.split("\t")]
    roll, name, values, blanks = None, None, [], 0
    for index, cell in enumerate(cells):
        if not cell:
            blanks += name is not None or roll is not None
        elif roll is None and name is None and ROLL.match(cell) and index == 0:
            roll = int(ROLL.match(cell).group(1))
        elif DATE.match(cell):
            continue
        elif _value_like(cell) or fold(cell) in ABSENT:
            values.append((index, cell))
        elif name is None:
            name = cell
        else:
            return f"ô “{cell}” không phải điểm. Dán cột số thứ tự, họ tên và một cột điểm."
    if not values and blanks and (roll is not None or name is not None):
        return ScoreLine(raw.strip(), roll, name, None, None)
    if len(values) > 1:
        shown = ", ".join(t for _, t in values)
        return (f"dòng có {len(values)} ô điểm ({shown}): không biết lấy cột nào. Dán một cột "
                "điểm mỗi lần.")
    return _line_from(raw.strip(), roll, name, values, line_no)
