"""Thông tư 58/2011 (sửa đổi bởi 26/2020): the legacy circular, a second implementation
of the same interface."""

from decimal import Decimal

import pytest

from grading.base import YEAR, PromotionStatus
from grading.registry import get_circular
from grading.tt58 import Tt58
from grading.vocabulary import CommentMark
from tests.grading_fixtures import COMMENT, period_results, student

tt58 = Tt58()


def level(scored, marks="ĐĐĐĐ"):
    return tt58.learning_level(period_results(scored, marks))


def test_the_registry_selects_a_circular_by_the_school_years_code():
    assert isinstance(get_circular("tt58"), Tt58)
    with pytest.raises(ValueError, match="tt22, tt58"):
        get_circular("tt99")


@pytest.mark.parametrize(("scored", "expected"), [
    (["8.0"] * 8, "Giỏi"),
    (["6.0", "7.0", "7.5"] + ["9.0"] * 5, "Khá"),  # ĐTB 8.1 but no core subject ≥ 8.0
    (["8.0", "6.5"] + ["8.5"] * 6, "Giỏi"),
    (["6.5"] * 8, "Khá"),
    (["5.0"] * 8, "Trung bình"),
    (["3.5"] * 8, "Yếu"),
    (["3.4"] * 8, "Kém"),
])
def test_learning_levels(scored, expected):
    assert level(scored) == expected


def test_a_comment_subject_not_passed_caps_the_level():
    assert level(["5.0"] * 8, "ĐĐĐC") == "Yếu"


def test_adjustment_case_a_excellent_pulled_to_average_becomes_good():
    assert level(["9.0"] * 7 + ["4.0"]) == "Khá"  # ĐTB 8.4, one subject < 5.0


def test_adjustment_case_b_excellent_pulled_to_weak_becomes_average():
    assert level(["9.5"] * 7 + ["3.0"]) == "Trung bình"  # ĐTB 8.7, one subject < 3.5


def test_adjustment_case_c_good_pulled_to_weak_becomes_average():
    assert level(["7.0"] * 7 + ["3.0"]) == "Trung bình"


def test_adjustment_case_d_good_pulled_to_poor_becomes_average():
    assert level(["7.5"] * 7 + ["1.5"]) == "Trung bình"


def test_no_adjustment_when_two_subjects_pull_down():
    assert level(["9.5"] * 6 + ["4.0", "4.0"]) == "Trung bình"


def test_comment_term_mark_needs_two_thirds_and_the_final():
    marks = [CommentMark.PASS, CommentMark.FAIL, CommentMark.PASS, CommentMark.PASS]
    assert tt58.comment_term_mark(marks) == "Đ"
    assert tt58.comment_term_mark([*marks[:3], CommentMark.FAIL]) == "CĐ"
    assert tt58.comment_term_mark([CommentMark.FAIL] * 2 + [CommentMark.PASS] * 2) == "CĐ"


def test_the_overall_average_is_reported():
    report = tt58.report(student(tt58, ["8.0"] * 4 + ["7.0"] * 4))
    assert report.overall_average[YEAR] == Decimal("7.5")


def test_titles():
    assert tt58.report(student(tt58, ["8.5"] * 8)).title == "Học sinh Giỏi"
    assert tt58.report(student(tt58, ["7.0"] * 8, conduct=("Khá", "Khá"))).title == \
        "Học sinh Tiên tiến"
    assert tt58.report(student(tt58, ["7.0"] * 8, conduct=("Tốt", "Trung bình"))).title is None


def test_promotion_rules():
    def status(*args, **kwargs):
        return tt58.report(student(tt58, *args, **kwargs)).promotion.status

    assert status(["6.0"] * 8) == PromotionStatus.PROMOTED
    assert status(["1.5"] * 8) == PromotionStatus.REPEAT  # học lực Kém
    assert status(["4.0"] * 8, conduct=("Yếu", "Yếu")) == PromotionStatus.REPEAT
    assert status(["4.0"] * 8) == PromotionStatus.RETEST
    assert status(["6.0"] * 8, conduct=("Khá", "Yếu")) == PromotionStatus.SUMMER_TRAINING
    assert status(["6.0"] * 8, absences=46) == PromotionStatus.REPEAT


def test_comment_subjects_have_columns_by_periods_under_tt58():
    assert tt58.columns(COMMENT[0]) == ("TX1", "TX2", "TX3", "GK", "CK")
