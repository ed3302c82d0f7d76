"""What a teacher may type as a score (hypothesis over arbitrary text)."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grading.vocabulary import CommentMark, SubjectKind
from services.errors import InvalidValue
from services.score_values import parse_score

tenths = st.integers(min_value=0, max_value=100)


@given(tenths, st.sampled_from([".", ","]), st.booleans())
def test_every_score_from_0_to_10_with_one_decimal_is_accepted(n, separator, short):
    value = Decimal(n) / 10
    text = f"{n // 10}{separator}{n % 10}"
    if short and n % 10 == 0:
        text = str(n // 10)
    assert parse_score(text, SubjectKind.SCORED) == value


@given(st.text(max_size=12))
def test_any_text_is_either_a_valid_score_or_a_vietnamese_explanation(text):
    try:
        value = parse_score(text, SubjectKind.SCORED)
    except InvalidValue as error:
        assert error.message and ("điểm" in error.message.lower() or "10" in error.message)
    else:
        assert Decimal(0) <= value <= Decimal(10)
        assert value == value.quantize(Decimal("0.1"))


@given(st.integers(min_value=101, max_value=10**6))
def test_scores_above_ten_are_refused(n):
    with pytest.raises(InvalidValue, match="lớn hơn 10"):
        parse_score(f"{n // 10},{n % 10}", SubjectKind.SCORED)


@given(st.integers(min_value=0, max_value=999).filter(lambda n: n % 10))
def test_two_decimals_are_refused(n):
    with pytest.raises(InvalidValue, match="một chữ số thập phân"):
        parse_score(f"{n // 100}.{n % 100:02d}", SubjectKind.SCORED)


@pytest.mark.parametrize(("typed", "mark"), [("Đ", "Đ"), ("đ", "Đ"), ("d", "Đ"), ("Đạt", "Đ"),
                                             ("CĐ", "CĐ"), ("cd", "CĐ"), ("Chưa đạt", "CĐ"),
                                             ("c.đ", "CĐ")])
def test_comment_marks_are_matched_with_or_without_diacritics(typed, mark):
    assert parse_score(typed, SubjectKind.COMMENT) == CommentMark(mark)


@given(st.text(max_size=8).filter(lambda t: t.strip().lower() not in
                                  {"đ", "d", "cd", "cđ", "đạt", "dat", "c.d", "c.đ"}))
def test_comment_subjects_refuse_anything_else(text):
    try:
        parse_score(text, SubjectKind.COMMENT)
    except InvalidValue as error:
        assert "Đ (Đạt) hoặc CĐ (Chưa đạt)" in error.message
