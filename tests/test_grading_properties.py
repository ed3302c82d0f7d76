"""Properties of the grading rules over many generated cases (hypothesis)."""

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from grading.base import weighted_term_average, weighted_year_average
from grading.tt22 import LEVELS, Adjustment, Tt22
from grading.tt58 import LEARNING, Tt58
from tests.grading_fixtures import period_results

scores = st.integers(min_value=0, max_value=100).map(lambda n: Decimal(n) / 10)
marks = st.text(alphabet="ĐC", min_size=4, max_size=4)
CIRCULARS = [(Tt22(), LEVELS), (Tt22(Adjustment.WOULD_BE_MINUS_ONE), LEVELS),
             (Tt22(comment_subject_counts=True), LEVELS), (Tt58(), LEARNING)]


@given(st.lists(scores, min_size=2, max_size=4), scores, scores)
def test_term_average_stays_within_the_inputs(regular, midterm, final):
    average = weighted_term_average(regular, midterm, final)
    values = [*regular, midterm, final]
    assert min(values) <= average <= max(values)
    assert average == average.quantize(Decimal("0.1"))


@given(scores, scores)
def test_year_average_stays_within_the_term_averages(term1, term2):
    assert min(term1, term2) <= weighted_year_average(term1, term2) <= max(term1, term2)


@settings(max_examples=300)
@given(st.lists(scores, min_size=8, max_size=8), marks, st.integers(0, 7),
       st.integers(1, 100), st.sampled_from(range(len(CIRCULARS))))
def test_raising_one_score_never_lowers_the_learning_level(values, flags, index, raise_by,
                                                           which):
    circular, levels = CIRCULARS[which]
    before = circular.learning_level(period_results([str(v) for v in values], flags))
    raised = list(values)
    raised[index] = min(Decimal(10), raised[index] + Decimal(raise_by) / 10)
    after = circular.learning_level(period_results([str(v) for v in raised], flags))
    assert levels.index(after) <= levels.index(before)


@settings(max_examples=200)
@given(st.lists(scores, min_size=8, max_size=8), marks, st.integers(0, 3),
       st.sampled_from(range(len(CIRCULARS))))
def test_passing_a_comment_subject_never_lowers_the_learning_level(values, flags, index,
                                                                   which):
    circular, levels = CIRCULARS[which]
    scored = [str(v) for v in values]
    before = circular.learning_level(period_results(scored, flags))
    improved = flags[:index] + "Đ" + flags[index + 1:]
    after = circular.learning_level(period_results(scored, improved))
    assert levels.index(after) <= levels.index(before)
