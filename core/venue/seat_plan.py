"""What the window's seat map shows of a performance: each seat's id by its identity
(section, row, number), and each seat's state as the seller sees it, with the seats of
the seller's own cart told apart from everyone else's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from core.store.db import Database
from core.venue.inventory import seat_states

SeatKey = tuple[str, str, int]

MINE = "mine"          # in this window's cart
CART = "cart"          # in another window's cart
SOLD = "sold"
HELD = "held"
KILLED = "killed"


@dataclass(frozen=True)
class SeatIndex:
    """A venue's active seats both ways: identity -> seat id, and seat id -> identity.
    Built once per performance and map (a stadium's 37,000 seats take ~150 ms to read)."""

    ids: dict[SeatKey, int]
    keys: dict[int, SeatKey]


def seat_index(db: Database, performance_id: int) -> SeatIndex:
    """Every active seat of the performance's venue."""
    ids = {(section, row, number): seat_id for seat_id, section, row, number in db.execute(
        "SELECT s.id, c.code, s.row_label, s.number FROM seats s "
        "JOIN sections c ON c.id = s.section_id JOIN performances p ON p.venue_id = c.venue_id "
        "WHERE p.id = ? AND s.active = 1", [performance_id])}
    return SeatIndex(ids, {seat_id: key for key, seat_id in ids.items()})


def plan_states(db: Database, performance_id: int, now: datetime,
                index: SeatIndex, cart_id: int | None
                ) -> dict[SeatKey, tuple[str, str | None]]:
    """Every seat that is not available: key -> (state, hold code or None). Seats in
    `cart_id` are MINE; expired carts count as available (or back in their hold)."""
    plan: dict[SeatKey, tuple[str, str | None]] = {}
    for seat_id, state in seat_states(db, performance_id, now).items():
        key = index.keys.get(seat_id)
        if key is None:
            continue
        if state.state == "cart":
            plan[key] = (MINE if cart_id is not None and state.cart_id == cart_id else CART,
                         None)
        else:
            plan[key] = (state.state, state.hold_code)
    return plan


def hold_colors(db: Database) -> dict[str, str]:
    """Each hold code's colour, to paint held seats with."""
    return {code: color for code, color in db.execute("SELECT code, color FROM hold_codes")}


def hold_code_names(db: Database) -> list[tuple[str, str]]:
    """(code, name) of every hold code, by code."""
    return [(code, name) for code, name in db.execute(
        "SELECT code, name FROM hold_codes ORDER BY code")]


def price_types_for(db: Database, performance_id: int, zone: str
                    ) -> list[tuple[str, str, int]]:
    """(code, name, base cents) of the price types on sale in a zone of a performance."""
    return [(code, name, cents) for code, name, cents in db.execute(
        "SELECT t.code, t.name, p.base_cents FROM prices p "
        "JOIN price_types t ON t.id = p.price_type_id JOIN price_zones z ON z.id = p.zone_id "
        "WHERE p.performance_id = ? AND z.code = ? ORDER BY t.id", [performance_id, zone])]


def all_price_types(db: Database, performance_id: int) -> list[tuple[str, str]]:
    """(code, name) of every price type priced for the performance, in a stable order."""
    return [(code, name) for code, name in db.execute(
        "SELECT t.code, t.name FROM price_types t WHERE t.id IN (SELECT price_type_id "
        "FROM prices WHERE performance_id = ?) ORDER BY t.id",
        [performance_id])]
