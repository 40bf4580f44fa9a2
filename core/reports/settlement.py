"""Event settlement: the wrap-up of one performance for its producer.

Computed on demand from the ledger of the sale: the order lines (never deleted; a refund,
void, exchange or consignment return changes a line's status and writes its journal
rows), the seat claims (kills, holds), the gate's scans and the consignment batches. A
refund after a settlement was printed is in the next one: nothing is cached.

Definitions (money in integer cents, per ticket as sold):
- GBOR, gross box office receipts: base + fee + tax of every ticket still sold (live).
- fees: the per-ticket fees in GBOR; taxes: the tax in GBOR.
- NAGBOR, net adjusted GBOR: GBOR - fees - taxes = the base prices, owed to the producer
  before the deal's own deductions (which the box office does not know).
- sold: live tickets of a standard or group price type; comps: live tickets of a comp
  price type (worth nothing); kills: seats taken out of sale; unsold holds: seats (and
  general-admission places) still under a hold code.
- scanned: live tickets admitted at a gate at least once; no-shows = sold + comps -
  scanned.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from core.sales.consignment import OutstandingBatch, outstanding
from core.store.db import Database
from core.times import stamp
from core.venue.performances import get_performance


@dataclass(frozen=True)
class Line:
    """One row of a breakdown (a price zone, a price type or a channel)."""

    key: str
    tickets: int
    base_cents: int
    fee_cents: int
    tax_cents: int

    @property
    def gross_cents(self) -> int:
        return self.base_cents + self.fee_cents + self.tax_cents

    @property
    def net_cents(self) -> int:
        return self.base_cents


@dataclass(frozen=True)
class Settlement:
    performance_id: int
    event: str
    producer: str
    venue: str
    starts_at: datetime
    computed_at: datetime
    capacity: int
    sold: int
    comps: int
    kills: int
    holds: int
    in_carts: int
    by_zone: tuple[Line, ...]
    by_price_type: tuple[Line, ...]
    by_channel: tuple[Line, ...]
    refunded: Line                     # tickets no longer live (refunded, voided, ...)
    scanned: int
    consignment: tuple[OutstandingBatch, ...]

    @property
    def total(self) -> Line:
        return Line("total", sum(x.tickets for x in self.by_channel),
                    sum(x.base_cents for x in self.by_channel),
                    sum(x.fee_cents for x in self.by_channel),
                    sum(x.tax_cents for x in self.by_channel))

    @property
    def gbor_cents(self) -> int:
        return self.total.gross_cents

    @property
    def fees_cents(self) -> int:
        return self.total.fee_cents

    @property
    def taxes_cents(self) -> int:
        return self.total.tax_cents

    @property
    def nagbor_cents(self) -> int:
        return self.gbor_cents - self.fees_cents - self.taxes_cents

    @property
    def available(self) -> int:
        return self.capacity - self.sold - self.comps - self.kills - self.holds - self.in_carts

    @property
    def no_shows(self) -> int:
        return self.sold + self.comps - self.scanned

    @property
    def consignment_outstanding_cents(self) -> int:
        return sum(b.value_cents for b in self.consignment)


def _lines(sums: dict[str, list[int]]) -> tuple[Line, ...]:
    return tuple(Line(key, *values) for key, values in sorted(sums.items()))


def settle(db: Database, performance_id: int, now: datetime) -> Settlement:
    """The settlement of a performance as the ledger stands at `now`. Reads only.
    Raises NotFound for an unknown performance."""
    show = get_performance(db, performance_id)
    producer = db.execute("SELECT producer FROM events WHERE id = ?",
                          [show.event_id]).fetchone()[0]
    zones: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    types: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    channels: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    refunded = [0, 0, 0, 0]
    sold = comps = 0
    # one pass over the performance's tickets, grouped in SQLite
    for live, zone, price_type, kind, channel, count, base, fee, tax in db.execute(
            "SELECT t.status = 'live', z.code, pt.code, pt.kind, o.channel, count(*), "
            "sum(l.base_cents), sum(l.fee_cents), sum(l.tax_cents) "
            "FROM tickets t JOIN order_lines l ON l.ticket_id = t.id "
            "JOIN orders o ON o.id = t.order_id "
            "JOIN price_types pt ON pt.id = t.price_type_id "
            "JOIN sections c ON c.id = t.section_id "
            "LEFT JOIN seats s ON s.id = t.seat_id "
            "JOIN price_zones z ON z.id = coalesce(s.zone_id, c.zone_id) "
            "WHERE t.performance_id = ? GROUP BY 1, 2, 3, 4, 5", [performance_id]):
        values = (count, base, fee, tax)
        if not live:
            refunded = [a + b for a, b in zip(refunded, values, strict=True)]
            continue
        for sums, key in ((zones, zone), (types, price_type), (channels, channel)):
            sums[key] = [a + b for a, b in zip(sums[key], values, strict=True)]
        if kind == "comp":
            comps += count
        else:
            sold += count
    capacity = db.execute(
        "SELECT (SELECT count(*) FROM seats s JOIN sections c ON c.id = s.section_id "
        "WHERE c.venue_id = ? AND s.active = 1 AND c.active = 1) + "
        "(SELECT coalesce(sum(capacity), 0) FROM sections WHERE venue_id = ? AND "
        "kind = 'ga' AND active = 1)", [show.venue_id, show.venue_id]).fetchone()[0]
    claims = dict(db.execute(
        "SELECT state, count(*) FROM seat_claims WHERE performance_id = ? AND "
        "(state != 'cart' OR expires_at > ?) GROUP BY state",
        [performance_id, stamp(now)]).fetchall())
    area_holds = db.execute("SELECT coalesce(sum(quantity), 0) FROM area_holds WHERE "
                            "performance_id = ?", [performance_id]).fetchone()[0]
    area_carts = db.execute(
        "SELECT coalesce(sum(i.quantity), 0) FROM cart_items i JOIN carts k ON "
        "k.id = i.cart_id WHERE i.performance_id = ? AND i.seat_id IS NULL AND "
        "(k.status = 'pending' OR (k.status = 'open' AND k.expires_at > ?))",
        [performance_id, stamp(now)]).fetchone()[0]
    scanned = db.execute(
        "SELECT count(DISTINCT s.ticket_id) FROM scans s JOIN tickets t ON "
        "t.id = s.ticket_id WHERE s.performance_id = ? AND s.verdict = 'ADMIT' AND "
        "s.direction = 'entry' AND t.status = 'live' AND t.performance_id = ?",
        [performance_id, performance_id]).fetchone()[0]
    return Settlement(
        performance_id, show.event_name, producer, show.venue_name, show.starts_at, now,
        capacity, sold, comps, claims.get("killed", 0),
        claims.get("held", 0) + area_holds, claims.get("cart", 0) + area_carts,
        _lines(zones), _lines(types), _lines(channels), Line("not live", *refunded),
        scanned, tuple(outstanding(db, performance_id)))
