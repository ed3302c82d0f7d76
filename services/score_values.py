"""Parsing one typed score: 0–10 with at most one decimal, or Đ/CĐ."""

import re
from decimal import Decimal

from core.text import fold
from grading.vocabulary import CommentMark, SubjectKind
from services.errors import InvalidValue

_NUMBER = re.compile(r"^(10|\d)([.,]\d)?$")
_MARKS = {"d": CommentMark.PASS, "dat": CommentMark.PASS,
          "cd": CommentMark.FAIL, "chua dat": CommentMark.FAIL, "cdat": CommentMark.FAIL}


def parse_score(raw: str, kind: SubjectKind | str) -> Decimal | CommentMark:
    """Turn what a teacher typed into a score, or raise InvalidValue saying why."""
    text = raw.strip()
    if kind == SubjectKind.COMMENT:
        mark = _MARKS.get(fold(text).replace(".", ""))
        if mark is None:
            raise InvalidValue(f"“{text}” không phải mức đánh giá. Môn đánh giá bằng nhận xét "
                               "chỉ nhận Đ (Đạt) hoặc CĐ (Chưa đạt); gõ d hoặc cd cũng được.")
        return mark
    match = _NUMBER.match(text)
    if match is None:
        raise InvalidValue(_number_problem(text))
    value = Decimal(text.replace(",", "."))
    if value > 10:
        raise InvalidValue(f"“{text}” lớn hơn 10. Điểm phải từ 0 đến 10.")
    return value.quantize(Decimal("0.1"))


def _number_problem(text: str) -> str:
    if not text:
        return "Thiếu điểm. Gõ một số từ 0 đến 10, ví dụ 7 hoặc 8,5."
    if fold(text) in _MARKS:
        return (f"“{text}” là mức Đạt/Chưa đạt, nhưng môn này chấm bằng điểm số. "
                "Gõ một số từ 0 đến 10.")
    if re.match(r"^-", text):
        return f"“{text}” là số âm. Điểm phải từ 0 đến 10."
    if re.match(r"^\d+([.,]\d+)?$", text):
        _, _, decimals = text.replace(",", ".").partition(".")
        if len(decimals) > 1:
            return (f"“{text}” có {len(decimals)} chữ số thập phân. Điểm chỉ lấy một chữ số "
                    "thập phân, ví dụ 8,5.")
        if re.fullmatch(r"[1-9]\d", text):
            return (f"“{text}” lớn hơn 10. Nếu là {text[0]},{text[1]} thì ghi có dấu phẩy: "
                    f"{text[0]},{text[1]}.")
        return f"“{text}” lớn hơn 10. Điểm phải từ 0 đến 10."
    return f"“{text}” không phải điểm. Gõ một số từ 0 đến 10, ví dụ 7 hoặc 8,5."


def school_reading(raw: str, kind: SubjectKind | str, without_comma: bool) -> str:
    """A school that types scores without the comma ("85" = 8,5) has one reading for
    two- and three-digit numbers, except "10" (10 or 1,0), which is then refused."""
    text = raw.strip()
    if not without_comma or kind == SubjectKind.COMMENT or not re.fullmatch(r"\d{2,3}", text):
        return text
    if text == "10":
        raise InvalidValue("“10” đọc được hai cách ở trường ghi điểm không dấu phẩy: 10 hoặc "
                           "1,0. Ghi “10,0” hoặc “1,0”.")
    if text == "100":
        return "10"
    return f"{text[:-1]},{text[-1]}"
