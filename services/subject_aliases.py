"""The names teachers use for subjects ("thể dục", "anh văn", "sử địa", "hđtn", "lí",
"hoá", "gdqp"), matched folded (with or without diacritics). Built-in names cover the
national subject lists of THCS and THPT (codes as in `services.curricula`);
each school adds its own in the panel's Danh mục (Tên gọi khác của môn)."""

from sqlalchemy import bindparam, or_
from sqlmodel import Session, select

from core.text import fold
from models import Subject, SubjectAlias

BUILT_IN = {
    "VAN": ["van", "ngu van", "nv", "tieng viet"],
    "TOAN": ["toan", "toan hoc"],
    "NN": ["anh", "anh van", "tieng anh", "ngoai ngu", "ngoai ngu 1", "nn", "nn1", "ta"],
    "GDCD": ["gdcd", "cong dan", "giao duc cong dan"],
    "LSDL": ["lich su dia li", "lich su dia ly", "lich su va dia li", "lich su va dia ly",
             "su dia", "lsdl", "ls dl", "ls va dl", "lsđl"],
    "KHTN": ["khtn", "khoa hoc tu nhien", "khoa hoc"],
    "CN": ["cong nghe", "cn"],
    "TIN": ["tin", "tin hoc"],
    "GDTC": ["the duc", "td", "gdtc", "giao duc the chat"],
    "NT": ["nghe thuat", "nt", "am nhac", "my thuat", "mi thuat", "nhac", "ve"],
    # THPT (2018 programme): the electives, Lịch sử and GDQP-AN.
    "SU": ["su", "lich su", "ls"],
    "DIA": ["dia", "dia li", "dia ly", "dl"],
    "KTPL": ["ktpl", "gdktpl", "gd ktpl", "gdkt pl", "gdkt&pl", "kt&pl", "kt pl",
             "kinh te phap luat", "kinh te va phap luat", "giao duc kinh te va phap luat"],
    "LY": ["li", "ly", "vat li", "vat ly", "vl"],
    "HOA": ["hoa", "hoa hoc"],
    "SINH": ["sinh", "sinh hoc"],
    "GDQP": ["gdqp", "qp", "gdqp an", "gdqpan", "gdqp&an", "quoc phong", "quoc phong an ninh",
             "giao duc quoc phong", "giao duc quoc phong va an ninh"],
    "AN": ["am nhac", "nhac"],
    "MT": ["mi thuat", "my thuat", "ve"],
    "HDTN": ["hdtn", "trai nghiem", "hoat dong trai nghiem", "hd trai nghiem",
             "hoat dong trai nghiem huong nghiep", "hdtnhn"],
    "GDDP": ["gddp", "dia phuong", "giao duc dia phuong", "ndgddp", "gd dia phuong",
             "noi dung giao duc dia phuong", "noi dung giao duc cua dia phuong"],
}
_BUILT_IN_BY_ALIAS: dict[str, list[str]] = {}
for _code, _aliases in BUILT_IN.items():
    for _alias in _aliases:  # "âm nhạc" is NT in THCS and AN in THPT: a school has one
        _BUILT_IN_BY_ALIAS.setdefault(fold(_alias), []).append(_code)


_OWN_IDS = select(SubjectAlias.subject_id).where(SubjectAlias.school_id == bindparam("school_id"),
                                                SubjectAlias.alias == bindparam("alias"))
# One query for both: a school alias, when there is one, wins over the built-in.
_BY_ALIAS = (select(Subject, Subject.id.in_(_OWN_IDS))
             .where(Subject.school_id == bindparam("school_id"),
                    or_(Subject.id.in_(_OWN_IDS),
                        Subject.code.in_(bindparam("codes", expanding=True))))
             .order_by(Subject.order))


def by_alias(session: Session, school_id: int, text: str) -> list[Subject]:
    """The subject a name stands for: the school's own aliases first, then built-in ones."""
    wanted = fold(text.replace(",", " ").replace("-", " "))
    codes = _BUILT_IN_BY_ALIAS.get(wanted, [])
    rows = session.exec(_BY_ALIAS, params={"school_id": school_id, "alias": wanted,
                                           "codes": codes}).all()
    own = [subject for subject, is_own in rows if is_own]
    return own or [subject for subject, _ in rows]


def add_alias(session: Session, school_id: int, subject_id: int, alias: str) -> SubjectAlias:
    row = SubjectAlias(school_id=school_id, subject_id=subject_id, alias=fold(alias))
    session.add(row)
    session.commit()
    return row
