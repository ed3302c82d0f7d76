"""Thông tư 22/2021/TT-BGDĐT: đánh giá học sinh THCS và THPT.

Điều 6.1 — số lần ĐĐGtx mỗi học kì: môn đánh giá bằng nhận xét: 02; môn đánh
giá bằng nhận xét kết hợp điểm số: 35 tiết/năm: 02, trên 35 đến 70 tiết: 03,
trên 70 tiết: 04. Mỗi học kì một ĐĐGgk và một ĐĐGck.

Điều 7 — ĐTBmhk = (TĐĐGtx + 2 x ĐĐGgk + 3 x ĐĐGck) / (Số ĐĐGtx + 5);
ĐTBmcn = (ĐTBmhkI + 2 x ĐTBmhkII) / 3. Môn nhận xét: học kì Đạt khi có đủ số
lần đánh giá và tất cả các lần Đạt; cả năm Đạt khi học kì II Đạt.

Điều 8.2 — kết quả rèn luyện cả năm (see `CONDUCT_YEAR`).

Điều 9.2 — kết quả học tập học kì, cả năm:
  Tốt: tất cả môn nhận xét Đạt; tất cả môn điểm số ≥ 6,5, ít nhất 06 môn ≥ 8,0.
  Khá: tất cả môn nhận xét Đạt; tất cả môn điểm số ≥ 5,0, ít nhất 06 môn ≥ 6,5.
  Đạt: nhiều nhất 01 môn nhận xét Chưa đạt; ít nhất 06 môn ≥ 5,0; không môn nào < 3,5.
  Chưa đạt: các trường hợp còn lại.

Điều 9.3 — "Nếu mức đánh giá kết quả học tập của học kì, cả năm học bị thấp
xuống từ 02 (hai) mức trở lên so với mức đánh giá quy định tại khoản 2 Điều
này chỉ do kết quả đánh giá của duy nhất 01 (một) môn học thì mức đánh giá kết
quả học tập của học kì đó, cả năm học đó được điều chỉnh lên mức liền kề."

Two readings of 9.3 are in use, and this module offers both:
  * `Adjustment.ACTUAL_PLUS_ONE` (default, the common reading and the one most
    school software applies): "điều chỉnh lên mức liền kề" means one level above
    the level actually reached. Tốt spoiled to Chưa đạt by one subject → Đạt.
  * `Adjustment.WOULD_BE_MINUS_ONE`: the level adjacent to (just below) the level
    the student would have had without that subject. Tốt → Chưa đạt → Khá.
  For a drop of exactly two levels both readings agree.
Which subject "causes" the drop is also read two ways (`LoneSubject`):
  * `LoneSubject.FLOOR` (default, as TT58 Điều 13 put it): the lone subject is
    the only one below the would-be level's floor; raising it to the floor (6,5
    for Tốt, 5,0 for Khá) with every other subject unchanged gives that level.
  * `LoneSubject.ANY_VALUE`: the lone subject is whatever stops the student;
    raising it to any value (up to 10) gives the would-be level, so it may also
    supply the sixth subject ≥ 8,0 / ≥ 6,5. HK averages 8,5 8,6 8,5 7,9 8,9 7,6
    4,8 9,1: FLOOR → Đạt (4,8 raised to 6,5 gives only Khá, one level up);
    ANY_VALUE → Khá (4,8 raised to 8,0 gives Tốt, two levels up, adjusted).
"The one subject" is, by default, a scored subject only; `comment_subject_counts`
lets a comment subject (Chưa đạt) be that subject as well (raised to Đạt, under
either reading).

Điều 12, 13 — lên lớp: rèn luyện và học tập cả năm từ Đạt trở lên, nghỉ không
quá 45 buổi; học tập Chưa đạt → kiểm tra lại các môn ĐTBmcn < 5,0 hoặc Chưa
đạt; rèn luyện Chưa đạt → rèn luyện trong hè.

Điều 15 — Học sinh Xuất sắc: rèn luyện và học tập cả năm Tốt và ít nhất 06
môn ĐTBmcn ≥ 9,0; Học sinh Giỏi: rèn luyện và học tập cả năm Tốt.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from enum import StrEnum

from grading.base import COMMENT, FAIL_MARK, PASS_MARK, Circular, Score, SubjectSpec
from grading.vocabulary import CommentMark, SubjectKind

GOOD, FAIR, PASS, FAIL = "Tốt", "Khá", "Đạt", "Chưa đạt"
LEVELS = (GOOD, FAIR, PASS, FAIL)

# Điều 8.2: (HKI, HKII) → cả năm, every one of the 16 cases written out.
CONDUCT_YEAR: Mapping[tuple[str, str], str] = {
    (GOOD, GOOD): GOOD, (FAIR, GOOD): GOOD, (PASS, GOOD): FAIR, (FAIL, GOOD): FAIR,
    (GOOD, FAIR): FAIR, (FAIR, FAIR): FAIR, (PASS, FAIR): FAIR, (FAIL, FAIR): PASS,
    (GOOD, PASS): FAIR, (FAIR, PASS): PASS, (PASS, PASS): PASS, (FAIL, PASS): PASS,
    (GOOD, FAIL): FAIL, (FAIR, FAIL): FAIL, (PASS, FAIL): FAIL, (FAIL, FAIL): FAIL,
}

D = Decimal
TEN, EIGHT, SIX_FIVE, FIVE, THREE_FIVE = D("10.0"), D("8.0"), D("6.5"), D("5.0"), D("3.5")
FLOOR = {GOOD: SIX_FIVE, FAIR: FIVE}


class Adjustment(StrEnum):
    ACTUAL_PLUS_ONE = "actual_plus_one"
    WOULD_BE_MINUS_ONE = "would_be_minus_one"
    NONE = "none"


class LoneSubject(StrEnum):
    FLOOR = "floor"
    ANY_VALUE = "any_value"


class Tt22(Circular):
    code = "tt22"
    name = "Thông tư 22/2021/TT-BGDĐT"
    learning_levels = LEVELS
    conduct_levels = LEVELS
    learning_pass_level = PASS
    conduct_pass_level = PASS

    def __init__(self, adjustment: Adjustment = Adjustment.ACTUAL_PLUS_ONE,
                 comment_subject_counts: bool = False,
                 lone_subject: LoneSubject = LoneSubject.FLOOR) -> None:
        self.adjustment = Adjustment(adjustment)
        self.comment_subject_counts = comment_subject_counts
        self.lone_subject = LoneSubject(lone_subject)

    @classmethod
    def with_options(cls, options: Mapping[str, object]) -> Tt22:
        return cls(Adjustment(options.get("adjustment", Adjustment.ACTUAL_PLUS_ONE)),
                   bool(options.get("comment_subject_counts", False)),
                   LoneSubject(options.get("lone_subject", LoneSubject.FLOOR)))

    def regular_count(self, subject: SubjectSpec) -> int:
        if subject.kind == SubjectKind.COMMENT:
            return 2
        if subject.periods_per_year <= 35:
            return 2
        if subject.periods_per_year <= 70:
            return 3
        return 4

    def comment_term_mark(self, marks: Sequence[Score]) -> CommentMark:
        return PASS_MARK if all(m == PASS_MARK for m in marks) else FAIL_MARK

    def comment_year_mark(self, term_marks, all_marks) -> CommentMark:
        return CommentMark(term_marks[2])

    def conduct_year(self, term1: str, term2: str) -> str:
        return CONDUCT_YEAR[(term1, term2)]

    def learning_level(self, results: Sequence[tuple[SubjectSpec, Score]]) -> str:
        actual = base_level(results)
        if self.adjustment == Adjustment.NONE:
            return actual
        would_be = self._would_be_level(results, actual)
        if would_be is None or LEVELS.index(actual) - LEVELS.index(would_be) < 2:
            return actual
        if self.adjustment == Adjustment.ACTUAL_PLUS_ONE:
            return LEVELS[LEVELS.index(actual) - 1]
        return LEVELS[LEVELS.index(would_be) + 1]

    def _would_be_level(self, results: Sequence[tuple[SubjectSpec, Score]],
                        actual: str) -> str | None:
        """The best of Tốt/Khá, at least two levels above `actual`, reachable by fixing
        exactly one subject; None when there is none."""
        for target in (GOOD, FAIR):
            if LEVELS.index(actual) - LEVELS.index(target) < 2:
                continue
            for index, (subject, value) in enumerate(results):
                raised = _raised(subject, value, target, self.comment_subject_counts,
                                 self.lone_subject)
                if raised is None:
                    continue
                changed = [*results[:index], (subject, raised), *results[index + 1:]]
                if LEVELS.index(base_level(changed)) <= LEVELS.index(target):
                    return target
        return None

    def title(self, learning: str, conduct: str,
              year_results: Sequence[tuple[SubjectSpec, Score]]) -> str | None:
        if learning != GOOD or conduct != GOOD:
            return None
        scored = [v for s, v in year_results if s.kind == SubjectKind.SCORED]
        if sum(1 for v in scored if v >= D("9.0")) >= 6:
            return "Học sinh Xuất sắc"
        return "Học sinh Giỏi"


def _raised(subject: SubjectSpec, value: Score, target: str,
            comment_counts: bool, reading: LoneSubject) -> Score | None:
    """The value the lone subject is raised to when testing `target`; None: not a
    candidate."""
    if subject.kind == COMMENT:
        return PASS_MARK if comment_counts and value == FAIL_MARK else None
    if reading == LoneSubject.ANY_VALUE:
        return TEN if value < TEN else None
    return FLOOR[target] if value < FLOOR[target] else None


def base_level(results: Sequence[tuple[SubjectSpec, Score]]) -> str:
    """Điều 9.2 without the 9.3 adjustment (one pass over the subjects: it runs often)."""
    comment_fails = above_8 = above_65 = above_5 = 0
    lowest = D(10)
    for subject, value in results:
        if subject.kind == COMMENT:
            comment_fails += value == FAIL_MARK
            continue
        if value < lowest:
            lowest = value
        above_8 += value >= EIGHT
        above_65 += value >= SIX_FIVE
        above_5 += value >= FIVE
    if comment_fails == 0 and lowest >= SIX_FIVE and above_8 >= 6:
        return GOOD
    if comment_fails == 0 and lowest >= FIVE and above_65 >= 6:
        return FAIR
    if comment_fails <= 1 and above_5 >= 6 and lowest >= THREE_FIVE:
        return PASS
    return FAIL
