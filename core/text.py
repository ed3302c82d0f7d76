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


_DASHES = dict.fromkeys(map(ord, "‐‑‒–—―−"), "-")
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\ufe0f"), None)


def clean_input(text: str) -> str:
    """What a phone sends, made comparable once, at the edge: NFC (an NFD "sửa" is
    "sửa"), no emoji or invisible characters, one kind of dash, ASCII colons, no
    non-breaking spaces. Line breaks and tabs (pasted Excel rows) are kept."""
    text = unicodedata.normalize("NFC", text).translate(_DASHES).translate(_INVISIBLE)
    text = text.replace("\u00a0", " ").replace("：", ":").replace("\r\n", "\n").replace("\r", "\n")
    return "".join(ch for ch in text if unicodedata.category(ch) not in ("So", "Sk", "Cs", "Co"))
