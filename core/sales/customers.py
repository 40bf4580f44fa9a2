"""Customers: who they are, how to find them at the window, what they bought, and who is
waiting at will-call.

Phones are stored normalised (digits, with an optional leading `+`), so a seller can find
a customer by typing the digits in whatever shape they hear them. Names and emails are
found through the `customers_fts` full-text index, which triggers keep in step with the
table. The journal records who changed a customer and which fields, never the notes or
contact details themselves: it is append-only, so what goes in stays forever.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from core import clock
from core.errors import BoxOfficeError, NotFound
from core.money import refuse_card_numbers
from core.people.models import User
from core.people.permissions import authorize
from core.store import journal
from core.store.db import Database, insert, write
from core.times import parse_stamp

FLAGS = ("accessibility", "vip", "banned")
NAME_MAX = 200
PHONE_DIGITS = (4, 15)          # a short extension up to a full E.164 number
PHONE_SEARCH_MIN_DIGITS = 3     # fewer digits than this match too many phones to help
QUERY_WORDS_MAX = 10            # more is pasted junk, not a search
_PHONE_SEPARATORS = frozenset(" -./()\t")
# What unicode61 treats as part of a word, near enough: letters and digits. Everything
# else (quotes, `*`, `-`, parentheses, `:`, `^`) is FTS5 syntax or a separator, so it goes.
_WORD = re.compile(r"[^\W_]+")
_ASCII_DIGITS = re.compile(r"[0-9]+")
_COLUMNS = "c.id, c.name, c.phone, c.email, c.notes, c.flags, c.created_at, c.consent"


@dataclass(frozen=True)
class Customer:
    id: int
    name: str
    phone: str                  # normalised: digits with an optional leading '+', or ''
    email: str
    notes: str
    flags: frozenset[str]
    created_at: datetime        # aware, UTC
    consent: str = "none"       # contact agreed to: none, mail, email, or mail,email

    def may_contact(self, by: str) -> bool:
        """Whether a mailing `by` ('mail' or 'email') may go to this customer."""
        return by in self.consent.split(",")


# -- validation ------------------------------------------------------------------------

def clean_name(name: str) -> str:
    """The name with runs of whitespace collapsed. Raises BoxOfficeError `bad_name`."""
    cleaned = " ".join(name.split())
    if not cleaned:
        raise BoxOfficeError("a customer needs a name", code="bad_name")
    if len(cleaned) > NAME_MAX:
        raise BoxOfficeError(f"a name is at most {NAME_MAX} characters", code="bad_name")
    return cleaned


def normalise_phone(phone: str) -> str:
    """Digits with an optional leading '+': '+1 (555) 012-3456' -> '+15550123456'.

    Spaces, dashes, dots, slashes and parentheses are dropped; '' stays ''. Raises
    BoxOfficeError `bad_phone` on anything else (letters, a '+' inside) or a digit count
    outside PHONE_DIGITS.
    """
    text = phone.strip()
    if not text:
        return ""
    plus = text.startswith("+")
    digits: list[str] = []
    for char in text[1:] if plus else text:
        if "0" <= char <= "9":
            digits.append(char)
        elif char not in _PHONE_SEPARATORS:
            raise BoxOfficeError(
                f"'{phone}' is not a phone number: use digits, spaces, dashes, dots, "
                "parentheses and a leading +", code="bad_phone")
    low, high = PHONE_DIGITS
    if not low <= len(digits) <= high:
        raise BoxOfficeError(f"a phone number has {low} to {high} digits", code="bad_phone")
    return ("+" if plus else "") + "".join(digits)


def check_email(email: str) -> str:
    """The email, trimmed; '' stays ''. Raises BoxOfficeError `bad_email` unless it has
    exactly one '@' with something before it and a dotted domain after it."""
    text = email.strip()
    if not text:
        return ""
    local, _, domain = text.partition("@")
    labels = domain.split(".")
    if (text.count("@") != 1 or not local or len(labels) < 2 or not all(labels)
            or any(char.isspace() for char in text)):
        raise BoxOfficeError(f"'{email}' is not an email address", code="bad_email")
    return text


def check_flags(flags: Iterable[str]) -> frozenset[str]:
    """The flags as a set. Raises BoxOfficeError `bad_flag` for one not in FLAGS."""
    found = frozenset(flags)
    unknown = sorted(found - set(FLAGS))
    if unknown:
        raise BoxOfficeError(f"unknown flag '{unknown[0]}': flags are {', '.join(FLAGS)}",
                             code="bad_flag")
    return found


def _flags_text(flags: frozenset[str]) -> str:
    return ",".join(flag for flag in FLAGS if flag in flags)


def parse_flags(text: str) -> frozenset[str]:
    return frozenset(flag for flag in text.split(",") if flag)


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def _customer(row: Any) -> Customer:
    return Customer(row[0], row[1], row[2], row[3], row[4], parse_flags(row[5]),
                    parse_stamp(row[6]), row[7])


# -- services --------------------------------------------------------------------------

def get_customer(db: Database, customer_id: int) -> Customer:
    """One customer. Raises NotFound (`not_found`)."""
    row = db.execute(f"SELECT {_COLUMNS} FROM customers c WHERE c.id = ?",
                     [customer_id]).fetchone()
    if row is None:
        raise NotFound(f"there is no customer {customer_id}")
    return _customer(row)


def create_customer(db: Database, actor: User, name: str, *, phone: str = "",
                    email: str = "", notes: str = "", flags: Iterable[str] = (),
                    now: datetime | None = None) -> Customer:
    """Create a customer, stored with the phone normalised; journaled as `customer.create`
    (id and name only).

    Raises PermissionDenied (`permission_denied`) without `customer_edit`, BoxOfficeError
    `bad_name`, `bad_phone`, `bad_email`, `bad_flag`, TenderError `card_number`; nothing
    is written then.
    """
    authorize(db, actor, "customer_edit")
    refuse_card_numbers(name=name, phone=phone, email=email, notes=notes)
    name = clean_name(name)
    phone, email = normalise_phone(phone), check_email(email)
    flag_set = check_flags(flags)
    created_at = _stamp(now or clock.now())
    with write(db):
        customer_id = insert(db,
            "INSERT INTO customers (name, phone, email, notes, flags, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [name, phone, email, notes, _flags_text(flag_set), created_at])
        journal.append(db, actor=actor.username, action="customer.create",
                       subject=f"customer:{customer_id}", data={"name": name})
        return get_customer(db, customer_id)


def update_customer(db: Database, actor: User, customer_id: int, *,
                    name: str | None = None, phone: str | None = None,
                    email: str | None = None, notes: str | None = None,
                    flags: Iterable[str] | None = None) -> Customer:
    """Change the given fields (None leaves a field as it is); returns the customer.

    Journaled as `customer.update` with the names of the fields that changed (and the new
    name or flags), never the notes or contact details; a change to nothing writes nothing.
    Raises PermissionDenied, NotFound, BoxOfficeError `bad_name`, `bad_phone`, `bad_email`,
    `bad_flag`.
    """
    authorize(db, actor, "customer_edit")
    refuse_card_numbers(name=name, phone=phone, email=email, notes=notes)
    values: dict[str, str] = {}
    if name is not None:
        values["name"] = clean_name(name)
    if phone is not None:
        values["phone"] = normalise_phone(phone)
    if email is not None:
        values["email"] = check_email(email)
    if notes is not None:
        values["notes"] = notes
    if flags is not None:
        values["flags"] = _flags_text(check_flags(flags))
    return _apply(db, actor, customer_id, values, "customer.update")


def set_flags(db: Database, actor: User, customer_id: int,
              flags: Iterable[str]) -> Customer:
    """Replace the customer's flags; journaled as `customer.flags` with the new set.

    Raises PermissionDenied, NotFound, BoxOfficeError `bad_flag`.
    """
    authorize(db, actor, "customer_edit")
    return _apply(db, actor, customer_id, {"flags": _flags_text(check_flags(flags))},
                  "customer.flags")


def add_note(db: Database, actor: User, customer_id: int, text: str, *,
             now: datetime | None = None) -> Customer:
    """Append one line '2026-11-20 17:00 UTC sam: text' to the customer's notes.

    Line breaks in `text` become spaces, so every note is one dated line. Journaled as
    `customer.note` without the text. Raises PermissionDenied, NotFound, BoxOfficeError
    `bad_note` for an empty note.
    """
    authorize(db, actor, "customer_edit")
    refuse_card_numbers(note=text)
    line = " ".join(text.split())
    if not line:
        raise BoxOfficeError("the note is empty", code="bad_note")
    stamp = (now or clock.now()).astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    with write(db):
        earlier = get_customer(db, customer_id).notes.rstrip("\n")
        entry = f"{stamp} {actor.username}: {line}"
        notes = f"{earlier}\n{entry}" if earlier else entry
        return _apply(db, actor, customer_id, {"notes": notes}, "customer.note")


def _apply(db: Database, actor: User, customer_id: int,
           values: dict[str, str], action: str) -> Customer:
    with write(db):
        row = db.execute("SELECT name, phone, email, notes, flags FROM customers "
                         "WHERE id = ?", [customer_id]).fetchone()
        if row is None:
            raise NotFound(f"there is no customer {customer_id}")
        current = dict(zip(("name", "phone", "email", "notes", "flags"), row, strict=True))
        changed = {field: value for field, value in values.items()
                   if current[field] != value}
        if changed:
            # Field names come from the fixed keys above, never from the caller.
            assignments = ", ".join(f"{field} = ?" for field in changed)
            db.execute(f"UPDATE customers SET {assignments} WHERE id = ?",
                       [*changed.values(), customer_id])
            data: dict[str, Any] = {"fields": sorted(changed)}
            if "name" in changed:
                data["name"] = changed["name"]
            if "flags" in changed:
                data["flags"] = sorted(parse_flags(changed["flags"]))
            journal.append(db, actor=actor.username, action=action,
                           subject=f"customer:{customer_id}", data=data)
        return get_customer(db, customer_id)


# -- search ----------------------------------------------------------------------------

def _parse_query(query: str) -> tuple[list[str], str]:
    """Split what a seller typed into words for the FTS index and phone digits.

    Only letter-and-digit runs survive, each later quoted as an FTS5 string, so no input
    can form FTS5 syntax. Runs of digits only are phone digits (joined: '(555) 012' is
    '555012') unless the query looks like an email or has too few digits to be a phone.
    """
    words = _WORD.findall(query)[:QUERY_WORDS_MAX]
    if "@" in query:
        return words, ""
    digit_runs = [word for word in words if _ASCII_DIGITS.fullmatch(word)]
    digits = "".join(digit_runs)
    if len(digits) < PHONE_SEARCH_MIN_DIGITS:
        return words, ""
    return [word for word in words if word not in digit_runs], digits


def _match_expression(words: list[str]) -> str:
    # Every word a quoted prefix ("smi"* finds Smith); quotes are doubled inside a string.
    return " ".join('"' + word.replace('"', '""') + '"*' for word in words)


def search_customers(db: Database, query: str, limit: int = 20
                     ) -> list[Customer]:
    """Customers matching what a seller typed, best first; never raises on odd input.

    Words match the start of words in name, phone or email ('smi' finds Smith; every word
    must match), ranked by bm25 with the name weighted highest. Digits (three or more, in
    any shape: '555 01', '(555) 012') match anywhere in the stored phone, an exact number
    first. An empty query, or one with nothing searchable, gives []. A customer merged
    into another is not found (the kept one is).
    """
    words, digits = _parse_query(query)
    if (not words and not digits) or limit <= 0:
        return []
    # digits only, so no LIKE wildcard can come in with them
    if not words:
        rows = db.execute(
            f"SELECT {_COLUMNS} FROM customers c WHERE c.phone LIKE '%' || ? || '%' "
            "AND c.merged_into IS NULL "
            "ORDER BY ltrim(c.phone, '+') = ? DESC, lower(c.name), c.id LIMIT ?",
            [digits, digits, limit])
    elif db.engine == "postgresql":
        # customers.search: a tsvector over bo_fold (lower, unaccented, punctuation to
        # spaces) of name (weight A), email (B) and phone (C); see pg_baseline
        folded = str(db.execute("SELECT bo_fold(?)", [" ".join(words)]).fetchone()[0])
        terms = " & ".join(f"{term}:*" for term in folded.split())
        if not terms:
            return []
        rows = db.execute(
            f"SELECT {_COLUMNS} FROM customers c "
            "WHERE c.search @@ to_tsquery('simple', ?) "
            "AND (? = '' OR c.phone LIKE '%' || ? || '%') AND c.merged_into IS NULL "
            "ORDER BY ltrim(c.phone, '+') = ? DESC, "
            "ts_rank('{0.1, 0.2, 0.5, 1.0}', c.search, to_tsquery('simple', ?)) DESC, "
            "lower(c.name), c.id LIMIT ?",
            [terms, digits, digits, digits, terms, limit])
    else:
        rows = db.execute(
            f"SELECT {_COLUMNS} FROM customers_fts f JOIN customers c ON c.id = f.rowid "
            "WHERE customers_fts MATCH ? AND (? = '' OR c.phone LIKE '%' || ? || '%') "
            "AND c.merged_into IS NULL "
            "ORDER BY ltrim(c.phone, '+') = ? DESC, bm25(customers_fts, 10.0, 2.0, 5.0), "
            "lower(c.name), c.id LIMIT ?",
            [_match_expression(words), digits, digits, digits, limit])
    return [_customer(row) for row in rows]


# -- orders ----------------------------------------------------------------------------


