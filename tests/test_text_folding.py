"""`fold` folds with a table for speed; it must agree with its definition on any text."""

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from core.text import fold


def _by_definition(text: str) -> str:
    """NFD, drop every combining mark (đ → d first), lower-case, one space between words."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return " ".join(stripped.lower().split())


VIETNAMESE = "aàáảãạăằắẳẵặâầấẩẫậđeèéẻẽẹêềếểễệiìíỉĩịoòóỏõọôồốổỗộơờớởỡợuùúủũụưừứửữựyỳýỷỹỵ"
LETTERS = VIETNAMESE + VIETNAMESE.upper() + "bcghklmnpqrstvx \t\n\u00a0"


@given(st.text(alphabet=LETTERS) | st.text())
def test_fold_agrees_with_its_definition_in_either_normal_form(text):
    for form in ("NFC", "NFD"):
        written = unicodedata.normalize(form, text)
        assert fold(written) == _by_definition(written)


def test_fold_finds_a_name_typed_without_diacritics():
    assert fold("Nguyễn  Thị\tHương") == "nguyen thi huong"
    assert fold("ĐỖ VĂN ĐỨC") == "do van duc"
    assert fold(unicodedata.normalize("NFD", "Lưu Ánh")) == "luu anh"
