"""Which circular a school year uses. A new circular is a new module plus one line here."""

from grading.base import Circular
from grading.tt22 import Tt22
from grading.tt58 import Tt58

CIRCULARS: dict[str, type[Circular]] = {"tt22": Tt22, "tt58": Tt58}


def get_circular(code: str) -> Circular:
    try:
        return CIRCULARS[code]()
    except KeyError:
        raise ValueError(f"Không có quy chế đánh giá '{code}'. "
                         f"Các mã có: {', '.join(sorted(CIRCULARS))}.") from None
