"""The one check for text a person types that is stored, printed or journaled.

Every such field (a station, a name, a reason, a note, a gate, a file name that is
journaled) goes through `clean_text` in the core service that stores it, so a front end
cannot forget it. It refuses:
- a whole card number: 13-19 digits passing the Luhn check, whatever separates them
  (spaces, dashes, dots, slashes, underscores, several in a row, other scripts' digits,
  mixed separators between groups of a card's shape: '4111 1111-1111 1111');
  cards are paid on the terminal and only brand, last 4 and approval are typed (the
  check itself is core.money's `contains_card_number`, the rule's one home);
- control characters (they rewrite a terminal or a receipt printer's state);
- text longer than the field allows, and empty text where the field is required.

tests/core/test_hardening_card_numbers.py walks every public core service and fails when one
takes a text parameter that neither goes through this module nor is listed there as a
name, code or secret with its own check.
"""

from __future__ import annotations

import unicodedata

from core.errors import BoxOfficeError
from core.money import card_number_error, contains_card_number

SHORT = 100      # names, stations, gates, codes
LONG = 1_000     # reasons, notes, descriptions
PATH = 4_096     # a file name that is journaled


class TextError(BoxOfficeError):
    code = "bad_text"


def clean_text(value: str, field: str, *, max_length: int = SHORT, required: bool = False,
               multiline: bool = False) -> str:
    """`value` stripped, once it passes every rule above. Raises TextError `bad_text`
    (empty, too long, control characters) or TenderError `card_number`."""
    if not isinstance(value, str):
        raise TextError(f"{field} must be text")
    text = value.strip()
    if required and not text:
        raise TextError(f"give the {field}")
    if len(text) > max_length:
        raise TextError(f"the {field} is {len(text):,} characters long; at most "
                        f"{max_length:,}")
    if contains_card_number(text):
        raise card_number_error(field)
    allowed = "\n\t" if multiline else ""
    if any(unicodedata.category(char) in ("Cc", "Cf") and char not in allowed
           for char in text):
        raise TextError(f"the {field} holds a control character")
    return text
