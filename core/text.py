"""Matching Vietnamese text typed with or without diacritics."""

import unicodedata


def fold(text: str) -> str:
    """Lower-case, strip diacritics (đ → d included) and collapse spaces.

    Teachers often type on phones without Vietnamese input; "nguyen thi huong"
    must find "Nguyễn Thị Hương".
    """
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return " ".join(stripped.lower().split())


def nfc(text: str) -> str:
    """Store names in NFC so that equal-looking names compare equal."""
    return unicodedata.normalize("NFC", " ".join(text.split()))
