"""Money: integer cents read from what a person types and written back for people to
read, and the rule that no card number is ever stored.

A card is paid on the separate card terminal; the window records only what the slip
shows. Any text that looks like a whole card number (13-19 digits passing the Luhn
check, whatever separates them) is refused wherever a person can type it; free text goes
through core.free_text.clean_text, which uses this check."""

from __future__ import annotations

import re
import unicodedata

from core.errors import BoxOfficeError

# a digit, then 12+ more digits each after at most three separators (anything but a
# letter or digit): "4111 1111 1111 1111", "4111.1111.1111.1111", "4111 - 1111 ..."
_DIGIT_RUN = re.compile(r"\d(?:[^\w]{0,3}\d|_{1,3}\d){12,}")
_NOT_DIGIT = re.compile(r"\D")
_TOKENS = re.compile(r"\d|\D+")


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
    """True when `text` holds 13-19 digits passing Luhn, written either with one
    separator throughout (any one: ' ', '-', '.', ' - ', '/', ...) or none, or grouped as
    a card is printed (4-4-4-4, 4-4-4-1, 4-4-4-4-1..3, 4-6-5, 4-6-4) with any separators
    between the groups, mixed too: '4111 1111-1111 1111'. Other digits with mixed
    separators, as in a time stamp (2026-12-05T07:49:09.168051+00:00) or a list of seats,
    are not a card number."""
    for match in _DIGIT_RUN.finditer(text):
        for run in _same_separator_runs(match.group(0)):
            digits = _ascii_digits(run)
            for length in range(13, 20):
                for start in range(0, len(digits) - length + 1):
                    if luhn_ok(digits[start:start + length]):
                        return True
        if any(luhn_ok(_ascii_digits(card)) for card in _card_shaped(match.group(0))):
            return True
    return False


# how card numbers are printed and typed: group lengths, first to last
_CARD_SHAPES = ((4, 4, 4, 4), (4, 4, 4, 1), (4, 4, 4, 4, 1), (4, 4, 4, 4, 2),
                (4, 4, 4, 4, 3), (4, 6, 5), (4, 6, 4))


def _ascii_digits(run: str) -> str:
    return "".join(str(unicodedata.digit(char)) for char in run)


def _card_shaped(text: str) -> list[str]:
    """Every stretch of consecutive digit groups in `text` whose lengths are those of a
    printed card number, whatever separates the groups: a person who types '4111 1111-
    1111 1111' or '4111.1111 1111-1111' still types a card number."""
    merged: list[str] = []   # _TOKENS yields one digit at a time: join adjacent digits
    previous_was_digit = False
    for token in _TOKENS.findall(text):
        is_digit = not _NOT_DIGIT.match(token)
        if is_digit and previous_was_digit:
            merged[-1] += token
        elif is_digit:
            merged.append(token)
        previous_was_digit = is_digit
    lengths = [len(group) for group in merged]
    found = []
    for shape in _CARD_SHAPES:
        for start in range(0, len(merged) - len(shape) + 1):
            if tuple(lengths[start:start + len(shape)]) == shape:
                found.append("".join(merged[start:start + len(shape)]))
    return found


def _same_separator_runs(text: str) -> list[str]:
    """The digits of `text` cut where the way they are written changes: the separator
    ('4111 1111-2222' gives '41111111' and '11112222': a group belongs to both runs it
    joins), or the grouping: digits one by one ('4 1 1 1 ...') or in groups of three or
    more ('4111 ...', '3782 822463 10005', with a shorter last group: '4111 1111 1111 1');
    a group of two joins nothing else, so a list such as '[11, 12, 13, 14, 15, 16, 17]'
    or '1,3,1,6500,300,800' is not read as one number."""
    groups: list[tuple[str, str | None]] = []   # (digits, the separator before them)
    separator: str | None = None
    for token in _TOKENS.findall(text):
        if _NOT_DIGIT.match(token):
            separator = token
        elif groups and separator is None:
            groups[-1] = (groups[-1][0] + token, groups[-1][1])
        else:
            groups.append((token, separator))
            separator = None
    runs: list[str] = []
    current: list[str] = []
    joined_by: str | None = None
    for digits, before in groups:
        kind = min(len(digits), 3)
        if (kind < 3 and current and len(current[-1]) >= 3 and joined_by is not None
                and before == joined_by):
            # a short last group, as in '4111 1111 1111 1' (13 digits grouped by four)
            runs.append("".join([*current, digits]))
            current, joined_by = [], None
            continue
        joins = (bool(current) and kind != 2 and min(len(current[-1]), 3) == kind
                 and joined_by in (None, before))
        if not joins:
            runs.append("".join(current))
            shared = bool(current) and kind != 2 and min(len(current[-1]), 3) == kind
            current, joined_by = ([current[-1]], before) if shared else ([], None)
        elif joined_by is None:
            joined_by = before
        current.append(digits)
    runs.append("".join(current))
    return runs


def card_number_error(field: str) -> TenderError:
    """TenderError `card_number`, naming the field."""
    return TenderError(
        f"{field.replace('_', ' ')} looks like a whole card number. Never type a card "
        "number: take the card on the terminal and enter only the brand, the last 4 digits "
        "and the approval code from its slip.", code="card_number")


def refuse_card_numbers(**fields: str | None) -> None:
    """Raise TenderError `card_number` if any field looks like a whole card number."""
    for name, value in fields.items():
        if value and contains_card_number(value):
            raise card_number_error(name)


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
