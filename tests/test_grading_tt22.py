"""Thông tư 22/2021 worked cases: every threshold edge, rounding, 9.3, the conduct
table, titles and promotion."""

from decimal import Decimal

import pytest

from grading.base import YEAR, PromotionStatus, weighted_term_average, weighted_year_average
from grading.registry import get_circular
from grading.rounding import round_half_up
from grading.tt22 import CONDUCT_YEAR, Adjustment, LoneSubject, Tt22
from grading.vocabulary import CommentMark, SubjectKind
from tests.grading_fixtures import COMMENT, SCORED, period_results, student

D = Decimal
tt22 = Tt22()


@pytest.mark.parametrize(("periods", "count"), [(35, 2), (36, 3), (52, 3), (70, 3), (71, 4),
                                                 (105, 4), (140, 4)])
def test_regular_assessments_follow_periods_per_year(periods, count):
    spec = SCORED[0].__class__("X", "X", SubjectKind.SCORED, periods)
    assert tt22.regular_count(spec) == count
    assert tt22.columns(spec)[-2:] == ("GK", "CK")


def test_comment_subjects_have_two_regular_assessments_whatever_their_periods():
    assert tt22.columns(COMMENT[2]) == ("TX1", "TX2", "GK", "CK")


@pytest.mark.parametrize(("value", "expected"), [("8.25", "8.3"), ("6.45", "6.5"),
                                                  ("8.24", "8.2"), ("4.95", "5.0"),
                                                  ("9.99", "10.0")])
def test_rounding_is_half_up_to_one_decimal(value, expected):
    assert round_half_up(D(value)) == D(expected)


def test_pythons_round_would_be_wrong_here():
    assert round(8.25, 1) == 8.2  # binary float and half-to-even: why we use Decimal


def test_term_average_weights_midterm_twice_and_final_three_times():
    # (7 + 8 + 8 + 2·8 + 3·9) / 8 = 66 / 8 = 8.25 → 8.3
    assert weighted_term_average([D(7), D(8), D(8)], D(8), D(9)) == D("8.3")


def test_year_average_uses_the_rounded_term_averages():
    # Term I 6.44 would round to 6.4; (6.4 + 2·6.5)/3 = 6.4666… → 6.5
    assert weighted_year_average(D("6.4"), D("6.5")) == D("6.5")
    assert weighted_year_average(D("8.0"), D("7.9")) == D("7.9")


def test_a_missing_score_makes_the_average_not_computable_and_says_which():
    spec = SCORED[1]
    result = tt22.term_subject_result(spec, {"TX1": D(8), "TX2": D(7), "GK": D(9)}, 1)
    assert result.value is None
    assert result.missing == ("Toán HKI: TX3", "Toán HKI: TX4", "Toán HKI: CK")


def test_a_missing_score_never_becomes_zero_in_the_student_report():
    record = student(tt22, ["8.0"] * 8)
    broken = record.subjects[0].terms[2].copy()
    del broken["CK"]
    subjects = [record.subjects[0].__class__(SCORED[0], {1: record.subjects[0].terms[1],
                                                         2: broken}), *record.subjects[1:]]
    report = tt22.report(record.__class__("hs", subjects, record.conduct))
    assert report.learning[1].value == "Tốt"
    assert report.learning[2].value is None and report.learning[YEAR].value is None
    assert report.learning[2].missing == ("Ngữ văn HKII: CK",)
    assert report.promotion.status == PromotionStatus.INCOMPLETE


def test_comment_term_is_passed_only_when_every_assessment_is_passed():
    marks = {"TX1": CommentMark.PASS, "TX2": CommentMark.PASS, "GK": CommentMark.PASS}
    assert tt22.term_subject_result(COMMENT[0], {**marks, "CK": CommentMark.PASS}, 1).value == "Đ"
    assert tt22.term_subject_result(COMMENT[0], {**marks, "CK": CommentMark.FAIL}, 1).value == "CĐ"


def test_the_comment_year_result_is_the_second_terms():
    record = student(tt22, ["8.0"] * 8)
    spec = COMMENT[0]
    sub = record.subjects[8].__class__(spec, {
        1: {c: CommentMark.FAIL for c in tt22.columns(spec)},
        2: {c: CommentMark.PASS for c in tt22.columns(spec)}})
    assert tt22.subject_result(sub).year.value == CommentMark.PASS


def level(scored, marks="ĐĐĐĐ", circular=tt22):
    return circular.learning_level(period_results(scored, marks))


@pytest.mark.parametrize(("scored", "expected"), [
    (["8.0"] * 6 + ["6.5", "6.5"], "Tốt"),          # exactly six ≥ 8.0, floor 6.5
    (["8.0"] * 6 + ["6.5", "6.4"], "Khá"),          # one 6.4 breaks Tốt
    (["8.0"] * 5 + ["7.9", "6.5", "6.5"], "Khá"),   # only five ≥ 8.0
    (["6.5"] * 6 + ["5.0", "5.0"], "Khá"),          # exactly six ≥ 6.5, floor 5.0
    (["6.5"] * 5 + ["6.4", "5.0", "5.0"], "Đạt"),   # only five ≥ 6.5
    (["6.5"] * 6 + ["5.0", "4.9"], "Đạt"),          # one 4.9 breaks Khá
    (["5.0"] * 6 + ["3.5", "3.5"], "Đạt"),          # exactly six ≥ 5.0, floor 3.5
    (["5.0"] * 5 + ["4.9", "3.5", "3.5"], "Chưa đạt"),  # only five ≥ 5.0
    (["5.0"] * 6 + ["3.5", "3.4"], "Chưa đạt"),     # one 3.4
])
def test_learning_level_thresholds(scored, expected):
    assert level(scored) == expected


def test_one_comment_subject_not_passed_allows_at_most_dat():
    assert level(["9.0"] * 8, "ĐĐĐC") == "Đạt"
    assert level(["9.0"] * 8, "ĐĐCC") == "Chưa đạt"


def test_9_3_a_single_subject_dropping_tot_two_levels_is_raised_one():
    # Would be Tốt; one subject at 4.0 makes it Đạt (two levels lower) → Khá.
    assert level(["9.0"] * 7 + ["4.0"]) == "Khá"


def test_9_3_tot_dropped_three_levels_common_reading_gives_dat():
    scored = ["9.0"] * 7 + ["3.0"]  # Chưa đạt by one subject, would be Tốt
    assert level(scored) == "Đạt"
    assert level(scored, circular=Tt22(Adjustment.WOULD_BE_MINUS_ONE)) == "Khá"
    assert level(scored, circular=Tt22(Adjustment.NONE)) == "Chưa đạt"


def test_9_3_kha_dropped_two_levels_by_one_subject_becomes_dat():
    assert level(["7.0"] * 7 + ["3.0"]) == "Đạt"


def test_9_3_does_not_apply_when_two_subjects_cause_the_drop():
    assert level(["9.0"] * 6 + ["4.0", "4.0"]) == "Đạt"


def test_9_3_does_not_apply_to_a_drop_of_one_level():
    assert level(["9.0"] * 7 + ["6.0"]) == "Khá"


def test_9_3_a_comment_subject_counts_only_with_the_option():
    assert level(["9.0"] * 8, "ĐĐĐC") == "Đạt"
    assert level(["9.0"] * 8, "ĐĐĐC", Tt22(comment_subject_counts=True)) == "Khá"


def test_9_3_the_raised_subject_must_not_also_supply_the_count_of_high_scores():
    # Five ≥ 8.0 only: raising the 4.0 subject to the Tốt floor (6.5) does not give six
    # subjects ≥ 8.0, so the would-be level is Khá, one level above Đạt: no adjustment.
    assert level(["9.0"] * 5 + ["7.0", "7.0", "4.0"]) == "Đạt"


ISSUE_EXAMPLE = ["8.5", "8.6", "8.5", "7.9", "8.9", "7.6", "4.8", "9.1"]


def test_9_3_the_two_readings_of_the_lone_subject_differ_on_the_issues_example():
    # Floor reading: 4.8 raised to 6.5 gives five ≥ 8.0, so only Khá — one level above
    # Đạt, no adjustment. Any-value reading: 4.8 raised to 8.0 makes the sixth ≥ 8.0,
    # so Tốt was stopped by that one subject, two levels down: raised to Khá.
    assert level(ISSUE_EXAMPLE) == "Đạt"
    assert level(ISSUE_EXAMPLE, circular=Tt22(lone_subject=LoneSubject.ANY_VALUE)) == "Khá"
    assert level(ISSUE_EXAMPLE, circular=Tt22(Adjustment.WOULD_BE_MINUS_ONE,
                                              lone_subject=LoneSubject.ANY_VALUE)) == "Khá"


def test_9_3_both_readings_agree_where_the_subject_is_the_only_one_below_the_floor():
    for scored in (["9.0"] * 7 + ["4.0"], ["7.0"] * 7 + ["3.0"], ["9.0"] * 6 + ["4.0"] * 2):
        assert level(scored) == level(scored, circular=Tt22(lone_subject="any_value"))


def test_the_registry_builds_the_rules_a_school_reads():
    school = get_circular("tt22", {"adjustment": "would_be_minus_one",
                                   "lone_subject": "any_value",
                                   "comment_subject_counts": True})
    assert (school.adjustment, school.lone_subject, school.comment_subject_counts) == (
        Adjustment.WOULD_BE_MINUS_ONE, LoneSubject.ANY_VALUE, True)
    assert get_circular("tt58", {"lone_subject": "any_value"}).code == "tt58"
    with pytest.raises(ValueError):
        get_circular("tt22", {"lone_subject": "sometimes"})


@pytest.mark.parametrize(("term1", "term2"), list(CONDUCT_YEAR))
def test_conduct_year_table_is_complete_and_term_two_dominates(term1, term2):
    year = tt22.conduct_year(term1, term2)
    if term2 == "Chưa đạt":
        assert year == "Chưa đạt"
    assert year in ("Tốt", "Khá", "Đạt", "Chưa đạt")


@pytest.mark.parametrize(("term1", "term2", "year"), [
    ("Tốt", "Tốt", "Tốt"), ("Khá", "Tốt", "Tốt"), ("Đạt", "Tốt", "Khá"),
    ("Chưa đạt", "Tốt", "Khá"), ("Tốt", "Khá", "Khá"), ("Đạt", "Khá", "Khá"),
    ("Chưa đạt", "Khá", "Đạt"), ("Tốt", "Đạt", "Khá"), ("Khá", "Đạt", "Đạt"),
    ("Chưa đạt", "Đạt", "Đạt"), ("Tốt", "Chưa đạt", "Chưa đạt")])
def test_conduct_year_cases_of_dieu_8(term1, term2, year):
    assert CONDUCT_YEAR[(term1, term2)] == year
    assert len(CONDUCT_YEAR) == 16


def test_excellent_needs_six_year_averages_of_nine():
    report = tt22.report(student(tt22, ["9.0"] * 6 + ["8.0", "8.0"]))
    assert report.learning[YEAR].value == "Tốt"
    assert report.title == "Học sinh Xuất sắc"
    report = tt22.report(student(tt22, ["9.0"] * 5 + ["8.9", "8.0", "8.0"]))
    assert report.title == "Học sinh Giỏi"


def test_no_title_without_good_conduct():
    report = tt22.report(student(tt22, ["9.5"] * 8, conduct=("Tốt", "Khá")))
    assert report.conduct[YEAR].value == "Khá" and report.title is None


def test_promoted_with_45_absences_and_kept_down_with_46():
    assert tt22.report(student(tt22, ["7.0"] * 8, absences=45)).promotion.status == \
        PromotionStatus.PROMOTED
    kept = tt22.report(student(tt22, ["7.0"] * 8, absences=46)).promotion
    assert kept.status == PromotionStatus.REPEAT and "46 buổi" in kept.reasons[0]


def test_learning_not_passed_sends_the_weak_subjects_to_retest():
    record = student(tt22, ["6.0"] * 5 + ["4.9", "4.0", "3.0"], marks="ĐĐĐC")
    report = tt22.report(record)
    assert report.learning[YEAR].value == "Chưa đạt"
    assert report.promotion.status == PromotionStatus.RETEST
    assert report.promotion.retest_subjects == ("KHTN", "CN", "TIN", "GDDP")


def test_passing_retests_reclassify_and_promote():
    record = student(tt22, ["6.0"] * 5 + ["4.9", "4.0", "3.0"], marks="ĐĐĐC",
                     retest={"KHTN": "5.0", "CN": "6.0", "TIN": "5.5", "GDDP": "Đ"})
    report = tt22.report(record)
    assert report.learning_after_retest == "Đạt"
    assert report.promotion.status == PromotionStatus.PROMOTED


def test_failing_retests_keep_the_student_down():
    record = student(tt22, ["6.0"] * 5 + ["4.9", "4.0", "3.0"], marks="ĐĐĐC",
                     retest={"KHTN": "4.0", "CN": "4.0", "TIN": "3.0", "GDDP": "CĐ"})
    report = tt22.report(record)
    assert report.promotion.status == PromotionStatus.REPEAT


def test_conduct_not_passed_means_summer_training_then_promotion_if_passed():
    record = student(tt22, ["7.0"] * 8, conduct=("Đạt", "Chưa đạt"))
    assert tt22.report(record).promotion.status == PromotionStatus.SUMMER_TRAINING
    trained = student(tt22, ["7.0"] * 8, conduct=("Đạt", "Chưa đạt"), summer="Đạt")
    assert tt22.report(trained).promotion.status == PromotionStatus.PROMOTED
    failed = student(tt22, ["7.0"] * 8, conduct=("Đạt", "Chưa đạt"), summer="Chưa đạt")
    assert tt22.report(failed).promotion.status == PromotionStatus.REPEAT


def test_both_retest_and_summer_training():
    record = student(tt22, ["4.0"] * 8, conduct=("Đạt", "Chưa đạt"))
    assert tt22.report(record).promotion.status == PromotionStatus.RETEST_AND_SUMMER


def test_year_results_come_from_both_terms():
    record = student(tt22, ["8.0"] * 8, term1=["6.5"] * 8)
    report = tt22.report(record)
    # (6.5 + 2·8.0) / 3 = 7.5
    assert {r.year.value for r in report.subjects[:8]} == {D("7.5")}
    assert report.learning[1].value == "Khá" and report.learning[2].value == "Tốt"
    assert report.learning[YEAR].value == "Khá"
