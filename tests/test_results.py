"""The grading engine wired to the book: a class's reports from stored scores."""

import pytest

from grading.base import YEAR, PromotionStatus
from grading.rounding import round_half_up
from services.conduct import rate_conduct
from services.demo_school import ALL_COLUMNS, fill_scores
from services.errors import InvalidBatch, PermissionDenied
from services.results import class_report
from tests.helpers import class_named, student_ids


def _complete_class(session, school, clock, name="6A1"):
    cls = class_named(session, name)
    for term in (1, 2):
        fill_scores(session, school, seed=3, columns=ALL_COLUMNS, share=1.0, term=term,
                    class_ids=[cls.id])
        levels = {sid: "Tốt" for sid in student_ids(session, cls.id)}
        rate_conduct(session, clock, school.homeroom[cls.id], cls.id, school.term_ids[term],
                     levels)
    return cls


def test_a_complete_class_gets_every_result_for_every_student(session, school, clock):
    cls = _complete_class(session, school, clock)
    report = class_report(session, cls.id)
    assert len(report.students) == len(student_ids(session, cls.id))
    for _, _, result in report.students:
        assert result.learning[YEAR].ok, result.learning[YEAR].missing
        assert result.conduct[YEAR].value == "Tốt"
        assert result.promotion.status != PromotionStatus.INCOMPLETE


def test_stored_scores_give_the_averages_of_the_formula(session, school, clock):
    cls = _complete_class(session, school, clock)
    _, _, result = class_report(session, cls.id).students[0]
    maths = next(r for r in result.subjects if r.subject.code == "TOAN")
    term1 = maths.term[1].value
    assert maths.year.value == round_half_up((term1 + 2 * maths.term[2].value) / 3)


def test_an_incomplete_class_lists_what_is_missing(session, school, clock):
    cls = class_named(session, "7A1")
    _, _, result = class_report(session, cls.id).students[0]
    assert not result.learning[1].ok
    assert "Toán HKI: TX1" in result.learning[1].missing


def test_only_the_gvcn_rates_conduct_and_only_with_valid_levels(session, school, clock):
    cls = class_named(session, "6A1")
    ids = student_ids(session, cls.id)
    with pytest.raises(PermissionDenied):
        rate_conduct(session, clock, school.homeroom[class_named(session, "7A1").id], cls.id,
                     school.term_ids[1], {ids[0]: "Tốt"})
    with pytest.raises(InvalidBatch) as refusal:
        rate_conduct(session, clock, school.homeroom[cls.id], cls.id, school.term_ids[1],
                     {ids[0]: "Giỏi"})
    assert "Tốt, Khá, Đạt, Chưa đạt" in refusal.value.message


def test_a_whole_year_graded_at_once_matches_each_class_graded_alone(session, school, clock):
    """year_reports (one query per kind of fact) gives every class exactly the report that
    class_report gives it: complete and incomplete classes, absences, another school's
    students left out."""
    from services.demo_school import build_demo_school, record_demo_absences
    from services.results import year_reports

    complete_class = _complete_class(session, school, clock, "6A1")
    fill_scores(session, school, seed=5, share=0.7,
                class_ids=[c for c in school.class_ids if c != complete_class.id])
    record_demo_absences(session, school)
    build_demo_school(session, seed=9, classes_per_grade=1, class_size=5,
                      school_code="THCS-KHAC")
    whole = year_reports(session, school.year_id)
    assert [r.school_class.id for r in whole] == sorted(
        school.class_ids, key=lambda c: (class_report(session, c).school_class.grade,
                                         class_report(session, c).school_class.name))
    complete = 0
    for report in whole:
        alone = class_report(session, report.school_class.id)
        assert [(roll, s.id) for roll, s, _ in report.students] == \
            [(roll, s.id) for roll, s, _ in alone.students]
        for (_, _, together), (_, _, single) in zip(report.students, alone.students,
                                                     strict=True):
            assert together == single
            complete += together.learning[YEAR].ok
    assert complete == len(student_ids(session, complete_class.id))
