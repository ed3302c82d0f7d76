"""The interface every circular implements, and the pipeline they share.

A circular supplies the rules (columns, averages, levels, adjustment, titles,
promotion criteria); `Circular.report` runs them in the order a GVCN does:
subject results per term and year, learning and conduct levels, title, then
promotion with re-tests and summer training.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from functools import lru_cache
from typing import Generic, TypeVar

from grading.rounding import round_half_up
from grading.vocabulary import CommentMark, SubjectKind

Score = Decimal | CommentMark
T = TypeVar("T")
# Looked up once, for the hot loops of every circular (an enum member lookup is not free).
COMMENT, PASS_MARK, FAIL_MARK = SubjectKind.COMMENT, CommentMark.PASS, CommentMark.FAIL
YEAR = 0  # period key for the whole year; terms are 1 and 2


@dataclass(frozen=True)
class SubjectSpec:
    code: str
    name: str
    kind: SubjectKind
    periods_per_year: int


@dataclass(frozen=True)
class Computed(Generic[T]):
    """A result, or why it cannot be computed yet: never a silent zero."""

    value: T | None
    missing: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.value is not None


@dataclass(frozen=True)
class SubjectRecord:
    subject: SubjectSpec
    terms: Mapping[int, Mapping[str, Score]]
    retest: Score | None = None


@dataclass(frozen=True)
class StudentRecord:
    key: object
    subjects: Sequence[SubjectRecord]
    conduct: Mapping[int, str | None]
    absences: int = 0
    summer_conduct: str | None = None  # result after rèn luyện trong hè


@dataclass(frozen=True)
class SubjectResult:
    subject: SubjectSpec
    term: Mapping[int, Computed[Score]]
    year: Computed[Score]
    after_retest: Score | None = None


class PromotionStatus(StrEnum):
    PROMOTED = "Lên lớp"
    RETEST = "Kiểm tra lại"
    SUMMER_TRAINING = "Rèn luyện trong hè"
    RETEST_AND_SUMMER = "Kiểm tra lại và rèn luyện trong hè"
    REPEAT = "Ở lại lớp"
    INCOMPLETE = "Chưa đủ dữ liệu"


@dataclass(frozen=True)
class Promotion:
    status: PromotionStatus
    retest_subjects: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class StudentReport:
    key: object
    subjects: Sequence[SubjectResult]
    learning: Mapping[int, Computed[str]]
    conduct: Mapping[int, Computed[str]]
    overall_average: Mapping[int, Decimal | None] = field(default_factory=dict)
    learning_after_retest: str | None = None
    title: str | None = None
    promotion: Promotion = Promotion(PromotionStatus.INCOMPLETE)


@lru_cache(maxsize=8)
def _columns(regular_count: int) -> tuple[str, ...]:
    return (*(f"TX{i}" for i in range(1, regular_count + 1)), "GK", "CK")


def weighted_term_average(regular: Sequence[Decimal], midterm: Decimal, final: Decimal) -> Decimal:
    """(ΣĐĐGtx + 2·ĐĐGgk + 3·ĐĐGck) / (số ĐĐGtx + 5), rounded half-up."""
    total = sum(regular, Decimal(0)) + 2 * midterm + 3 * final
    return round_half_up(total / (len(regular) + 5))


def weighted_year_average(term1: Decimal, term2: Decimal) -> Decimal:
    """(ĐTBmhkI + 2·ĐTBmhkII) / 3 from the already rounded term averages."""
    return round_half_up((term1 + 2 * term2) / 3)


TERM_LABEL = {1: "HKI", 2: "HKII", YEAR: "cả năm"}


class Circular(ABC):
    code: str
    name: str
    learning_levels: tuple[str, ...]  # best first
    conduct_levels: tuple[str, ...]  # best first
    max_absent_sessions = 45

    @classmethod
    def with_options(cls, options: Mapping[str, object]) -> Circular:
        """The rules as one school reads them; a circular takes the options it knows."""
        return cls()

    # ---- columns ---------------------------------------------------------
    @abstractmethod
    def regular_count(self, subject: SubjectSpec) -> int: ...

    def columns(self, subject: SubjectSpec) -> tuple[str, ...]:
        return _columns(self.regular_count(subject))

    # ---- subject results -------------------------------------------------
    def term_subject_result(self, subject: SubjectSpec, scores: Mapping[str, Score],
                            term: int) -> Computed[Score]:
        columns = self.columns(subject)
        try:
            values = [scores[c] for c in columns]  # a Score per column: never None
        except KeyError:
            return Computed(None, tuple(f"{subject.name} {TERM_LABEL[term]}: {c}"
                                        for c in columns if c not in scores))
        if subject.kind == COMMENT:
            return Computed(self.comment_term_mark(values))
        return Computed(weighted_term_average(values[:-2], values[-2], values[-1]))

    @abstractmethod
    def comment_term_mark(self, marks: Sequence[Score]) -> CommentMark: ...

    @abstractmethod
    def comment_year_mark(self, term_marks: Mapping[int, CommentMark],
                          all_marks: Sequence[Score]) -> CommentMark: ...

    def year_subject_result(self, record: SubjectRecord,
                            term: Mapping[int, Computed[Score]]) -> Computed[Score]:
        missing = term[1].missing + term[2].missing
        if missing:
            return Computed(None, missing)
        if record.subject.kind == COMMENT:
            all_marks = [m for t in (1, 2) for m in record.terms.get(t, {}).values()]
            return Computed(self.comment_year_mark({1: term[1].value, 2: term[2].value},
                                                   all_marks))
        return Computed(weighted_year_average(term[1].value, term[2].value))

    def subject_result(self, record: SubjectRecord) -> SubjectResult:
        term = {t: self.term_subject_result(record.subject, record.terms.get(t, {}), t)
                for t in (1, 2)}
        return SubjectResult(record.subject, term, self.year_subject_result(record, term),
                             record.retest)

    # ---- student levels --------------------------------------------------
    @abstractmethod
    def learning_level(self, results: Sequence[tuple[SubjectSpec, Score]]) -> str:
        """The learning level from one period's subject results (adjustment included)."""

    def overall_average(self, results: Sequence[tuple[SubjectSpec, Score]]) -> Decimal | None:
        """ĐTB các môn, where the circular has one."""
        return None

    @abstractmethod
    def conduct_year(self, term1: str, term2: str) -> str: ...

    @abstractmethod
    def title(self, learning: str, conduct: str,
              year_results: Sequence[tuple[SubjectSpec, Score]]) -> str | None: ...

    def learning_passes(self, level: str) -> bool:
        return self.rank(self.learning_levels, level) <= self.rank(self.learning_levels,
                                                                   self.learning_pass_level)

    def conduct_passes(self, level: str) -> bool:
        return self.rank(self.conduct_levels, level) <= self.rank(self.conduct_levels,
                                                                  self.conduct_pass_level)

    learning_pass_level: str
    conduct_pass_level: str

    def repeats_without_retest(self, learning: str, conduct: str) -> bool:
        """Cases where the student stays down with no re-test (none under TT22)."""
        return False

    @staticmethod
    def rank(levels: Sequence[str], level: str) -> int:
        return levels.index(level)

    # ---- the pipeline ----------------------------------------------------
    def report(self, record: StudentRecord) -> StudentReport:
        subjects = [self.subject_result(r) for r in record.subjects]
        learning: dict[int, Computed[str]] = {}
        averages: dict[int, Decimal | None] = {}
        for period in (1, 2, YEAR):
            values = [r.term[period] if period else r.year for r in subjects]
            missing = tuple(m for v in values for m in v.missing)
            if missing:
                learning[period] = Computed(None, missing)
                averages[period] = None
                continue
            pairs = [(r.subject, v.value) for r, v in zip(subjects, values, strict=True)]
            learning[period] = Computed(self.learning_level(pairs))
            averages[period] = self.overall_average(pairs)
        conduct = self._conduct(record)
        report = StudentReport(record.key, subjects, learning, conduct, averages)
        return self._finish(report, record)

    def _conduct(self, record: StudentRecord) -> dict[int, Computed[str]]:
        result: dict[int, Computed[str]] = {}
        for term in (1, 2):
            level = record.conduct.get(term)
            result[term] = Computed(level, () if level else (f"Rèn luyện {TERM_LABEL[term]}",))
        if result[1].ok and result[2].ok:
            result[YEAR] = Computed(self.conduct_year(result[1].value, result[2].value))
        else:
            result[YEAR] = Computed(None, result[1].missing + result[2].missing)
        return result

    def _finish(self, report: StudentReport, record: StudentRecord) -> StudentReport:
        learning, conduct = report.learning[YEAR], report.conduct[YEAR]
        if not (learning.ok and conduct.ok):
            return report
        year_pairs = [(r.subject, r.year.value) for r in report.subjects]
        title = self.title(learning.value, conduct.value, year_pairs)
        after_retest = self._learning_after_retest(report)
        promotion = self.promotion(learning.value, conduct.value, report, record, after_retest)
        return StudentReport(report.key, report.subjects, report.learning, report.conduct,
                             report.overall_average, after_retest, title, promotion)

    def retest_subjects(self, report: StudentReport) -> tuple[str, ...]:
        """Scored subjects with ĐTBmcn < 5.0 and comment subjects Chưa đạt."""
        return tuple(r.subject.code for r in report.subjects if _below_pass(r.year.value))

    def _learning_after_retest(self, report: StudentReport) -> str | None:
        needed = self.retest_subjects(report)
        if self.learning_passes(report.learning[YEAR].value) or not needed:
            return None
        results = {r.subject.code: r for r in report.subjects}
        if any(results[code].after_retest is None for code in needed):
            return None
        pairs = [(r.subject, r.after_retest if r.subject.code in needed else r.year.value)
                 for r in report.subjects]
        return self.learning_level(pairs)

    def promotion(self, learning: str, conduct: str, report: StudentReport,
                  record: StudentRecord, after_retest: str | None) -> Promotion:
        if record.absences > self.max_absent_sessions:
            return Promotion(PromotionStatus.REPEAT, reasons=(
                f"Nghỉ {record.absences} buổi (quá {self.max_absent_sessions} buổi)",))
        if self.repeats_without_retest(learning, conduct):
            return Promotion(PromotionStatus.REPEAT, reasons=(
                f"Kết quả học tập {learning}, rèn luyện {conduct}",))
        needs_retest = not self.learning_passes(learning)
        needs_summer = not self.conduct_passes(conduct)
        retest = self.retest_subjects(report) if needs_retest else ()
        reasons: list[str] = []
        if needs_retest and after_retest is not None:
            if not self.learning_passes(after_retest):
                return Promotion(PromotionStatus.REPEAT, retest, (
                    f"Sau kiểm tra lại, kết quả học tập {after_retest}",))
            needs_retest = False
        if needs_summer and record.summer_conduct is not None:
            if not self.conduct_passes(record.summer_conduct):
                return Promotion(PromotionStatus.REPEAT, retest, (
                    f"Sau rèn luyện trong hè, kết quả rèn luyện {record.summer_conduct}",))
            needs_summer = False
        if needs_retest:
            reasons.append(f"Kết quả học tập {learning}")
        if needs_summer:
            reasons.append(f"Kết quả rèn luyện {conduct}")
        status = {
            (False, False): PromotionStatus.PROMOTED,
            (True, False): PromotionStatus.RETEST,
            (False, True): PromotionStatus.SUMMER_TRAINING,
            (True, True): PromotionStatus.RETEST_AND_SUMMER,
        }[(needs_retest, needs_summer)]
        return Promotion(status, retest, tuple(reasons))


def _below_pass(value: Score) -> bool:
    if isinstance(value, Decimal):
        return value < Decimal("5.0")
    return value == FAIL_MARK
