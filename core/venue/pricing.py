"""Prices: per performance, a price for each zone and price type, with fee and tax.

Tax is computed on base + fee, in basis points, rounded half up to the cent, per ticket.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from core.config import PricingConfig
from core.errors import BoxOfficeError, NotFound
from core.people.models import User
from core.people.permissions import authorize
from core.store import journal
from core.store.db import Database, write


@dataclass(frozen=True)
class Price:
    performance_id: int
    zone: str
    price_type: str
    base_cents: int
    fee_cents: int
    tax_basis_points: int

    @property
    def tax_cents(self) -> int:
        return tax_on(self.base_cents + self.fee_cents, self.tax_basis_points)

    @property
    def total_cents(self) -> int:
        return self.base_cents + self.fee_cents + self.tax_cents


def tax_on(amount_cents: int, basis_points: int) -> int:
    """Tax rounded half up to the cent, in integers only."""
    return (amount_cents * basis_points + 5000) // 10000


_PRICE_TYPE = "SELECT id, kind FROM price_types WHERE code = ?"
# the zones of a performance with a price at a price type (by code)
_PRICED_ZONES = ("SELECT p.zone_id FROM prices p JOIN price_types t ON t.id = "
                 "p.price_type_id WHERE p.performance_id = ? AND t.code = ?")


def read_prices_ahead(db: Database, performance_id: int, code: str) -> None:
    """Inside a write that will `price_type_id(code)` and `check_priced`: their reads
    sent with the next round trip (PostgreSQL; see Database.fetch_ahead)."""
    db.fetch_ahead(_PRICE_TYPE, [code.upper()])
    db.fetch_ahead(_PRICED_ZONES, [performance_id, code.upper()])


def price_type_id(db: Database, code: str) -> tuple[int, str]:
    """(id, kind) of a price type by code. Raises NotFound `unknown_price_type`."""
    rows = db.fetch(_PRICE_TYPE, [code.upper()])
    row = rows[0] if rows else None
    if row is None:
        known = ", ".join(r[0] for r in db.execute("SELECT code FROM price_types ORDER BY id"))
        raise NotFound(f"there is no price type '{code}' (known: {known})",
                       code="unknown_price_type")
    return row[0], row[1]


def set_price(db: Database, actor: User, performance_id: int, zone: str,
              price_type: str, base_cents: int, *, defaults: PricingConfig,
              fee_cents: int | None = None, tax_basis_points: int | None = None) -> Price:
    """Set (or change) one price. Needs `price_change`. Refused while an order of the
    performance waits for a card terminal's answer (it completes at the price it was sold
    at). Raises PermissionDenied, NotFound (`unknown_zone`, `unknown_price_type`),
    BoxOfficeError `bad_amount`, `pending_orders`."""
    fee = defaults.fee_cents if fee_cents is None else fee_cents
    tax = defaults.tax_basis_points if tax_basis_points is None else tax_basis_points
    if min(base_cents, fee, tax) < 0:
        raise BoxOfficeError("prices, fees and taxes cannot be negative", code="bad_amount")
    with write(db):
        authorize(db, actor, "price_change")
        # a sale waiting for a card terminal's answer completes at the price it was sold at
        waiting = db.execute(
            "SELECT o.number FROM orders o JOIN cart_items i ON i.cart_id = o.cart_id "
            "WHERE o.status = 'pending' AND i.performance_id = ? LIMIT 1",
            [performance_id]).fetchone()
        if waiting is not None:
            raise BoxOfficeError(f"order {waiting[0]} is waiting for a card terminal's "
                                 "answer at the current prices; resolve it first",
                                 code="pending_orders")
        zone_row = db.execute(
            "SELECT z.id FROM price_zones z JOIN performances p ON p.venue_id = z.venue_id "
            "WHERE p.id = ? AND z.code = ?", [performance_id, zone]).fetchone()
        if zone_row is None:
            raise NotFound(f"performance {performance_id} has no price zone '{zone}'",
                           code="unknown_zone")
        type_id, _ = price_type_id(db, price_type)
        db.execute(
            "INSERT INTO prices (performance_id, zone_id, price_type_id, base_cents, "
            "fee_cents, tax_basis_points) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT "
            "(performance_id, zone_id, price_type_id) DO UPDATE SET base_cents = "
            "excluded.base_cents, fee_cents = excluded.fee_cents, "
            "tax_basis_points = excluded.tax_basis_points",
            [performance_id, zone_row[0], type_id, base_cents, fee, tax])
        journal.append(db, actor=actor.username, action="price.set",
                       subject=f"performance:{performance_id}",
                       data={"zone": zone, "price_type": price_type.upper(),
                             "base_cents": base_cents, "fee_cents": fee,
                             "tax_basis_points": tax})
    return Price(performance_id, zone, price_type.upper(), base_cents, fee, tax)


def get_price(db: Database, performance_id: int, zone_id: int,
              price_type_id_: int) -> Price:
    """The price of a zone and price type. Raises NotFound `no_price`."""
    row = db.execute(
        "SELECT z.code, t.code, p.base_cents, p.fee_cents, p.tax_basis_points "
        "FROM prices p JOIN price_zones z ON z.id = p.zone_id "
        "JOIN price_types t ON t.id = p.price_type_id "
        "WHERE p.performance_id = ? AND p.zone_id = ? AND p.price_type_id = ?",
        [performance_id, zone_id, price_type_id_]).fetchone()
    if row is None:
        names = db.execute("SELECT (SELECT code FROM price_zones WHERE id = ?), "
                           "(SELECT code FROM price_types WHERE id = ?)",
                           [zone_id, price_type_id_]).fetchone()
        raise NotFound(f"there is no {names[1]} price for zone {names[0]} at this "
                       "performance", code="no_price")
    return Price(performance_id, row[0], row[1], row[2], row[3], row[4])


def check_priced(db: Database, performance_id: int, zone_ids: Iterable[int],
                 code: str) -> None:
    """Every zone has a price at this price type (code) for the performance. Raises
    NotFound `no_price` (or `unknown_price_type`) for the first that has none."""
    priced = {zone_id for (zone_id,) in db.fetch(_PRICED_ZONES,
                                                 [performance_id, code.upper()])}
    for zone_id in zone_ids:
        if zone_id not in priced:
            get_price(db, performance_id, zone_id, price_type_id(db, code)[0])


def price_list(db: Database, performance_id: int) -> list[Price]:
    return [Price(performance_id, row[0], row[1], row[2], row[3], row[4]) for row in db.execute(
        "SELECT z.code, t.code, p.base_cents, p.fee_cents, p.tax_basis_points "
        "FROM prices p JOIN price_zones z ON z.id = p.zone_id "
        "JOIN price_types t ON t.id = p.price_type_id WHERE p.performance_id = ? "
        "ORDER BY z.code, t.id", [performance_id])]


def remove_price(db: Database, actor: User, performance_id: int, zone: str,
                 price_type: str) -> bool:
    """Stop selling a zone at a price type (tickets already sold keep what they cost).
    Needs `price_change`. True when there was a price. Raises PermissionDenied, NotFound
    `unknown_price_type`."""
    with write(db):
        authorize(db, actor, "price_change")
        type_id, _ = price_type_id(db, price_type)
        removed = db.execute(
            "DELETE FROM prices WHERE performance_id = ? AND price_type_id = ? AND zone_id = "
            "(SELECT z.id FROM price_zones z JOIN performances p ON p.venue_id = z.venue_id "
            "WHERE p.id = ? AND z.code = ?)",
            [performance_id, type_id, performance_id, zone]).rowcount
        if removed:
            journal.append(db, actor=actor.username, action="price.remove",
                           subject=f"performance:{performance_id}",
                           data={"zone": zone, "price_type": price_type.upper()})
    return bool(removed)


@dataclass(frozen=True)
class PriceCell:
    """One cell of the grid as an admin types it; None fee or tax: the config's default."""

    base_cents: int
    fee_cents: int | None = None
    tax_basis_points: int | None = None


@dataclass(frozen=True)
class PriceGrid:
    """A performance's price zones (rows) x price types (columns); a cell may be empty."""

    performance_id: int
    zones: tuple[tuple[str, str], ...]           # (code, name), in code order
    price_types: tuple[tuple[str, str], ...]     # (code, name), in their own order
    prices: Mapping[tuple[str, str], Price]      # (zone, price type) -> price

    def get(self, zone: str, price_type: str) -> Price | None:
        return self.prices.get((zone, price_type.upper()))


def price_grid(db: Database, performance_id: int) -> PriceGrid:
    """Every zone of the performance's venue x every price type, with the prices set.
    Raises NotFound for an unknown performance."""
    if db.execute("SELECT 1 FROM performances WHERE id = ?",
                  [performance_id]).fetchone() is None:
        raise NotFound(f"there is no performance {performance_id}")
    zones = tuple((row[0], row[1]) for row in db.execute(
        "SELECT z.code, z.name FROM price_zones z JOIN performances p ON "
        "p.venue_id = z.venue_id WHERE p.id = ? ORDER BY z.code", [performance_id]))
    types = tuple((row[0], row[1]) for row in db.execute(
        "SELECT code, name FROM price_types ORDER BY id"))
    prices = {(price.zone, price.price_type): price
              for price in price_list(db, performance_id)}
    return PriceGrid(performance_id, zones, types, prices)


def set_price_grid(db: Database, actor: User, performance_id: int,
                   cells: Mapping[tuple[str, str], PriceCell | None], *,
                   defaults: PricingConfig) -> PriceGrid:
    """Set many cells of the grid at once, all or none: a PriceCell sets the price, None
    removes it. Needs `price_change`. Raises what `set_price` and `remove_price` raise."""
    with write(db):
        authorize(db, actor, "price_change")
        for (zone, price_type), cell in sorted(cells.items(), key=lambda item: item[0]):
            if cell is None:
                remove_price(db, actor, performance_id, zone, price_type)
            else:
                set_price(db, actor, performance_id, zone, price_type, cell.base_cents,
                          defaults=defaults, fee_cents=cell.fee_cents,
                          tax_basis_points=cell.tax_basis_points)
    return price_grid(db, performance_id)
