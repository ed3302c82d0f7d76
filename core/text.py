"""Matching Vietnamese text typed with or without diacritics."""

import unicodedata


def fold(text: str) -> str:
    """Lower-case, strip diacritics (đ → d included) and collapse spaces.

    Teachers often type on phones without Vietnamese input; "nguyen thi huong"
    must find "Nguyễn Thị Hương".
    """
    if not text.isascii():
        stripped = text.translate(_STRIPPED)
        text = stripped if stripped.isascii() else _fold_slowly(stripped)
    return " ".join(text.lower().split())


def _fold_slowly(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")


# Every Latin letter with diacritics (Vietnamese's among them) and every combining mark
# folded once, by the same rule: a roster's names are folded on every score message.
_STRIPPED = {code: _fold_slowly(chr(code)) for code in (*range(0xC0, 0x250),
                                                         *range(0x1E00, 0x1F00))}
_STRIPPED.update(dict.fromkeys(range(0x300, 0x370), None))


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


_ALPHABET = "aăâbcdđeêghiklmnoôơpqrstuưvxy"
_TONES = {"\u0300": 1, "\u0301": 2, "\u0309": 3, "\u0303": 4, "\u0323": 5}  # huyền … nặng
_SHAPES = {"\u0306": "ă", "\u0302": "^", "\u031b": "ơ"}


def _letter_key(ch: str) -> tuple[int, int]:
    decomposed = unicodedata.normalize("NFD", ch.lower())
    base, marks = decomposed[0], decomposed[1:]
    tone = next((_TONES[m] for m in marks if m in _TONES), 0)
    shape = "".join(m for m in marks if m in _SHAPES)
    letter = {("a", "\u0306"): "ă", ("a", "\u0302"): "â", ("e", "\u0302"): "ê",
              ("o", "\u0302"): "ô", ("o", "\u031b"): "ơ", ("u", "\u031b"): "ư"}.get(
        (base, shape), base)
    index = _ALPHABET.find(letter)
    return (index if index >= 0 else 100 + ord(letter), tone)


def vietnamese_key(name: str) -> tuple:
    """Sort names as a Vietnamese class list does: by given name (the last word), then the
    rest; letters in the Vietnamese alphabet (Đ after D, Ư after U), tones after the base
    letter (a, à, á, ả, ã, ạ)."""
    words = nfc(name).split()
    ordered = words[-1:] + words[:-1]
    return tuple(_word_key(word) for word in ordered)


def _word_key(word: str) -> tuple:
    letters = [_letter_key(ch) for ch in word]
    return (tuple(k for k, _ in letters), tuple(t for _, t in letters))
