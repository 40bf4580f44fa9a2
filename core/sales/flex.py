"""Flex passes: N admissions on any performances of a series, at most M at one.

A pass is sold as an order on the channel `subscription` (paid by the usual tenders in
the seller's open shift, `core.sales.payments`) with no ticket yet, and has a code signed
like a ticket's (the pass id in the ticket field, performance 0, which no performance
has, so a gate never admits a pass). Redeeming it issues tickets on the pass's order for
a performance of the series, seats or general-admission places, counting down. Each
redeemed ticket carries its share of the pass price (the price spread evenly over the N
admissions, `core.venue.series.spread`), so a performance's settlement counts what was
used there; what is not redeemed yet stays on the pass's order. Returning a redeemed
ticket (`return_admission`) frees its seat and gives the admission back; no money moves.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from core.errors import BoxOfficeError, NotFound
from core.free_text import clean_text
from core.gate import codes
from core.gate.keys import public_keys
from core.money import TenderError, format_cents
from core.people.models import User
from core.people.permissions import Override, authorize
from core.sales.customers import create_customer
from core.sales.models import Order
from core.sales.orders import OrderError, get_order, require_reason, retire_tickets
from core.sales.payments import insert_payment
from core.sales.subscriptions import NewSubscriber
from core.sales.tenders import Tender, validate_tender
from core.store import journal
from core.store.db import Database, insert, write
from core.times import stamp
from core.venue.inventory import (
    SeatUnavailable,
    area_count,
    area_id,
    describe_seat,
    seat_states,
    seats_by_label,
    sweep_expired_carts,
)
from core.venue.performances import check_on_sale
from core.venue.pricing import price_type_id
from core.venue.series import ANY_ZONE, get_package, get_package_price, get_series, spread

PASS_PERFORMANCE = 0      # the performance field of a pass's code
PASS_TENDERS = ("cash", "card", "check")


class FlexError(BoxOfficeError):
    code = "flex"


@dataclass(frozen=True)
class FlexPass:
    id: int
    package_id: int
    package_code: str
    series_id: int
    customer_id: int
    customer_name: str
    order_id: int
    order_number: str
    price_type: str
    admissions: int
    per_performance: int
    used: int                     # live tickets redeemed on it
    total_cents: int
    voided: bool

    @property
    def left(self) -> int:
        return 0 if self.voided else self.admissions - self.used


_SELECT = """
    SELECT f.id, f.package_id, p.code, p.series_id, f.customer_id, c.name, f.order_id,
           o.number, t.code, f.admissions, f.per_performance,
           (SELECT count(*) FROM flex_tickets x JOIN tickets k ON k.id = x.ticket_id
            WHERE x.pass_id = f.id AND k.status = 'live'),
           f.base_cents + f.fee_cents + f.tax_cents, o.status IN ('voided', 'cancelled')
    FROM flex_passes f JOIN packages p ON p.id = f.package_id
    JOIN customers c ON c.id = f.customer_id JOIN orders o ON o.id = f.order_id
    JOIN price_types t ON t.id = f.price_type_id
"""


def _pass(row: Sequence[Any]) -> FlexPass:
    return FlexPass(row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7], row[8],
                    row[9], row[10], row[11], row[12], bool(row[13]))


def get_pass(db: Database, pass_id: int) -> FlexPass:
    """One pass with its admissions used. Raises NotFound `unknown_pass`."""
    row = db.execute(_SELECT + " WHERE f.id = ?", [pass_id]).fetchone()
    if row is None:
        raise NotFound(f"there is no flex pass {pass_id}", code="unknown_pass")
    return _pass(row)


def list_passes(db: Database, *, package_id: int | None = None,
                customer_id: int | None = None) -> list[FlexPass]:
    """Flex passes, of one package and/or one customer, oldest first."""
    where, args = [], []
    if package_id is not None:
        where.append("f.package_id = ?")
        args.append(package_id)
    if customer_id is not None:
        where.append("f.customer_id = ?")
        args.append(customer_id)
    sql = _SELECT + (" WHERE " + " AND ".join(where) if where else "")
    return [_pass(row) for row in db.execute(sql + " ORDER BY f.id", args)]


def pass_code(signer: codes.Signer, pass_id: int) -> str:
    """The signed code printed on the pass."""
    return signer.sign(pass_id, PASS_PERFORMANCE, 1)


def find_pass(db: Database, text: str) -> FlexPass:
    """A pass by its number or its scanned code (the signature is checked). Raises
    NotFound `unknown_pass`, FlexError `bad_pass_code`."""
    typed = text.strip()
    if typed.isdigit() and len(typed) < 10:
        return get_pass(db, int(typed))
    verdict = codes.verify_token(typed, public_keys(db), frozenset())
    if not verdict.ok or verdict.performance_id != PASS_PERFORMANCE:
        raise FlexError("that is not a flex pass code (or it was misread): type the pass "
                        "number instead", code="bad_pass_code")
    return get_pass(db, verdict.ticket_id)


def sell_flex_pass(db: Database, actor: User, package_id: int, price_type: str,
                   tenders: Sequence[Tender], *, customer_id: int | NewSubscriber,
                   station: str, now: datetime) -> FlexPass:
    """Sell a pass of a flex package at its price for `price_type`, paid in full by
    approved tenders in the seller's open shift: one order (channel `subscription`,
    no ticket yet) and the pass, in one transaction; cash, card or check only. Needs
    `sell`. Raises FlexError `not_flex`, `card_unknown`; OrderError `overpaid`,
    `balance_not_zero`; NotFound (`no_price`, `no_customer`, `unknown_package`);
    TenderError (`bad_tender`, ...); ShiftError."""
    station = clean_text(station, "station", required=True)
    for tender in tenders:
        validate_tender(tender)
        if tender.kind not in PASS_TENDERS:
            # a comp or on-account pass would need the checks checkout makes for them
            raise TenderError(f"a flex pass is paid in {', '.join(PASS_TENDERS)}",
                              code="bad_tender")
    if any(t.status != "approved" for t in tenders):
        raise FlexError("a flex pass is sold on approved tenders only: settle a lost card "
                        "terminal answer first", code="card_unknown")
    with write(db):
        authorize(db, actor, "sell")
        package = get_package(db, package_id)
        if package.kind != "flex" or package.admissions is None:
            raise FlexError(f"package {package.code} is not a flex pass", code="not_flex")
        type_id, _ = price_type_id(db, price_type)
        price = get_package_price(db, package_id, ANY_ZONE, type_id)
        total = price.total_cents
        paid = sum(t.amount_cents for t in tenders)
        if paid > total:
            raise OrderError(f"the tenders come to {format_cents(paid)} but the pass is "
                             f"{format_cents(total)}; for cash, enter what was handed over "
                             "as tendered", code="overpaid")
        if paid < total:
            raise OrderError(f"still due: {format_cents(total - paid)} of "
                             f"{format_cents(total)}", code="balance_not_zero")
        if isinstance(customer_id, NewSubscriber):
            customer_id = create_customer(db, actor, customer_id.name,
                                          phone=customer_id.phone, email=customer_id.email,
                                          now=now).id
        elif db.execute("SELECT 1 FROM customers WHERE id = ?",
                        [customer_id]).fetchone() is None:
            raise NotFound(f"there is no customer #{customer_id}", code="no_customer")
        order_id = insert(db,
            "INSERT INTO orders (number, customer_id, user_id, station, channel, status, "
            "total_cents, delivery, created_at) VALUES (?, ?, ?, ?, 'subscription', "
            "'complete', ?, 'print', ?)",
            [f"pending-pass-{now.timestamp()}", customer_id, actor.id, station, total,
             stamp(now)])
        number = f"{order_id + 100000}"     # numbered as checkout numbers every order
        db.execute("UPDATE orders SET number = ? WHERE id = ?", [number, order_id])
        for tender in tenders:
            insert_payment(db, actor, order_id, tender, station=station, now=now)
        pass_id = insert(db,
            "INSERT INTO flex_passes (package_id, customer_id, order_id, price_type_id, "
            "admissions, per_performance, base_cents, fee_cents, tax_cents, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [package_id, customer_id, order_id, type_id, package.admissions,
             package.per_performance, price.base_cents, price.fee_cents, price.tax_cents,
             stamp(now)])
        journal.append(db, actor=actor.username, action="order.create",
                       subject=f"order:{order_id}",
                       data={"number": number, "status": "complete", "total_cents": total,
                             "tickets": 0, "channel": "subscription", "goods": {}})
        journal.append(db, actor=actor.username, action="flex.sell",
                       subject=f"order:{order_id}",
                       data={"pass_id": pass_id, "package": package.code,
                             "admissions": package.admissions, "customer_id": customer_id})
        return get_pass(db, pass_id)


def redeem(db: Database, actor: User, pass_id: int, performance_id: int, *,
           seats: str | None = None, area: str | None = None, quantity: int = 1,
           now: datetime) -> Order:
    """Redeem admissions of a pass for a performance of its series: the seats named in
    `seats` (as at the window), or `quantity` places in the general-admission `area`.
    One write: the tickets are issued on the pass's order, each with its own code and
    its share of the pass price, the seats sold; all or none. Needs `sell`. Raises
    FlexError `pass_used_up` (fewer admissions left), `per_performance` (more than the
    pass allows at one performance), `pass_voided`, `not_in_series`; SeatUnavailable;
    NotOnSale; NotFound."""
    if (seats is None) == (area is None):
        raise FlexError("redeem for seats or for general-admission places",
                        code="seats_or_area")
    with write(db):
        authorize(db, actor, "sell")
        flex = get_pass(db, pass_id)
        if flex.voided:
            raise FlexError(f"pass {pass_id} was voided", code="pass_voided")
        if performance_id not in get_series(db, flex.series_id).performance_ids:
            raise FlexError(f"performance {performance_id} is not in the pass's series",
                            code="not_in_series")
        check_on_sale(db, performance_id, now)
        sweep_expired_carts(db, now)
        seat_ids: list[int] = []
        if seats is not None:
            seat_ids = seats_by_label(db, performance_id, seats)
            quantity = len(seat_ids)
            taken = [s for s in seat_ids if s in seat_states(db, performance_id, now)]
            if taken:
                raise SeatUnavailable(f"not available: {describe_seat(db, taken)}")
        else:
            section = area_id(db, performance_id, area or "")
            left = area_count(db, performance_id, section, now).available
            if quantity < 1 or left < quantity:
                raise SeatUnavailable(f"only {left} places are left in {area}")
        if quantity > flex.left:
            raise FlexError(f"pass {pass_id} has {flex.left} admission(s) left, not "
                            f"{quantity}", code="pass_used_up")
        here = db.execute(
            "SELECT count(*) FROM flex_tickets x JOIN tickets k ON k.id = x.ticket_id "
            "WHERE x.pass_id = ? AND k.status = 'live' AND k.performance_id = ?",
            [pass_id, performance_id]).fetchone()[0]
        if here + quantity > flex.per_performance:
            raise FlexError(f"pass {pass_id} admits at most {flex.per_performance} at one "
                            f"performance ({here} already here)", code="per_performance")
        used = {row[0] for row in db.execute(
            "SELECT x.admission FROM flex_tickets x JOIN tickets k ON k.id = x.ticket_id "
            "WHERE x.pass_id = ? AND k.status = 'live'", [pass_id])}
        free = [n for n in range(flex.admissions) if n not in used][:quantity]
        prices = db.execute("SELECT base_cents, fee_cents, tax_cents FROM flex_passes "
                            "WHERE id = ?", [pass_id]).fetchone()
        type_id, _ = price_type_id(db, flex.price_type)
        places: list[tuple[int, int | None]] = (
            [(_section_of(db, s), s) for s in seat_ids] if seat_ids
            else [(section, None)] * quantity)
        for admission, (section_id, seat_id) in zip(free, places, strict=True):
            ticket_id = insert(db,
                "INSERT INTO tickets (order_id, performance_id, section_id, seat_id, "
                "price_type_id, serial, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [flex.order_id, performance_id, section_id, seat_id, type_id,
                 f"pending-flex-{pass_id}-{admission}", stamp(now)])
            db.execute("UPDATE tickets SET serial = ? WHERE id = ?",
                       [f"T{ticket_id:08d}", ticket_id])
            base, fee, tax = (spread(amount, flex.admissions, admission) for amount in prices)
            db.execute("INSERT INTO order_lines (order_id, ticket_id, description, "
                       "base_cents, fee_cents, tax_cents) VALUES (?, ?, ?, ?, ?, ?)",
                       [flex.order_id, ticket_id,
                        f"{flex.package_code} admission {admission + 1}/{flex.admissions}",
                        base, fee, tax])
            if seat_id is not None:
                db.execute("INSERT INTO seat_claims (performance_id, seat_id, state, "
                           "ticket_id) VALUES (?, ?, 'sold', ?)",
                           [performance_id, seat_id, ticket_id])
            db.execute("INSERT INTO flex_tickets (ticket_id, pass_id, admission) "
                       "VALUES (?, ?, ?)", [ticket_id, pass_id, admission])
        journal.append(db, actor=actor.username, action="flex.redeem",
                       subject=f"order:{flex.order_id}",
                       data={"pass_id": pass_id, "performance_id": performance_id,
                             "admissions": free, "seats": seat_ids, "area": area})
        return get_order(db, flex.order_id)


def _section_of(db: Database, seat_id: int) -> int:
    return int(db.execute("SELECT section_id FROM seats WHERE id = ?",
                          [seat_id]).fetchone()[0])


def is_flex_ticket(db: Database, ticket_ids: Sequence[int]) -> bool:
    """Whether any of these tickets was redeemed on a flex pass."""
    marks = ",".join("?" * len(ticket_ids))
    return bool(ticket_ids) and db.execute(
        f"SELECT 1 FROM flex_tickets WHERE ticket_id IN ({marks}) LIMIT 1",
        list(ticket_ids)).fetchone() is not None


def return_admission(db: Database, actor: User, ticket_id: int, *, reason: str,
                     now: datetime, override: Override | None = None) -> FlexPass:
    """Take back a ticket redeemed on a flex pass: its code is revoked, its seat goes
    back on sale, and the pass gets the admission back. No money moves (the pass was
    paid for). Needs `refund` (or a supervisor's override). Raises FlexError
    `not_flex_ticket`, OrderError `not_live`, `reason_required`."""
    require_reason(reason)
    approved_by = authorize(db, actor, "refund", override=override)
    with write(db):
        row = db.execute("SELECT x.pass_id, t.order_id FROM flex_tickets x JOIN tickets t "
                         "ON t.id = x.ticket_id WHERE x.ticket_id = ?", [ticket_id]).fetchone()
        if row is None:
            raise FlexError(f"ticket {ticket_id} was not redeemed on a flex pass",
                            code="not_flex_ticket")
        retire_tickets(db, row[1], [ticket_id], "returned", reason, now,
                       actor=actor.username)
        journal.append(db, actor=actor.username, action="flex.return",
                       subject=f"order:{row[1]}",
                       data={"pass_id": row[0], "ticket_id": ticket_id, "reason": reason,
                             "approved_by": approved_by})
        return get_pass(db, row[0])
