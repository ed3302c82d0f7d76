"""Rounding the way the circulars mean it: half-up to one decimal (8.25 → 8.3).

Python's round() rounds half to even on exact decimals and works on binary
floats, so round(8.25, 1) == 8.2 — wrong for a school report.
"""

from decimal import ROUND_HALF_UP, Decimal

ONE_DECIMAL = Decimal("0.1")


def round_half_up(value: Decimal) -> Decimal:
    return value.quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)
