"""Inventory per performance: every seat is available, held, in a cart, sold or killed.

A seat that is not available has exactly one row in `seat_claims` (its primary key is
the performance and the seat); no row means available. A cart's claim past its expiry
counts as available and is swept inside the next write. General-admission areas are
counted against their capacity: sold tickets, places in live carts and held places.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from core.errors import BoxOfficeError, NotFound
from core.free_text import clean_text
from core.money import refuse_card_numbers
from core.people.models import ROLES, User
from core.people.permissions import PermissionDenied, authorize
from core.seatmap.parser import COLORS
from core.store import journal
from core.store.db import Database, write
from core.times import stamp

# the 16 terminal colours a hold is drawn in (the seat map's own palette)
HOLD_COLORS = tuple(sorted(COLORS))


class SeatUnavailable(BoxOfficeError):
    code = "seat_unavailable"


@dataclass(frozen=True)
class SeatState:
    state: str                  # held, killed, cart, sold
    hold_code: str | None = None
    cart_id: int | None = None
    ticket_id: int | None = None


@dataclass(frozen=True)
class AreaCount:
    capacity: int
    sold: int
    in_carts: int
    held: int

    @property
    def available(self) -> int:
        return max(0, self.capacity - self.sold - self.in_carts - self.held)


@dataclass(frozen=True)
class HoldCode:
    id: int
    code: str
    name: str
    color: str
    sell_roles: frozenset[str]
    release_roles: frozenset[str]


def sweep_expired_carts(db: Database, now: datetime) -> int:
    """Release the seats of carts whose lock has run out; returns how many seats.
    Inside every write that takes seats (no savepoint of its own: it fails only with its
    caller), where most of the time it is one read that finds nothing."""
    if db.in_transaction:
        return _sweep(db, now)
    with write(db):
        return _sweep(db, now)


# what ran out, in one read: (cart id) per open cart past its time, and one (NULL) row
# when any claim in a cart is past its time
_EXPIRED = ("SELECT id FROM carts WHERE status = 'open' AND expires_at <= ? UNION ALL "
            "SELECT NULL WHERE EXISTS (SELECT 1 FROM seat_claims WHERE state = 'cart' AND "
            "expires_at <= ?)")


def read_expiry_ahead(db: Database, now: datetime) -> None:
    """Inside a write that will sweep: what ran out, read with the next round trip
    (PostgreSQL; see Database.fetch_ahead)."""
    db.fetch_ahead(_EXPIRED, [stamp(now), stamp(now)])


def _sweep(db: Database, now: datetime) -> int:
    rows = db.fetch(_EXPIRED, [stamp(now), stamp(now)])
    if not rows:
        return 0
    expired = [cart_id for (cart_id,) in rows if cart_id is not None]
    db.forget_ahead()   # what was read with the expiry may be about to change
    # seats taken out of a hold go back to it; the rest go back on sale
    db.execute(
        "UPDATE seat_claims SET state = 'held', cart_id = NULL, expires_at = NULL, "
        "hold_code_id = (SELECT i.hold_code_id FROM cart_items i WHERE i.cart_id = "
        "seat_claims.cart_id AND i.seat_id = seat_claims.seat_id) WHERE state = 'cart' "
        "AND expires_at <= ? AND EXISTS (SELECT 1 FROM cart_items i WHERE i.cart_id = "
        "seat_claims.cart_id AND i.seat_id = seat_claims.seat_id AND i.hold_code_id IS "
        "NOT NULL)", [stamp(now)])
    released = int(db.execute("DELETE FROM seat_claims WHERE state = 'cart' AND "
                              "expires_at <= ?", [stamp(now)]).rowcount)
    if expired:
        marks = ",".join("?" * len(expired))
        db.execute(f"UPDATE carts SET status = 'expired' WHERE id IN ({marks})", expired)
    return released


def seat_states(db: Database, performance_id: int, now: datetime
                ) -> dict[int, SeatState]:
    """Every seat of the performance that is not available (expired carts excluded)."""
    states = {}
    cutoff = stamp(now)
    for seat_id, state, code, cart_id, ticket_id, expires_at, origin in db.execute(
            "SELECT c.seat_id, c.state, h.code, c.cart_id, c.ticket_id, c.expires_at, "
            "o.code FROM seat_claims c LEFT JOIN hold_codes h ON h.id = c.hold_code_id "
            "LEFT JOIN cart_items i ON i.cart_id = c.cart_id AND i.seat_id = c.seat_id "
            "LEFT JOIN hold_codes o ON o.id = i.hold_code_id WHERE c.performance_id = ?",
            [performance_id]):
        if state == "cart" and expires_at <= cutoff:
            if origin is not None:   # an expired cart's seat is back in its hold
                states[seat_id] = SeatState("held", origin)
            continue
        states[seat_id] = SeatState(state, code, cart_id, ticket_id)
    return states


def hold_code(db: Database, code: str) -> HoldCode:
    """A hold code by its code. Raises NotFound `unknown_hold`."""
    row = db.execute("SELECT id, code, name, color, sell_roles, release_roles FROM hold_codes "
                     "WHERE code = ? AND active = 1", [code.upper()]).fetchone()
    if row is None:
        raise NotFound(f"there is no hold code '{code}'", code="unknown_hold")
    return HoldCode(row[0], row[1], row[2], row[3], frozenset(row[4].split(",")),
                    frozenset(row[5].split(",")))


def create_hold_code(db: Database, actor: User, code: str, name: str, color: str,
                     *, sell_roles: Iterable[str], release_roles: Iterable[str]) -> HoldCode:
    """A new hold code (e.g. a group's block). Needs `hold`. Raises `hold_exists` (also for
    a retired code: its name stays taken), `bad_hold_code`, `unknown_role`, TenderError
    `card_number`, `bad_color`."""

    refuse_card_numbers(name=name, code=code)
    name = clean_text(name, "hold name")
    if color not in HOLD_COLORS:
        raise BoxOfficeError(f"'{color[:20]}' is not a hold colour; one of: "
                             f"{', '.join(HOLD_COLORS)}", code="bad_color")
    sell_roles, release_roles = set(sell_roles), set(release_roles)
    if not code.strip() or not code.isalnum() or len(code) > 12 or not name.strip():
        raise BoxOfficeError("a hold code is 1-12 letters or digits, with a name",
                             code="bad_hold_code")
    unknown = (sell_roles | release_roles) - set(ROLES)
    if unknown:
        raise BoxOfficeError(f"there is no role '{sorted(unknown)[0]}' (roles: "
                             f"{', '.join(ROLES)})", code="unknown_role")
    with write(db):
        authorize(db, actor, "hold")
        if db.execute("SELECT 1 FROM hold_codes WHERE code = ?", [code.upper()]).fetchone():
            raise BoxOfficeError(f"hold code {code.upper()} exists", code="hold_exists")
        db.execute("INSERT INTO hold_codes (code, name, color, sell_roles, release_roles) "
                   "VALUES (?, ?, ?, ?, ?)", [code.upper(), name, color,
                                              ",".join(sorted(sell_roles)),
                                              ",".join(sorted(release_roles))])
        journal.append(db, actor=actor.username, action="hold_code.create",
                       subject=f"hold:{code.upper()}", data={"name": name})
    return hold_code(db, code)


def list_hold_codes(db: Database) -> list[HoldCode]:
    """The hold codes in use (retired ones left out), by code."""
    return [HoldCode(row[0], row[1], row[2], row[3], frozenset(row[4].split(",")),
                     frozenset(row[5].split(","))) for row in db.execute(
        "SELECT id, code, name, color, sell_roles, release_roles FROM hold_codes "
        "WHERE active = 1 ORDER BY code")]


def delete_hold_code(db: Database, actor: User, code: str) -> None:
    """Remove a hold code. Refused (`hold_in_use`) while it holds seats or places, or
    seats sold out of it sit in a cart or a group uses it. A code that was ever used is
    retired rather than deleted (old carts name it). Needs `hold`. Raises
    PermissionDenied, NotFound `unknown_hold`, BoxOfficeError `hold_in_use`."""
    with write(db):
        authorize(db, actor, "hold")
        hold = hold_code(db, code)
        in_use = db.execute(
            "SELECT (SELECT count(*) FROM seat_claims WHERE hold_code_id = ?1) + (SELECT "
            "count(*) FROM area_holds WHERE hold_code_id = ?1) + (SELECT count(*) FROM "
            "cart_items i JOIN carts c ON c.id = i.cart_id WHERE i.hold_code_id = ?1 AND "
            "c.status IN ('open', 'pending')) + (SELECT count(*) FROM groups WHERE "
            "hold_code_id = ?1)", [hold.id]).fetchone()[0]
        if in_use:
            raise BoxOfficeError(f"hold code {hold.code} still holds seats or places (or a "
                                 "group or cart uses it): release them first",
                                 code="hold_in_use")
        used = db.execute("SELECT 1 FROM cart_items WHERE hold_code_id = ? LIMIT 1",
                          [hold.id]).fetchone()
        if used:
            db.execute("UPDATE hold_codes SET active = 0 WHERE id = ?", [hold.id])
        else:
            db.execute("DELETE FROM hold_codes WHERE id = ?", [hold.id])
        journal.append(db, actor=actor.username, action="hold_code.delete",
                       subject=f"hold:{hold.code}", data={"retired": bool(used)})


def seat_ids_in_range(db: Database, performance_id: int, section: str,
                      row: str, first: int, last: int) -> list[int]:
    """The active seats numbered first..last (either order) in a row, for range holds.
    Raises NotFound `no_seats` when the range holds no seat."""
    low, high = sorted((first, last))
    ids = [r[0] for r in db.execute(
        "SELECT s.id FROM seats s JOIN sections c ON c.id = s.section_id "
        "JOIN performances p ON p.venue_id = c.venue_id WHERE p.id = ? AND c.code = ? "
        "AND s.row_label = ? AND s.number BETWEEN ? AND ? AND s.active = 1 "
        "ORDER BY s.number", [performance_id, section, row, low, high])]
    if not ids:
        raise NotFound(f"there are no seats {section} {row} {low}-{high}", code="no_seats")
    return ids


def seats_by_label(db: Database, performance_id: int, text: str) -> list[int]:
    """Seat ids from what a person types: labels SECTION-ROW-NUMBER separated by commas,
    and ranges along a row as SECTION-ROW-FIRST..LAST ("ORCH-A-101, ORCH-B-101..104").
    Raises BoxOfficeError `bad_seat` for text that is not a label, NotFound `unknown_seat`
    or `no_seats`."""
    ids: list[int] = []
    for label in (part.strip() for part in text.split(",")):
        if not label:
            continue
        try:
            section, row, numbers = label.rsplit("-", 2)
            first, _, last = numbers.partition("..")
            low, high = int(first), int(last or first)
        except ValueError:
            raise BoxOfficeError(f"cannot read seat '{label[:40]}': use SECTION-ROW-NUMBER "
                                 "or SECTION-ROW-FIRST..LAST", code="bad_seat") from None
        if not (0 < low < 100_000 and 0 < high < 100_000):
            raise BoxOfficeError(f"no seat is numbered like '{label[:40]}'", code="bad_seat")
        ids += (seat_ids_in_range(db, performance_id, section, row, low, high)
                if last else [find_seat(db, performance_id, section, row, low)])
    if not ids:
        raise BoxOfficeError("name at least one seat", code="bad_seat")
    return list(dict.fromkeys(ids))


def find_seat(db: Database, performance_id: int, section: str, row: str,
              number: int) -> int:
    """A seat id by its identity at a performance. Raises NotFound `unknown_seat`."""
    found = db.execute(
        "SELECT s.id FROM seats s JOIN sections c ON c.id = s.section_id "
        "JOIN performances p ON p.venue_id = c.venue_id WHERE p.id = ? AND c.code = ? "
        "AND s.row_label = ? AND s.number = ? AND s.active = 1",
        [performance_id, section, row, number]).fetchone()
    if found is None:
        raise NotFound(f"there is no seat {section} {row}-{number}", code="unknown_seat")
    return int(found[0])


def _belonging(seat_ids: Sequence[int]) -> str:
    return ("SELECT count(*) FROM seats s JOIN sections c ON c.id = s.section_id "
            "JOIN performances p ON p.venue_id = c.venue_id WHERE p.id = ? AND s.active = 1 "
            f"AND s.id IN ({','.join('?' * len(seat_ids))})")


def _taken(seat_ids: Sequence[int]) -> str:
    return ("SELECT seat_id FROM seat_claims WHERE performance_id = ? AND seat_id IN "
            f"({','.join('?' * len(seat_ids))})")


def read_seats_ahead(db: Database, performance_id: int, seat_ids: Sequence[int]) -> None:
    """Inside a write that will `check_seats_belong` and `claim_available` (swept): their
    reads sent with the next round trip (PostgreSQL; see Database.fetch_ahead)."""
    db.fetch_ahead(_belonging(seat_ids), [performance_id, *seat_ids])
    db.fetch_ahead(_taken(seat_ids), [performance_id, *seat_ids])


def check_seats_belong(db: Database, performance_id: int,
                        seat_ids: Sequence[int]) -> None:
    count = db.fetch(_belonging(seat_ids), [performance_id, *seat_ids])[0][0]
    if count != len(set(seat_ids)):
        raise NotFound("some of those seats are not in this performance's venue",
                       code="unknown_seat")


def describe_seat(db: Database, seat_ids: Iterable[int]) -> str:
    ids = list(seat_ids)
    marks = ",".join("?" * len(ids))
    names = [f"{r[0]} {r[1]}-{r[2]}" for r in db.execute(
        f"SELECT c.code, s.row_label, s.number FROM seats s JOIN sections c ON "
        f"c.id = s.section_id WHERE s.id IN ({marks}) ORDER BY c.code, s.row_label, s.number",
        ids)]
    return ", ".join(names[:6]) + (f" and {len(names) - 6} more" if len(names) > 6 else "")


def claim_available(db: Database, performance_id: int, seat_ids: Sequence[int],
                     state: str, now: datetime, *, hold_code_id: int | None = None,
                     cart_id: int | None = None, expires_at: datetime | None = None,
                     swept: bool = False) -> None:
    """Inside a write: claim seats that are available right now, all or none. `swept`:
    the caller already released expired carts in this transaction."""
    if not swept:
        sweep_expired_carts(db, now)
    taken = [r[0] for r in db.fetch(_taken(seat_ids), [performance_id, *seat_ids])]
    if taken:
        raise SeatUnavailable(f"no longer available: {describe_seat(db, taken)}")
    # the seats are free and the lock is held: the rows fail only on a bug
    until = stamp(expires_at) if expires_at else None
    for start in range(0, len(seat_ids), 500):
        chunk = seat_ids[start:start + 500]
        db.execute_later(
            "INSERT INTO seat_claims (performance_id, seat_id, state, hold_code_id, cart_id, "
            f"expires_at) VALUES {', '.join(['(?, ?, ?, ?, ?, ?)'] * len(chunk))}",
            [value for seat_id in chunk for value in (
                performance_id, seat_id, state, hold_code_id, cart_id, until)])


def hold_seats(db: Database, actor: User, performance_id: int,
               seat_ids: Sequence[int], code: str, now: datetime) -> int:
    """Hold available seats under a hold code. Needs `hold`. All or none: raises
    SeatUnavailable when any is taken; NotFound for unknown seats or hold codes."""
    if not seat_ids:
        return 0
    with write(db):
        authorize(db, actor, "hold")
        hold = hold_code(db, code)
        check_seats_belong(db, performance_id, seat_ids)
        claim_available(db, performance_id, seat_ids, "held", now, hold_code_id=hold.id)
        journal.append(db, actor=actor.username, action="inventory.hold",
                       subject=f"performance:{performance_id}",
                       data={"hold": hold.code, "seats": sorted(seat_ids)})
    return len(seat_ids)


def kill_seats(db: Database, actor: User, performance_id: int,
               seat_ids: Sequence[int], reason: str, now: datetime) -> int:
    """Take available seats off sale (a camera position, a broken seat). Needs `kill`."""
    if not reason.strip():
        raise BoxOfficeError("a kill needs a reason", code="reason_required")
    refuse_card_numbers(reason=reason)
    if not seat_ids:
        return 0
    with write(db):
        authorize(db, actor, "kill")
        check_seats_belong(db, performance_id, seat_ids)
        claim_available(db, performance_id, seat_ids, "killed", now)
        journal.append(db, actor=actor.username, action="inventory.kill",
                       subject=f"performance:{performance_id}",
                       data={"reason": reason, "seats": sorted(seat_ids)})
    return len(seat_ids)


def release_seats(db: Database, actor: User, performance_id: int,
                  seat_ids: Sequence[int], now: datetime) -> int:
    """Put held or killed seats back on sale. Holds need `hold` and a role the hold code
    lets release; kills need `kill`. Seats in carts or sold are refused
    (`seat_unavailable`); seats already available are left as they are."""
    if not seat_ids:
        return 0
    with write(db):
        sweep_expired_carts(db, now)   # a cart that ran out no longer has its seats
        marks = ",".join("?" * len(seat_ids))
        claims = db.execute(
            f"SELECT c.seat_id, c.state, h.code, h.release_roles FROM seat_claims c "
            f"LEFT JOIN hold_codes h ON h.id = c.hold_code_id WHERE c.performance_id = ? "
            f"AND c.seat_id IN ({marks})", [performance_id, *seat_ids]).fetchall()
        busy = [row[0] for row in claims if row[1] in ("cart", "sold")]
        if busy:
            raise SeatUnavailable(f"in a cart or sold, so not released: {describe_seat(db, busy)}")
        if any(row[1] == "killed" for row in claims):
            authorize(db, actor, "kill")
        for _, state, code, release_roles in claims:
            if state == "held":
                authorize(db, actor, "hold")
                if actor.role not in release_roles.split(","):
                    raise PermissionDenied(f"a {actor.role} may not release {code} holds")
        db.execute(f"DELETE FROM seat_claims WHERE performance_id = ? AND state IN "
                   f"('held', 'killed') AND seat_id IN ({marks})", [performance_id, *seat_ids])
        journal.append(db, actor=actor.username, action="inventory.release",
                       subject=f"performance:{performance_id}",
                       data={"seats": sorted(row[0] for row in claims)})
    return len(claims)


def area_count(db: Database, performance_id: int, section_id: int,
               now: datetime) -> AreaCount:
    """Capacity and use of a general-admission area. Raises NotFound `unknown_area`."""
    row = db.execute("SELECT capacity FROM sections WHERE id = ? AND kind = 'ga'",
                     [section_id]).fetchone()
    if row is None:
        raise NotFound("that is not a general-admission area", code="unknown_area")
    sold = db.execute("SELECT count(*) FROM tickets WHERE performance_id = ? AND "
                      "section_id = ? AND status = 'live'", [performance_id, section_id])
    in_carts = db.execute(
        "SELECT coalesce(sum(i.quantity), 0) FROM cart_items i JOIN carts c ON "
        "c.id = i.cart_id WHERE i.performance_id = ? AND i.section_id = ? AND "
        "c.status IN ('open', 'pending') AND c.expires_at > ?",
        [performance_id, section_id, stamp(now)])
    held = db.execute("SELECT coalesce(sum(quantity), 0) FROM area_holds WHERE "
                      "performance_id = ? AND section_id = ?", [performance_id, section_id])
    return AreaCount(row[0], sold.fetchone()[0], in_carts.fetchone()[0], held.fetchone()[0])


def area_id(db: Database, performance_id: int, code: str) -> int:
    """The section id of a general-admission area by code. Raises NotFound `unknown_area`."""
    row = db.execute(
        "SELECT c.id FROM sections c JOIN performances p ON p.venue_id = c.venue_id "
        "WHERE p.id = ? AND c.code = ? AND c.kind = 'ga' AND c.active = 1",
        [performance_id, code]).fetchone()
    if row is None:
        raise NotFound(f"there is no general-admission area '{code}'", code="unknown_area")
    return int(row[0])


def hold_area_places(db: Database, actor: User, performance_id: int,
                     section_id: int, code: str, quantity: int, now: datetime) -> AreaCount:
    """Hold places of a general-admission area (added to any already held under the code).
    Needs `hold`. Raises SeatUnavailable when fewer places are left."""
    with write(db):
        authorize(db, actor, "hold")
        hold = hold_code(db, code)
        if quantity <= 0:
            raise BoxOfficeError("hold at least one place", code="bad_quantity")
        count = area_count(db, performance_id, section_id, now)
        if count.available < quantity:
            raise SeatUnavailable(f"only {count.available} places are left in that area")
        db.execute("INSERT INTO area_holds (performance_id, section_id, hold_code_id, "
                   "quantity) VALUES (?, ?, ?, ?) ON CONFLICT (performance_id, section_id, "
                   "hold_code_id) DO UPDATE SET quantity = "
                   "area_holds.quantity + excluded.quantity", [performance_id, section_id, hold.id,
                                                    quantity])
        journal.append(db, actor=actor.username, action="inventory.hold_area",
                       subject=f"performance:{performance_id}",
                       data={"hold": hold.code, "area": section_id, "quantity": quantity})
        return area_count(db, performance_id, section_id, now)
