"""Group sales: a named group, its block of held seats, and orders paid by deposit.

A group owns a hold code `GRP<id>` that only coordinators and admins may sell from or
release; its block is the seats held under that code. Group orders are sold out of the
block at the GROUP price type through `orders.checkout(channel="group")`: a deposit with
a balance-due date leaves the order `deposit` until `pay_balance` brings the balance to
zero. Seats the group did not take go back on sale with `release_unused`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

from core.errors import BoxOfficeError, NotFound
from core.free_text import clean_text
from core.money import TenderError, format_cents
from core.people.models import User
from core.people.permissions import authorize
from core.sales.carts import add_seats, open_cart
from core.sales.checkout import checkout
from core.sales.models import Order
from core.sales.orders import OrderError, get_order
from core.sales.payments import insert_payment
from core.sales.tenders import Tender, validate_tender
from core.store import journal
from core.store.db import Database, write
from core.times import stamp
from core.venue.inventory import create_hold_code, hold_seats, release_seats

GROUP_PRICE_TYPE = "GROUP"
BLOCK_COLOR = "green"
BLOCK_ROLES = frozenset({"coordinator", "admin"})
# the cart of a group order lives only inside one transaction: any short lock will do
_CART_HOLD = timedelta(minutes=10)
# what may pay a balance: money only (a comp or "on account" is not a payment of it)
BALANCE_TENDERS = ("cash", "card", "check")


class GroupError(BoxOfficeError):
    code = "group"


@dataclass(frozen=True)
class Group:
    id: int
    name: str
    customer_id: int | None
    hold_code: str            # the block's hold code, GRP<id>
    created_at: datetime


@dataclass(frozen=True)
class OverdueOrder:
    """A group order still on its deposit after its balance-due date."""

    order_id: int
    number: str
    group_id: int | None
    group_name: str | None
    customer_id: int | None
    balance_due: date
    value_cents: int
    paid_cents: int

    @property
    def balance_cents(self) -> int:
        return self.value_cents - self.paid_cents


@dataclass(frozen=True)
class GroupSummary:
    """A group as the groups list shows it."""

    group: Group
    contact: str                # the contact customer's name, or ""
    held: int                   # seats held in its block, at every performance
    sold: int                   # live tickets of its orders
    owed_cents: int             # balances still due on its deposit orders
    next_due: date | None       # the earliest balance-due date still open


def list_groups(db: Database) -> list[GroupSummary]:
    """Every group, newest first, with its block, its tickets and what it still owes."""
    summaries = []
    for row in db.execute(
            "SELECT g.id, coalesce(c.name, ''), (SELECT count(*) FROM seat_claims s WHERE "
            "s.hold_code_id = g.hold_code_id AND s.state = 'held') FROM groups g "
            "LEFT JOIN customers c ON c.id = g.customer_id ORDER BY g.id DESC").fetchall():
        orders = group_orders(db, row[0])
        deposits = [o for o in orders if o.status == "deposit"]
        dues = [due for due in (_due(db, o.id) for o in deposits) if due is not None]
        summaries.append(GroupSummary(
            get_group(db, row[0]), row[1], row[2],
            sum(1 for o in orders for t in o.tickets if t.status == "live"),
            sum(o.balance_cents for o in deposits), min(dues) if dues else None))
    return summaries


def group_orders(db: Database, group_id: int) -> list[Order]:
    """The group's orders, newest first."""
    return [get_order(db, row[0]) for row in db.execute(
        "SELECT id FROM orders WHERE group_id = ? ORDER BY id DESC", [group_id]).fetchall()]


def held_in_block(db: Database, group_id: int, performance_id: int) -> list[int]:
    """The seats still held for the group at a performance (sold ones are tickets)."""
    return [row[0] for row in db.execute(
        "SELECT c.seat_id FROM seat_claims c JOIN groups g ON g.hold_code_id = "
        "c.hold_code_id WHERE g.id = ? AND c.performance_id = ? AND c.state = 'held' "
        "ORDER BY c.seat_id", [group_id, performance_id])]


def _due(db: Database, order_id: int) -> date | None:
    row = db.execute("SELECT balance_due_date FROM orders WHERE id = ?", [order_id]).fetchone()
    return date.fromisoformat(row[0]) if row and row[0] else None


def get_group(db: Database, group_id: int) -> Group:
    """A group with its block's hold code. Raises NotFound `unknown_group`."""
    row = db.execute("SELECT g.id, g.name, g.customer_id, h.code, g.created_at FROM groups g "
                     "JOIN hold_codes h ON h.id = g.hold_code_id WHERE g.id = ?",
                     [group_id]).fetchone()
    if row is None:
        raise NotFound(f"there is no group {group_id}", code="unknown_group")
    return Group(row[0], row[1], row[2], row[3], datetime.fromisoformat(row[4]))


def create_group(db: Database, actor: User, name: str, *,
                 customer_id: int | None = None, now: datetime) -> Group:
    """Create a group and its block's hold code `GRP<id>` (named after the group; sold
    and released by coordinators and admins only). Needs `group_sales`, and `hold` for
    the hold code. Journaled (`hold_code.create`, `group.create`).
    Raises GroupError `name_required`, PermissionDenied, NotFound `unknown_customer`,
    BoxOfficeError `hold_exists` (a hand-made GRP<id> code is in the way)."""
    name = name.strip()
    if not name:
        raise GroupError("a group needs a name", code="name_required")
    name = clean_text(name, "group name")
    with write(db):
        authorize(db, actor, "group_sales")
        if customer_id is not None and db.execute(
                "SELECT 1 FROM customers WHERE id = ?", [customer_id]).fetchone() is None:
            raise NotFound(f"there is no customer {customer_id}", code="unknown_customer")
        # the hold code must exist before the group row that points at it, and is named
        # after the group's id: take the id SQLite would give (safe under BEGIN IMMEDIATE)
        group_id = int(db.execute("SELECT coalesce(max(id), 0) + 1 FROM groups").fetchone()[0])
        hold = create_hold_code(db, actor, f"GRP{group_id}", name, BLOCK_COLOR,
                                sell_roles=BLOCK_ROLES, release_roles=BLOCK_ROLES)
        db.execute("INSERT INTO groups (id, name, customer_id, hold_code_id, created_at) "
                   "VALUES (?, ?, ?, ?, ?)", [group_id, name, customer_id, hold.id, stamp(now)])
        journal.append(db, actor=actor.username, action="group.create",
                       subject=f"group:{group_id}",
                       data={"name": name, "customer_id": customer_id, "hold": hold.code})
        return get_group(db, group_id)


def hold_block(db: Database, actor: User, group_id: int, performance_id: int,
               seat_ids: Sequence[int], now: datetime) -> int:
    """Hold available seats for the group (under its hold code), all or none; returns
    how many. Needs `group_sales` and `hold`. Journaled (`inventory.hold`).
    Raises NotFound (`unknown_group`, `unknown_seat`), SeatUnavailable, PermissionDenied."""
    with write(db):
        authorize(db, actor, "group_sales")
        group = get_group(db, group_id)
        return hold_seats(db, actor, performance_id, seat_ids, group.hold_code, now)


def group_order(db: Database, actor: User, group_id: int, performance_id: int,
                seat_ids: Sequence[int], tenders: Sequence[Tender], *, balance_due: date,
                station: str, now: datetime, zone: tzinfo,
                customer_id: int | None = None) -> Order:
    """Sell seats out of the group's block at the GROUP price, all in one transaction.

    Tenders equal to the total complete the order; less (but more than nothing) is a
    deposit: the order is `deposit` with `balance_due` (today or later in the venue's `zone`)
    as its due date, and its tickets
    are issued. The customer defaults to the group's. Needs `group_sales` (and `sell`).
    Journaled (`order.create`, `money` per tender).
    Raises NotFound `unknown_group`, SeatUnavailable (a seat is not in the block),
    OrderError (`balance_not_zero` when nothing is paid, `overpaid`), TenderError,
    PermissionDenied, CartError."""
    with write(db):
        authorize(db, actor, "group_sales")
        group = get_group(db, group_id)
        cart_id = open_cart(db, actor, station, now, _CART_HOLD)
        add_seats(db, actor, cart_id, performance_id, seat_ids, GROUP_PRICE_TYPE, now,
                  _CART_HOLD, from_hold=group.hold_code)
        return checkout(db, actor, cart_id, tenders, station=station, now=now,
                        customer_id=customer_id if customer_id is not None
                        else group.customer_id,
                        channel="group", group_id=group.id, balance_due=balance_due,
                        zone=zone)


def pay_balance(db: Database, actor: User, order_id: int,
                tenders: Sequence[Tender], *, station: str, now: datetime,
                permission: str = "group_sales") -> Order:
    """Take a payment toward a group order's balance (several partial payments allowed).

    Only approved cash, card or check tenders: a card whose terminal answer was lost is
    refused here (resolve it at the terminal and enter what it says), so the order never
    waits on an unknown answer. When the balance reaches zero the order is `complete`.
    Needs `group_sales` (an instalment of a payment plan: `sell`, see core.sales.plans).
    Journaled (`money` per tender, `group.payment`).
    Raises NotFound `unknown_order`, OrderError (`not_deposit`, `nothing_paid`,
    `overpaid`), TenderError (`bad_tender`, `card_details`, ...), PermissionDenied."""
    for tender in tenders:
        validate_tender(tender)
        if tender.kind not in BALANCE_TENDERS:
            raise TenderError(f"a balance is paid in {', '.join(BALANCE_TENDERS)}, "
                              f"not {tender.kind}")
        if tender.status != "approved":
            raise TenderError("enter the card payment once the terminal has answered")
    amount = sum(t.amount_cents for t in tenders)
    if amount <= 0:
        raise OrderError("enter the amount paid", code="nothing_paid")
    with write(db):
        authorize(db, actor, permission)
        order = get_order(db, order_id)
        if order.status != "deposit":
            raise OrderError(f"order {order.number} is {order.status}: no balance is due on "
                             "it", code="not_deposit")
        due = order.balance_cents
        if amount > due:
            raise OrderError(f"the balance is {format_cents(due)}; the tenders come to "
                             f"{format_cents(amount)}",
                             code="overpaid")
        for tender in tenders:
            insert_payment(db, actor, order_id, tender, station=station, now=now)
        left = due - amount
        if left == 0:
            db.execute("UPDATE orders SET status = 'complete' WHERE id = ?", [order_id])
        journal.append(db, actor=actor.username, action="group.payment",
                       subject=f"order:{order_id}",
                       data={"amount_cents": amount, "balance_cents": left,
                             "complete": left == 0})
        return get_order(db, order_id)


def release_unused(db: Database, actor: User, group_id: int,
                   performance_id: int, now: datetime) -> int:
    """Put the block's seats still held for the group at a performance back on sale;
    returns how many. Sold seats and seats in a cart are left alone (a cart that expires
    later returns its seat to the block). Needs `group_sales`, `hold` and a role allowed
    to release the block. Journaled (`inventory.release`, `group.release`).
    Raises NotFound `unknown_group`, PermissionDenied."""
    with write(db):
        authorize(db, actor, "group_sales")
        group = get_group(db, group_id)
        held = held_in_block(db, group_id, performance_id)
        released = release_seats(db, actor, performance_id, held, now)
        journal.append(db, actor=actor.username, action="group.release",
                       subject=f"group:{group_id}",
                       data={"hold": group.hold_code, "performance_id": performance_id,
                             "seats": held})
        return released


def overdue_groups(db: Database, today: date) -> list[OverdueOrder]:
    """Orders still on a deposit whose balance was due before `today`, the earliest due
    first, with what their live tickets are worth and what has been paid."""
    return [OverdueOrder(row[0], row[1], row[2], row[3], row[4], date.fromisoformat(row[5]),
                         row[6], row[7]) for row in db.execute(
        "SELECT o.id, o.number, o.group_id, g.name, o.customer_id, o.balance_due_date, "
        "(SELECT coalesce(sum(l.base_cents + l.fee_cents + l.tax_cents), 0) FROM "
        "order_lines l JOIN tickets t ON t.id = l.ticket_id WHERE l.order_id = o.id AND "
        "t.status = 'live'), (SELECT coalesce(sum(p.amount_cents), 0) FROM payments p "
        "WHERE p.order_id = o.id AND p.status = 'approved') FROM orders o "
        "LEFT JOIN groups g ON g.id = o.group_id WHERE o.status = 'deposit' AND "
        "o.balance_due_date < ? ORDER BY o.balance_due_date, o.id", [today.isoformat()])]
