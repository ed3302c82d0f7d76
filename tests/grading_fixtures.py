"""Building students for grading tests: eight scored subjects and four comment
subjects, as in a THCS under the 2018 curriculum."""

from decimal import Decimal

from grading.base import StudentRecord, SubjectRecord, SubjectSpec
from grading.vocabulary import CommentMark, SubjectKind

SCORED = [SubjectSpec(code, name, SubjectKind.SCORED, periods) for code, name, periods in [
    ("VAN", "Ngữ văn", 140), ("TOAN", "Toán", 140), ("NN", "Tiếng Anh", 105),
    ("GDCD", "Giáo dục công dân", 35), ("LSDL", "Lịch sử và Địa lí", 105),
    ("KHTN", "Khoa học tự nhiên", 140), ("CN", "Công nghệ", 35), ("TIN", "Tin học", 35)]]
COMMENT = [SubjectSpec(code, name, SubjectKind.COMMENT, periods) for code, name, periods in [
    ("GDTC", "Giáo dục thể chất", 70), ("NT", "Nghệ thuật", 70),
    ("HDTN", "Hoạt động trải nghiệm, hướng nghiệp", 105),
    ("GDDP", "Nội dung giáo dục của địa phương", 35)]]
D = Decimal


def period_results(scored: list[str], marks: str = "ĐĐĐĐ") -> list:
    """(subject, value) pairs for one period: scored averages, then comment marks
    written one letter each: Đ for Đạt, C for Chưa đạt."""
    pairs = [(s, D(v)) for s, v in zip(SCORED, scored, strict=True)]
    return pairs + [(s, CommentMark("CĐ" if m == "C" else "Đ"))
                    for s, m in zip(COMMENT, marks, strict=True)]


def flat_scores(circular, spec: SubjectSpec, value) -> dict:
    """Every column of a term holding the same value, so the term average is that value."""
    value = CommentMark(value) if spec.kind == SubjectKind.COMMENT else D(value)
    return {column: value for column in circular.columns(spec)}


def student(circular, scored: list[str], marks: str = "ĐĐĐĐ", conduct=("Tốt", "Tốt"),
            absences: int = 0, retest: dict | None = None, summer: str | None = None,
            term1: list[str] | None = None) -> StudentRecord:
    """A student whose every term average equals `scored` (term I may differ)."""
    retest = retest or {}
    records = []
    for index, spec in enumerate(SCORED):
        t1 = (term1 or scored)[index]
        records.append(SubjectRecord(spec, {1: flat_scores(circular, spec, t1),
                                            2: flat_scores(circular, spec, scored[index])},
                                     _retest(retest.get(spec.code))))
    for spec, flag in zip(COMMENT, marks, strict=True):
        mark = "CĐ" if flag == "C" else "Đ"
        records.append(SubjectRecord(spec, {1: flat_scores(circular, spec, mark),
                                            2: flat_scores(circular, spec, mark)},
                                     _retest(retest.get(spec.code))))
    return StudentRecord("hs", records, {1: conduct[0], 2: conduct[1]}, absences, summer)


def _retest(value):
    if value is None:
        return None
    return CommentMark(value) if value in ("Đ", "CĐ") else D(value)
