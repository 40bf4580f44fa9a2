"""Ranges for the numbers a user types: ids, counts, quantities.

SQLite stores integers in 64 bits; a larger Python int raises OverflowError deep inside a
query. Every whole number that comes from a person (a command-line option, a count sheet,
a float count) is checked against a range here first and refused with a readable error.
"""

from __future__ import annotations

import re

from core.errors import BoxOfficeError

MAX_ID = 2**63 - 1              # the largest SQLite INTEGER: any row id fits below it
MAX_QUANTITY = 100_000          # tickets, items or notes counted in one go
MAX_SEAT_NUMBER = 10_000_000    # beyond any numbering a seat map allows
MAX_DENOMINATION = 1_000_000    # cents: a $10,000 note does not circulate

_WHOLE = re.compile(r"[0-9]{1,18}")   # ASCII only: str.isdigit() accepts '²', int() not


class RangeError(BoxOfficeError):
    code = "out_of_range"


def check_int(value: int, what: str, *, minimum: int = 0, maximum: int = MAX_QUANTITY,
              code: str = "out_of_range") -> int:
    """`value` when minimum <= value <= maximum. Raises RangeError (`code`) naming `what`."""
    if isinstance(value, bool) or not isinstance(value, int) \
            or not minimum <= value <= maximum:
        raise RangeError(f"{what} must be a whole number from {minimum:,} to {maximum:,}, "
                         f"not {value!r}"[:300], code=code)
    return value


def parse_whole(text: str, what: str, *, minimum: int = 0, maximum: int = MAX_QUANTITY,
                code: str = "out_of_range") -> int:
    """A whole number typed as ASCII digits, within range. Raises RangeError (`code`)."""
    stripped = text.strip()
    if not _WHOLE.fullmatch(stripped):
        raise RangeError(f"{what}: '{text[:40]}' is not a whole number from {minimum:,} "
                         f"to {maximum:,}", code=code)
    return check_int(int(stripped), what, minimum=minimum, maximum=maximum, code=code)
