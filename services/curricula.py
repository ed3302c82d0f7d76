"""The 2018 general-education programme as data: subjects, periods per year, how each is
assessed, THPT electives and the demo's combinations.

These lists seed a school year (`CurriculumEntry`, `SubjectCombination` rows); from
then on the year's rows are what counts, so a school whose Ministry list changes edits
the year's data, not this file. Sources (2018 programme, Thông tư 32/2018 as amended by
Thông tư 13/2022; assessment by Thông tư 22/2021 Điều 5):
- THCS (grades 6–9): see `THCS`; Công nghệ 52 periods in grade 9.
- THPT (grades 10–12): compulsory Ngữ văn, Toán, Ngoại ngữ 1 (105 each), Lịch sử (52),
  Giáo dục thể chất (70), Giáo dục quốc phòng và an ninh (35), Hoạt động trải nghiệm,
  hướng nghiệp (105), Nội dung giáo dục của địa phương (35); four of the nine electives
  (70 each); three clusters of chuyên đề học tập (35 periods each) of three subjects.
- Assessed by comment only (Đạt/Chưa đạt): Giáo dục thể chất, Nghệ thuật / Âm nhạc /
  Mĩ thuật, Hoạt động trải nghiệm (hướng nghiệp), Nội dung giáo dục của địa phương;
  every other subject, GDQP-AN included, by comment and score.
"""

from dataclasses import dataclass

from grading.vocabulary import SubjectKind

SCORED, COMMENT = SubjectKind.SCORED, SubjectKind.COMMENT
TOPIC_PERIODS = 35  # one cluster of chuyên đề học tập per year


@dataclass(frozen=True)
class SubjectPlan:
    code: str
    name: str
    kind: SubjectKind
    periods: int | dict[int, int]
    department: str | None  # None: taught by the class's GVCN
    classes_per_teacher: int = 4
    elective: bool = False

    def periods_in(self, grade: int) -> int:
        return self.periods[grade] if isinstance(self.periods, dict) else self.periods


@dataclass(frozen=True)
class CombinationPlan:
    """A tổ hợp: four electives and the three subjects whose chuyên đề it studies."""

    code: str
    name: str
    electives: tuple[str, ...]
    topics: tuple[str, ...]


@dataclass(frozen=True)
class LevelPlan:
    level: str  # THCS or THPT: printed on the cover as "CẤP …"
    grades: tuple[int, ...]
    subjects: tuple[SubjectPlan, ...]
    combinations: tuple[CombinationPlan, ...] = ()
    class_letter: str = "A"


VAN_SU = "Tổ Ngữ văn – Sử – GDCD"
KHTN_CN = "Tổ Khoa học tự nhiên – Công nghệ"
TDNT = "Tổ Giáo dục thể chất – Nghệ thuật"

THCS = LevelPlan("THCS", (6, 7, 8, 9), (
    SubjectPlan("VAN", "Ngữ văn", SCORED, 140, VAN_SU, 4),
    SubjectPlan("TOAN", "Toán", SCORED, 140, "Tổ Toán – Tin", 4),
    SubjectPlan("NN", "Tiếng Anh", SCORED, 105, "Tổ Ngoại ngữ", 5),
    SubjectPlan("GDCD", "Giáo dục công dân", SCORED, 35, VAN_SU, 8),
    SubjectPlan("LSDL", "Lịch sử và Địa lí", SCORED, 105, VAN_SU, 5),
    SubjectPlan("KHTN", "Khoa học tự nhiên", SCORED, 140, KHTN_CN, 4),
    SubjectPlan("CN", "Công nghệ", SCORED, {6: 35, 7: 35, 8: 35, 9: 52}, KHTN_CN, 8),
    SubjectPlan("TIN", "Tin học", SCORED, 35, "Tổ Toán – Tin", 8),
    SubjectPlan("GDTC", "Giáo dục thể chất", COMMENT, 70, TDNT, 8),
    SubjectPlan("NT", "Nghệ thuật", COMMENT, 70, TDNT, 8),
    SubjectPlan("HDTN", "Hoạt động trải nghiệm, hướng nghiệp", COMMENT, 105, None),
    SubjectPlan("GDDP", "Nội dung giáo dục của địa phương", COMMENT, 35, None),
))

XH = "Tổ Ngữ văn – Sử – Địa – GDKT&PL"
TN = "Tổ Vật lí – Hóa học – Sinh học"
TC = "Tổ Thể dục – GDQP-AN – Nghệ thuật"

THPT = LevelPlan("THPT", (10, 11, 12), (
    SubjectPlan("VAN", "Ngữ văn", SCORED, 105, XH, 4),
    SubjectPlan("TOAN", "Toán", SCORED, 105, "Tổ Toán – Tin", 4),
    SubjectPlan("NN", "Tiếng Anh", SCORED, 105, "Tổ Ngoại ngữ", 5),
    SubjectPlan("SU", "Lịch sử", SCORED, 52, XH, 6),
    SubjectPlan("GDTC", "Giáo dục thể chất", COMMENT, 70, TC, 6),
    SubjectPlan("GDQP", "Giáo dục quốc phòng và an ninh", SCORED, 35, TC, 8),
    SubjectPlan("DIA", "Địa lí", SCORED, 70, XH, 5, elective=True),
    SubjectPlan("KTPL", "Giáo dục kinh tế và pháp luật", SCORED, 70, XH, 5, elective=True),
    SubjectPlan("LY", "Vật lí", SCORED, 70, TN, 5, elective=True),
    SubjectPlan("HOA", "Hóa học", SCORED, 70, TN, 5, elective=True),
    SubjectPlan("SINH", "Sinh học", SCORED, 70, TN, 5, elective=True),
    SubjectPlan("CN", "Công nghệ", SCORED, 70, TN, 6, elective=True),
    SubjectPlan("TIN", "Tin học", SCORED, 70, "Tổ Toán – Tin", 6, elective=True),
    SubjectPlan("AN", "Âm nhạc", COMMENT, 70, TC, 6, elective=True),
    SubjectPlan("MT", "Mĩ thuật", COMMENT, 70, TC, 6, elective=True),
    SubjectPlan("HDTN", "Hoạt động trải nghiệm, hướng nghiệp", COMMENT, 105, None),
    SubjectPlan("GDDP", "Nội dung giáo dục của địa phương", COMMENT, 35, None),
), (
    CombinationPlan("TN1", "Khoa học tự nhiên: Lí – Hóa – Sinh – Tin",
                    ("LY", "HOA", "SINH", "TIN"), ("TOAN", "LY", "HOA")),
    CombinationPlan("XH1", "Khoa học xã hội: Địa – KTPL – Lí – Tin",
                    ("DIA", "KTPL", "LY", "TIN"), ("VAN", "SU", "DIA")),
    CombinationPlan("CN1", "Công nghệ – Nghệ thuật: Lí – Hóa – Công nghệ – Mĩ thuật",
                    ("LY", "HOA", "CN", "MT"), ("TOAN", "LY", "CN")),
))

LEVELS = {plan.level: plan for plan in (THCS, THPT)}
