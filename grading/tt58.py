"""Thông tư 58/2011/TT-BGDĐT as amended by Thông tư 26/2020/TT-BGDĐT (legacy).

Kept for school years still graded under the old rules, and as the proof that
a circular is one module: nothing outside this file knows about it except
the registry line that names it.

- Số ĐĐGtx (TT26 sửa Điều 8): ≤ 35 tiết/năm: 2; trên 35 đến 70: 3; trên 70: 4;
  one ĐĐGgk and one ĐĐGck; ĐTBmhk = (TĐĐGtx + 2·ĐĐGgk + 3·ĐĐGck)/(số ĐĐGtx + 5),
  ĐTBmcn = (ĐTBmhkI + 2·ĐTBmhkII)/3.
- Môn nhận xét: học kì Đ khi đủ số lần, ít nhất 2/3 số lần Đ và bài kiểm tra
  học kì Đ; cả năm Đ khi học kì II Đ và ít nhất 2/3 số lần cả năm Đ.
- ĐTB các môn (TT26): trung bình cộng ĐTB các môn tính điểm.
- Học lực (Điều 13):
  Giỏi: ĐTB các môn ≥ 8,0, một trong Toán/Ngữ văn/Ngoại ngữ ≥ 8,0, không môn
        nào < 6,5, các môn nhận xét Đ;
  Khá:  ≥ 6,5, một trong ba môn ≥ 6,5, không môn nào < 5,0, nhận xét Đ;
  Trung bình: ≥ 5,0, một trong ba môn ≥ 5,0, không môn nào < 3,5, nhận xét Đ;
  Yếu:  ≥ 3,5, không môn nào < 2,0; Kém: còn lại.
- Điều 13.3, the four adjustment cases, when the ĐTB reaches Giỏi or Khá but
  one subject pulls the level down: Giỏi→TB ⇒ Khá; Giỏi→Yếu ⇒ TB; Khá→Yếu ⇒ TB;
  Khá→Kém ⇒ TB.
- Hạnh kiểm Tốt/Khá/Trung bình/Yếu; cả năm "chủ yếu căn cứ" học kì II: the
  year defaults to HKII (the GVCN may override it in the record).
- Danh hiệu: HS Giỏi (HK Tốt, HL Giỏi), HS Tiên tiến (HK và HL từ Khá).
- Lên lớp: HK và HL cả năm từ Trung bình, nghỉ ≤ 45 buổi. HL Kém, or HL Yếu
  with HK Yếu: ở lại lớp without re-test. HL Yếu: kiểm tra lại; HK Yếu:
  rèn luyện trong hè.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from grading.base import Circular, Score, SubjectSpec
from grading.rounding import round_half_up
from grading.vocabulary import CommentMark, SubjectKind

EXCELLENT, GOOD, AVERAGE, WEAK, POOR = "Giỏi", "Khá", "Trung bình", "Yếu", "Kém"
LEARNING = (EXCELLENT, GOOD, AVERAGE, WEAK, POOR)
CONDUCT = ("Tốt", "Khá", "Trung bình", "Yếu")
D = Decimal

# (ĐTB floor, core-subject floor, every-subject floor, comment subjects must pass)
CRITERIA = {
    EXCELLENT: (D("8.0"), D("8.0"), D("6.5"), True),
    GOOD: (D("6.5"), D("6.5"), D("5.0"), True),
    AVERAGE: (D("5.0"), D("5.0"), D("3.5"), True),
    WEAK: (D("3.5"), None, D("2.0"), False),
}
ADJUSTED = {
    (EXCELLENT, AVERAGE): GOOD, (EXCELLENT, WEAK): AVERAGE,
    (GOOD, WEAK): AVERAGE, (GOOD, POOR): AVERAGE,
}
CORE_SUBJECT_CODES = frozenset({"TOAN", "VAN", "NN"})


class Tt58(Circular):
    code = "tt58"
    name = "Thông tư 58/2011/TT-BGDĐT (sửa đổi bởi Thông tư 26/2020/TT-BGDĐT)"
    learning_levels = LEARNING
    conduct_levels = CONDUCT
    learning_pass_level = AVERAGE
    conduct_pass_level = "Trung bình"

    def __init__(self, core_subject_codes: frozenset[str] = CORE_SUBJECT_CODES) -> None:
        self.core_subject_codes = core_subject_codes

    def regular_count(self, subject: SubjectSpec) -> int:
        if subject.periods_per_year <= 35:
            return 2
        return 3 if subject.periods_per_year <= 70 else 4

    def comment_term_mark(self, marks: Sequence[Score]) -> CommentMark:
        passed = sum(1 for m in marks if m == CommentMark.PASS)
        ok = marks[-1] == CommentMark.PASS and 3 * passed >= 2 * len(marks)
        return CommentMark.PASS if ok else CommentMark.FAIL

    def comment_year_mark(self, term_marks, all_marks) -> CommentMark:
        passed = sum(1 for m in all_marks if m == CommentMark.PASS)
        ok = term_marks[2] == CommentMark.PASS and 3 * passed >= 2 * len(all_marks)
        return CommentMark.PASS if ok else CommentMark.FAIL

    def overall_average(self, results: Sequence[tuple[SubjectSpec, Score]]) -> Decimal | None:
        scored = [v for s, v in results if s.kind == SubjectKind.SCORED]
        return round_half_up(sum(scored, D(0)) / len(scored)) if scored else None

    def learning_level(self, results: Sequence[tuple[SubjectSpec, Score]]) -> str:
        actual = self._level(results, exempt=None)
        for would_be in (EXCELLENT, GOOD):
            adjusted = ADJUSTED.get((would_be, actual))
            if adjusted and self._one_subject_spoils(results, would_be):
                return adjusted
        return actual

    def _one_subject_spoils(self, results, would_be: str) -> bool:
        """The ĐTB meets `would_be` and exempting one subject's floor reaches it."""
        return any(self._meets(results, would_be, exempt=i) for i in range(len(results)))

    def _level(self, results, exempt: int | None) -> str:
        for level in (EXCELLENT, GOOD, AVERAGE, WEAK):
            if self._meets(results, level, exempt):
                return level
        return POOR

    def _meets(self, results, level: str, exempt: int | None) -> bool:
        average_floor, core_floor, subject_floor, comments_pass = CRITERIA[level]
        average = self.overall_average(results)
        if average is None or average < average_floor:
            return False
        others = [(s, v) for i, (s, v) in enumerate(results) if i != exempt]
        scored = [(s, v) for s, v in results if s.kind == SubjectKind.SCORED]
        if core_floor is not None:
            core = [v for s, v in scored if s.code in self.core_subject_codes]
            if core and not any(v >= core_floor for v in core):
                return False
        for subject, value in others:
            if subject.kind == SubjectKind.SCORED and value < subject_floor:
                return False
            if subject.kind == SubjectKind.COMMENT and comments_pass and value != "Đ":
                return False
        return True

    def conduct_year(self, term1: str, term2: str) -> str:
        return term2

    def repeats_without_retest(self, learning: str, conduct: str) -> bool:
        return learning == POOR or (learning == WEAK and conduct == "Yếu")

    def title(self, learning: str, conduct: str,
              year_results: Sequence[tuple[SubjectSpec, Score]]) -> str | None:
        if learning == EXCELLENT and conduct == "Tốt":
            return "Học sinh Giỏi"
        if learning in (EXCELLENT, GOOD) and conduct in ("Tốt", "Khá"):
            return "Học sinh Tiên tiến"
        return None
