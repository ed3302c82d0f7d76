"""Which circular a school year uses. A new circular is a new module plus one line here."""

from collections.abc import Mapping

from grading.base import Circular
from grading.tt22 import Tt22
from grading.tt58 import Tt58

CIRCULARS: dict[str, type[Circular]] = {"tt22": Tt22, "tt58": Tt58}


def get_circular(code: str, options: Mapping[str, object] | None = None) -> Circular:
    """The circular `code`; `options` are the school's readings (see each circular)."""
    try:
        circular = CIRCULARS[code]
    except KeyError:
        raise ValueError(f"Không có quy chế đánh giá '{code}'. "
                         f"Các mã có: {', '.join(sorted(CIRCULARS))}.") from None
    return circular.with_options(options or {})
