"""Money: integer cents read from what a person types and written back for people to
read, and the rule that no card number is ever stored.

A card is paid on the separate card terminal; the window records only what the slip
shows. Any text that looks like a whole card number (13-19 digits, spaces or dashes
allowed, passing the Luhn check) is refused wherever a person can type it."""

from __future__ import annotations

import re

from core.errors import BoxOfficeError

_DIGIT_RUN = re.compile(r"\d(?:[ -]?\d){12,}")


class TenderError(BoxOfficeError):
    code = "bad_tender"


def luhn_ok(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def contains_card_number(text: str) -> bool:
    """True when `text` holds a 13-19 digit run (spaces/dashes allowed) passing Luhn."""
    for match in _DIGIT_RUN.finditer(text):
        digits = re.sub(r"[ -]", "", match.group(0))
        for length in range(13, 20):
            for start in range(0, len(digits) - length + 1):
                if luhn_ok(digits[start:start + length]):
                    return True
    return False


def refuse_card_numbers(**fields: str | None) -> None:
    """Raise TenderError `card_number` if any field looks like a whole card number."""
    for name, value in fields.items():
        if value and contains_card_number(value):
            raise TenderError(
                f"{name.replace('_', ' ')} looks like a whole card number. Never type a "
                "card number: take the card on the terminal and enter only the brand, the "
                "last 4 digits and the approval code from its slip.", code="card_number")


def parse_money(text: str) -> int:
    """'12', '12.5', '12.50' -> cents. Raises TenderError `bad_amount`."""
    match = re.fullmatch(r"\s*(\d{1,9})(?:\.(\d{1,2}))?\s*", text)
    if not match:
        raise TenderError(f"'{text}' is not an amount such as 25 or 25.50", code="bad_amount")
    cents = (match.group(2) or "0").ljust(2, "0")
    return int(match.group(1)) * 100 + int(cents)


def format_cents(cents: int) -> str:
    """12345 -> '123.45' (for messages; receipts format money in hardware.tickets)."""
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d}"
