"""Consignment: printed tickets handed to an outside seller, paid for when settled.

`issue` turns seats into a numbered batch (C0001, ...) whose order is `on_account`: the
tickets are live and printable, nothing is paid. At settlement every live ticket of the
batch is either sold or returned. Returned tickets become `returned` (codes revoked,
seats back on sale). Sold tickets are paid in one of two ways, decided here:

- in money (cash, card, check) equal to their value: the order is `complete`;
- with an `account` tender for all or part of their value when the consignee pays later:
  the account entry is a payment row (and a `money` journal row, so the journal still
  matches the payments) that reports read as a receivable, and the order stays
  `on_account` until `collect_account` turns the receivable into money.

Either way the tenders must equal the sold tickets' value exactly, so a settled order's
balance is zero and the consignment is `settled`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from core.errors import BoxOfficeError, NotFound
from core.money import TenderError, format_cents, refuse_card_numbers
from core.people.models import User
from core.people.permissions import authorize
from core.sales.carts import add_seats, open_cart
from core.sales.checkout import checkout
from core.sales.models import Order, Ticket
from core.sales.orders import OrderError, get_order, refresh_total, retire_tickets
from core.sales.payments import insert_payment
from core.sales.tenders import Tender, validate_tender
from core.store import journal
from core.store.db import Database, insert, write
from core.times import stamp

# the cart of a batch lives only inside one transaction: any short lock will do
_CART_HOLD = timedelta(minutes=10)
SETTLEMENT_TENDERS = ("cash", "card", "check", "account")
MONEY_TENDERS = ("cash", "card", "check")


class ConsignmentError(BoxOfficeError):
    code = "consignment"


@dataclass(frozen=True)
class Consignment:
    id: int
    number: str
    performance_id: int
    consignee: str
    customer_id: int | None
    order_id: int
    status: str                 # issued, settled
    issued_at: datetime
    settled_at: datetime | None
    tickets: tuple[Ticket, ...]

    @property
    def live_tickets(self) -> tuple[Ticket, ...]:
        return tuple(t for t in self.tickets if t.status == "live")


@dataclass(frozen=True)
class OutstandingBatch:
    """A batch not yet settled: its live tickets and what they are worth."""

    consignment_id: int
    number: str
    consignee: str
    customer_id: int | None
    order_id: int
    issued_at: datetime
    tickets: int
    value_cents: int


def get_consignment(db: Database, consignment_id: int) -> Consignment:
    """A batch with its tickets. Raises NotFound `unknown_consignment`."""
    row = db.execute("SELECT id, number, performance_id, consignee, customer_id, order_id, "
                     "status, issued_at, settled_at FROM consignments WHERE id = ?",
                     [consignment_id]).fetchone()
    if row is None:
        raise NotFound(f"there is no consignment {consignment_id}",
                       code="unknown_consignment")
    return Consignment(row[0], row[1], row[2], row[3], row[4], row[5], row[6],
                       datetime.fromisoformat(row[7]),
                       datetime.fromisoformat(row[8]) if row[8] else None,
                       get_order(db, row[5]).tickets)


@dataclass(frozen=True)
class BatchSummary:
    """A batch as the consignment list shows it."""

    batch: Consignment
    live_tickets: int
    value_cents: int            # what the live tickets are worth
    on_account_cents: int       # settled, not yet paid in money

    @property
    def state(self) -> str:
        if self.batch.status == "issued":
            return "ISSUED"
        return "ON ACCOUNT" if self.on_account_cents else "PAID"


def list_consignments(db: Database) -> list[BatchSummary]:
    """Every batch, newest first, with its live tickets, their value and what is still
    on account."""
    summaries = []
    for (consignment_id,) in db.execute("SELECT id FROM consignments ORDER BY id DESC"
                                        ).fetchall():
        batch = get_consignment(db, consignment_id)
        order = get_order(db, batch.order_id)
        on_account = sum(p.amount_cents for p in order.payments
                         if p.tender == "account" and p.status == "approved")
        summaries.append(BatchSummary(batch, len(batch.live_tickets), order.value_cents,
                                      on_account))
    return summaries


def issue(db: Database, actor: User, performance_id: int,
          seat_ids: Sequence[int], consignee: str, *, station: str, now: datetime,
          customer_id: int | None = None, price_type: str = "ADULT",
          from_hold: str | None = None) -> Consignment:
    """Hand seats to a consignee as a numbered batch, all or none.

    The seats must be available (or held under `from_hold`, when the actor may sell from
    it). An order (channel `consignment`, status `on_account`) is created with no tender;
    its tickets are live and ready to print. Needs `consign` (and `sell`). Journaled
    (`order.create`, `consignment.issue`).
    Raises ConsignmentError `consignee_required`, TenderError `card_number`,
    SeatUnavailable, NotFound (`unknown_seat`, `no_price`, ...), CartError,
    PermissionDenied."""
    consignee = consignee.strip()
    if not consignee:
        raise ConsignmentError("say who takes the tickets", code="consignee_required")
    refuse_card_numbers(consignee=consignee)
    with write(db):
        authorize(db, actor, "consign")
        cart_id = open_cart(db, actor, station, now, _CART_HOLD)
        add_seats(db, actor, cart_id, performance_id, seat_ids, price_type, now, _CART_HOLD,
                  from_hold=from_hold)
        order = checkout(db, actor, cart_id, [], station=station, now=now,
                         customer_id=customer_id, channel="consignment")
        consignment_id = insert(db,
            "INSERT INTO consignments (number, performance_id, consignee, customer_id, "
            "order_id, issued_at) VALUES (?, ?, ?, ?, ?, ?)",
            [f"pending-{order.id}", performance_id, consignee, customer_id, order.id,
             stamp(now)])
        number = f"C{consignment_id:04d}"
        db.execute("UPDATE consignments SET number = ? WHERE id = ?", [number, consignment_id])
        journal.append(db, actor=actor.username, action="consignment.issue",
                       subject=f"consignment:{consignment_id}",
                       data={"number": number, "order_id": order.id, "consignee": consignee,
                             "performance_id": performance_id,
                             "tickets": [t.id for t in order.tickets],
                             "value_cents": order.value_cents})
        return get_consignment(db, consignment_id)


def _check_lists(batch: Consignment, sold: Sequence[int], returned: Sequence[int]) -> None:
    """Every live ticket of the batch in exactly one list, nothing else in either."""
    serial = {t.id: t.serial for t in batch.tickets}

    def names(ids: set[int]) -> str:
        return ", ".join(serial.get(i, f"#{i}") for i in sorted(ids))

    listed = [*sold, *returned]
    twice = {i for i, times in Counter(listed).items() if times > 1}
    if twice:
        raise ConsignmentError(f"listed more than once: {names(twice)}",
                               code="incomplete_settlement")
    live = {t.id for t in batch.live_tickets}
    strangers = set(listed) - live
    if strangers:
        raise ConsignmentError(f"not live tickets of {batch.number}: {names(strangers)}",
                               code="incomplete_settlement")
    missing = live - set(listed)
    if missing:
        raise ConsignmentError(f"say whether these were sold or returned: {names(missing)}",
                               code="incomplete_settlement")


def settle(db: Database, actor: User, consignment_id: int, *,
           sold_ticket_ids: Sequence[int], returned_ticket_ids: Sequence[int],
           tenders: Sequence[Tender], station: str, now: datetime) -> Order:
    """Settle a batch: returned tickets leave service, sold ones are paid.

    Every live ticket of the batch must be in exactly one of the two lists. Returned
    tickets become `returned`, their codes are revoked and their seats go back on sale.
    The approved tenders (cash, card, check, account) must equal the sold tickets' value
    exactly; with no account tender the order becomes `complete`, with one it stays
    `on_account` (see the module notes). The consignment becomes `settled`. All or
    nothing. Needs `consign`. Journaled (`money` per tender, `consignment.settle`).
    Raises NotFound `unknown_consignment`, ConsignmentError (`already_settled`,
    `incomplete_settlement`, `order_closed`), OrderError (`balance_not_zero`, `overpaid`),
    TenderError, PermissionDenied."""
    for tender in tenders:
        validate_tender(tender)
        if tender.kind not in SETTLEMENT_TENDERS:
            raise TenderError(f"a consignment is settled in {', '.join(SETTLEMENT_TENDERS)}, "
                              f"not {tender.kind}")
        if tender.status != "approved":
            raise TenderError("enter the card payment once the terminal has answered")
        if tender.amount_cents == 0:
            raise TenderError("a tender of 0.00 pays nothing: leave it out")
    with write(db):
        authorize(db, actor, "consign")
        batch = get_consignment(db, consignment_id)
        if batch.status == "settled":
            raise ConsignmentError(f"{batch.number} was settled on {batch.settled_at}",
                                   code="already_settled")
        order = get_order(db, batch.order_id)
        if order.status != "on_account":
            raise ConsignmentError(f"the order of {batch.number} is {order.status}",
                                   code="order_closed")
        _check_lists(batch, sold_ticket_ids, returned_ticket_ids)
        price = {t.id: t.base_cents + t.fee_cents + t.tax_cents for t in batch.tickets}
        sold_cents = sum(price[i] for i in sold_ticket_ids)
        paid = sum(t.amount_cents for t in tenders)
        if paid > sold_cents:
            raise OrderError(f"the sold tickets come to {format_cents(sold_cents)}; the tenders to "
                             f"{format_cents(paid)}", code="overpaid")
        if paid < sold_cents:
            raise OrderError(f"still due: {format_cents(sold_cents - paid)} of "
                             f"{format_cents(sold_cents)} "
                             "(use an account tender for what the consignee pays later)",
                             code="balance_not_zero")
        retire_tickets(db, batch.order_id, returned_ticket_ids, "returned",
                        f"consignment {batch.number}", now, actor=actor.username)
        refresh_total(db, batch.order_id)
        for tender in tenders:
            insert_payment(db, actor, batch.order_id, tender, station=station, now=now)
        on_account = sum(t.amount_cents for t in tenders if t.kind == "account")
        status = "on_account" if on_account else "complete"
        db.execute("UPDATE orders SET status = ? WHERE id = ?", [status, batch.order_id])
        db.execute("UPDATE consignments SET status = 'settled', settled_at = ? WHERE id = ?",
                   [stamp(now), consignment_id])
        journal.append(db, actor=actor.username, action="consignment.settle",
                       subject=f"consignment:{consignment_id}",
                       data={"number": batch.number, "order_id": batch.order_id,
                             "sold": sorted(sold_ticket_ids),
                             "returned": sorted(returned_ticket_ids),
                             "sold_cents": sold_cents, "on_account_cents": on_account,
                             "order_status": status})
        return get_order(db, batch.order_id)


def settle_returning(db: Database, actor: User, consignment_id: int, *,
                     returned_seat_ids: Sequence[int], paid_by: str,
                     check_number: str | None = None, station: str,
                     now: datetime) -> Order:
    """Settle a batch from the seats that came back: every other live ticket is sold and
    paid in full by `paid_by` (cash, check, or account when the consignee pays later).
    Raises ConsignmentError `not_in_batch` for a seat that is not a live ticket of the
    batch, and whatever `settle` raises (it re-checks everything in its transaction)."""
    batch = get_consignment(db, consignment_id)
    seat_of = dict(db.execute("SELECT id, seat_id FROM tickets WHERE order_id = ? AND "
                              "status = 'live'", [batch.order_id]).fetchall())
    came_back = set(returned_seat_ids)
    back = [ticket_id for ticket_id, seat_id in seat_of.items() if seat_id in came_back]
    if len(back) != len(came_back):
        raise ConsignmentError(f"a seat named as come back is not a live ticket of "
                               f"{batch.number}", code="not_in_batch")
    sold = [t for t in batch.live_tickets if t.id not in back]
    value = sum(t.base_cents + t.fee_cents + t.tax_cents for t in sold)
    tenders = [Tender(paid_by, value, check_number=check_number)] if value else []
    return settle(db, actor, consignment_id, sold_ticket_ids=[t.id for t in sold],
                  returned_ticket_ids=back, tenders=tenders, station=station, now=now)


def collect_account(db: Database, actor: User, consignment_id: int,
                    tenders: Sequence[Tender], *, station: str, now: datetime) -> Order:
    """Take money for what a settled batch left on account (partial payments allowed).

    Each tender is recorded as a payment, and as much of the account entries is reversed
    (negative `account` payments pointing at them), so the order's balance stays zero
    and the journal's money rows still match the payments. When nothing is left on
    account the order becomes `complete`. Needs `consign`. Journaled.
    Raises NotFound `unknown_consignment`, ConsignmentError (`not_settled`,
    `nothing_on_account`), OrderError (`nothing_paid`, `overpaid`), TenderError,
    PermissionDenied."""
    for tender in tenders:
        validate_tender(tender)
        if tender.kind not in MONEY_TENDERS or tender.status != "approved":
            raise TenderError(f"an account is paid with approved {', '.join(MONEY_TENDERS)}")
    amount = sum(t.amount_cents for t in tenders)
    if amount <= 0:
        raise OrderError("enter the amount paid", code="nothing_paid")
    with write(db):
        authorize(db, actor, "consign")
        batch = get_consignment(db, consignment_id)
        if batch.status != "settled":
            raise ConsignmentError(f"{batch.number} is not settled yet", code="not_settled")
        entries = [(pid, left) for pid, left in db.execute(
            "SELECT id, amount_cents + coalesce((SELECT sum(r.amount_cents) FROM payments r "
            "WHERE r.refund_of = payments.id AND r.status = 'approved'), 0) FROM payments "
            "WHERE order_id = ? AND tender = 'account' AND status = 'approved' AND "
            "amount_cents > 0 ORDER BY id", [batch.order_id]).fetchall() if left > 0]
        owed = sum(left for _, left in entries)
        if owed == 0:
            raise ConsignmentError(f"nothing of {batch.number} is on account",
                                   code="nothing_on_account")
        if amount > owed:
            raise OrderError(f"{format_cents(owed)} is on account; the tenders come to "
                             f"{format_cents(amount)}", code="overpaid")
        for tender in tenders:
            insert_payment(db, actor, batch.order_id, tender, station=station, now=now)
        to_clear = amount
        for pid, left in entries:
            part = min(left, to_clear)
            if part <= 0:
                break
            insert_payment(db, actor, batch.order_id,
                            Tender("account", part, reason="collected"), station=station,
                            now=now, amount_cents=-part, refund_of=pid)
            to_clear -= part
        if amount == owed:
            db.execute("UPDATE orders SET status = 'complete' WHERE id = ?", [batch.order_id])
        journal.append(db, actor=actor.username, action="consignment.collect",
                       subject=f"consignment:{consignment_id}",
                       data={"order_id": batch.order_id, "amount_cents": amount,
                             "on_account_cents": owed - amount})
        return get_order(db, batch.order_id)


def outstanding(db: Database, performance_id: int) -> list[OutstandingBatch]:
    """The performance's batches not yet settled (voided ones left out), in number order,
    with their live tickets counted and valued: one aggregate query, for the settlement
    report."""
    return [OutstandingBatch(row[0], row[1], row[2], row[3], row[4],
                             datetime.fromisoformat(row[5]), row[6], row[7])
            for row in db.execute(
        "SELECT c.id, c.number, c.consignee, c.customer_id, c.order_id, c.issued_at, "
        "count(t.id), coalesce(sum(l.base_cents + l.fee_cents + l.tax_cents), 0) "
        "FROM consignments c JOIN orders o ON o.id = c.order_id "
        "LEFT JOIN tickets t ON t.order_id = c.order_id AND t.status = 'live' "
        "LEFT JOIN order_lines l ON l.ticket_id = t.id "
        "WHERE c.performance_id = ? AND c.status = 'issued' AND o.status = 'on_account' "
        "GROUP BY c.id ORDER BY c.number", [performance_id])]
