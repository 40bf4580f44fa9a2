"""Selling as a state machine: random sequences of holds, kills, releases, carts, sales,
expiries, refunds, voids and exchanges, checked against a model after every step.

The model says what state each seat of a small pool (12 seats of one orchestra row) and
the stadium's general-admission field should be in; after every step the machine checks
it against `inventory.seat_states` and `inventory.area_count`, that sold seats are
exactly the live tickets, that every order's journal money equals its approved payments
and that a complete order owes nothing. A second test then tries to sneak whole card
numbers in through every text a seller or coordinator can type, and scans every text
value of the database for a Luhn-valid 13-19 digit run.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from core.errors import BoxOfficeError
from core.money import TenderError, contains_card_number, luhn_ok
from core.people.permissions import Override, PermissionDenied
from core.people.users import get_user
from core.sales import aftersale, carts, orders
from core.sales import checkout as sales_checkout
from core.sales.carts import CartError
from core.sales.orders import OrderError
from core.sales.tenders import Tender
from core.store import journal
from core.store.db import Database, connect
from core.venue import inventory
from core.venue.inventory import SeatUnavailable
from tests.support import postgres
from tests.support.constants import FIXED_NOW, ZONE
from tests.support.selling_helpers import (
    HOLD,
    hall_performance,
    keep_on_sale,
    stadium_performance,
)

MOSTLY = st.sampled_from([True, True, True, False])
RARELY = st.sampled_from([False, False, True])   # thins out a rule that would crowd others
POOL_ROW = "A"
POOL_SIZE = 12
STATION = "window-1"
PRICE_TYPES = ("ADULT", "CHILD", "SENIOR")

# Core bugs this machine found, now fixed (each also has a regression test at the end of
# this file). Setting a flag to False makes the machine step around the bug again.
# 1. release_seats did not sweep expired carts first, so it refused a seat whose cart had
#    run out ("in a cart or sold") although seat_states showed it available or held.
RELEASE_SWEEPS_EXPIRED_CARTS = True
# 2. void reversed each payment minus only the refunds linked to it (refund_of); a refund
#    paid out in cash (refund to="cash", a cheaper exchange) was not linked, so a later
#    void paid that money back a second time and the voided order ended up paid < 0.
VOID_NETS_CASH_PAYBACKS = True

# An example (a fresh copy, up to 40 steps, the invariants after each) takes about 0.1 s
# in memory, so 200 of them fit in about 20 s: enough to find each of the two known bugs
# below in most runs when their flag is switched on.
# On PostgreSQL an example is a database copied from a template (about 0.4 s): fewer
# there, for make test's time; the same invariants are checked after every step.
MACHINE_SETTINGS = settings(max_examples=50 if postgres.on_postgresql() else 200,
                            stateful_step_count=40, deadline=None,
                            suppress_health_check=[HealthCheck.too_slow,
                                                   HealthCheck.filter_too_much])


def copy_of(template: Path | str) -> Database:
    """A private in-memory copy of the demo database (SQLite's backup API: a few ms); on
    PostgreSQL a copy of the template database, dropped when the machine ends."""
    if isinstance(template, str):
        return connect(postgres.copy_of(template)[1])
    db = connect(":memory:")
    source = sqlite3.connect(template)
    try:
        source.backup(db.conn)
    finally:
        source.close()
    return db


def visa(amount: int, **details: str) -> Tender:
    fields = {"card_brand": "VISA", "card_last4": "4242", "approval_code": "A1B2C3",
              "terminal_ref": "T-881", **details}
    return Tender("card", amount, **fields)  # type: ignore[arg-type]


@st.composite
def card_numbers(draw: st.DrawFn) -> str:
    """A Luhn-valid 13-19 digit number, maybe grouped with spaces or dashes, maybe in text."""
    length = draw(st.integers(13, 19))
    body = draw(st.text("0123456789", min_size=length - 1, max_size=length - 1))
    check = next(d for d in "0123456789" if luhn_ok(body + d))
    digits = body + check
    separator = draw(st.sampled_from(["", " ", "-"]))
    grouped = separator.join(digits[i:i + 4] for i in range(0, length, 4))
    before = draw(st.sampled_from(["", "card ", "ref:", "x"]))
    after = draw(st.sampled_from(["", " exp 12/29", "."]))
    return before + grouped + after


@dataclass
class CartModel:
    expires: datetime
    status: str = "open"                          # open, ordered, cancelled, expired
    seats: set[int] = field(default_factory=set)
    places: int = 0                               # general admission


@dataclass
class TicketModel:
    seat: int | None                              # None: a general-admission place
    status: str = "live"


@dataclass
class OrderModel:
    created: datetime
    status: str = "complete"
    tickets: dict[int, TicketModel] = field(default_factory=dict)


class SellingMachine(RuleBasedStateMachine):
    def __init__(self, template: Path) -> None:
        super().__init__()
        self.db = copy_of(template)
        self.seller = get_user(self.db, "sam")
        self.coordinator = get_user(self.db, "cora")
        self.show = hall_performance(self.db)
        self.match = stadium_performance(self.db)
        keep_on_sale(self.db)   # let_time_pass may run the clock past a performance's end
        self.field = inventory.area_id(self.db, self.match, "FIELD")
        self.capacity = inventory.area_count(self.db, self.match, self.field,
                                             FIXED_NOW).capacity
        row = [r[0] for r in self.db.execute(
            "SELECT s.id FROM seats s JOIN sections c ON c.id = s.section_id JOIN "
            "performances p ON p.venue_id = c.venue_id WHERE p.id = ? AND c.code = 'ORCH' "
            "AND s.row_label = ? ORDER BY s.x", [self.show, POOL_ROW])]
        self.pool = row[:POOL_SIZE]
        self.now = FIXED_NOW
        # the model: what every seat of the pool and the field should be
        self.seat: dict[int, tuple[str, object]] = {s: ("available", None) for s in self.pool}
        self.origin: dict[int, str | None] = {}   # seat in a cart -> the hold it came from
        self.carts: dict[int, CartModel] = {}
        self.orders: dict[int, OrderModel] = {}
        self.places_held = 0
        self.places_sold = 0

    def teardown(self) -> None:
        try:
            leaks = card_numbers_in(self.db, SELLING_TABLES, dump=False)
            assert not leaks, f"card numbers in the database: {leaks[:3]}"
        finally:
            self.db.close()
            if self.db.engine == "postgresql":
                postgres.drop_database(postgres.name_of(self.db.location))

    # -- the model's helpers ------------------------------------------------------------

    def open_carts(self) -> list[int]:
        return [cid for cid, cart in self.carts.items() if cart.status == "open"]

    def places_in_carts(self) -> int:
        return sum(cart.places for cart in self.carts.values() if cart.status == "open")

    def places_left(self) -> int:
        return self.capacity - self.places_sold - self.places_in_carts() - self.places_held

    def back_from_cart(self, seat: int) -> None:
        code = self.origin.pop(seat, None)
        self.seat[seat] = ("held", code) if code else ("available", None)

    def cart_refusal(self, cart_id: int) -> str | None:
        """The code `_open` raises for this cart, or None when it is open."""
        status = self.carts[cart_id].status
        if status == "open":
            return None
        return "cart_expired" if status == "expired" else "cart_closed"

    def expect(self, error: type[BoxOfficeError], code: str | None, call: Callable[..., object],
               *args: Any, **kw: Any) -> None:
        """Call and require exactly this refusal, with nothing written."""
        journal_rows = self.db.execute("SELECT count(*) FROM journal").fetchone()[0]
        with pytest.raises(error) as caught:
            call(*args, **kw)
        if code is not None:
            assert caught.value.code == code, caught.value
        assert not self.db.in_transaction
        assert self.db.execute("SELECT count(*) FROM journal").fetchone()[0] == journal_rows

    def pick_seats(self, data: st.DataObject, max_size: int = 3,
                   mostly: tuple[str, ...] = ("available",)) -> list[int]:
        """1 to `max_size` seats of the pool; three times in four only seats that are in
        one of the `mostly` states (so that most attempts can succeed)."""
        likely = [s for s in self.pool if self.seat[s][0] in mostly]
        choices = likely if bool(likely) and data.draw(MOSTLY, label="likely") else self.pool
        return data.draw(st.lists(st.sampled_from(choices), min_size=1, max_size=max_size,
                                  unique=True), label="seats")

    def pick_cart(self, data: st.DataObject, filled: bool = False) -> int:
        """A cart, three times in four an open one (with `filled`, an open one that holds
        something)."""
        likely = [c for c in self.open_carts()
                  if not filled or self.carts[c].seats or self.carts[c].places]
        choices = likely if bool(likely) and data.draw(MOSTLY, label="likely") else self.carts
        return data.draw(st.sampled_from(sorted(choices)), label="cart")

    def live_tickets(self) -> list[tuple[int, int]]:
        return [(oid, tid) for oid, order in self.orders.items()
                for tid, ticket in order.tickets.items() if ticket.status == "live"]

    def retire(self, order_id: int, ticket_id: int, status: str) -> None:
        ticket = self.orders[order_id].tickets[ticket_id]
        assert ticket.status == "live"
        ticket.status = status
        if ticket.seat is None:
            self.places_sold -= 1
        elif ticket.seat in self.seat:
            self.seat[ticket.seat] = ("available", None)

    def record_tickets(self, order_id: int, cart_id: int, created: datetime) -> None:
        """The tickets the cart just became, checked against what the cart held."""
        cart = self.carts[cart_id]
        order = self.orders.setdefault(order_id, OrderModel(created))
        new = [(tid, seat) for tid, seat in self.db.execute(
            "SELECT id, seat_id FROM tickets WHERE order_id = ? ORDER BY id", [order_id])
            if tid not in order.tickets]
        assert sorted(s for _, s in new if s is not None) == sorted(cart.seats)
        assert sum(1 for _, s in new if s is None) == cart.places
        for tid, seat in new:
            order.tickets[tid] = TicketModel(seat)
            if seat is None:
                self.places_sold += 1
            else:
                self.seat[seat] = ("sold", tid)
                self.origin.pop(seat, None)
        cart.status = "ordered"

    # -- rules: time and carts ----------------------------------------------------------

    @rule(step=st.sampled_from([timedelta(seconds=30), timedelta(minutes=3)]))
    def tick(self, step: timedelta) -> None:
        self.let_time_pass(step)

    @rule(step=st.sampled_from([timedelta(0), HOLD - timedelta(seconds=1), HOLD,
                                timedelta(minutes=11), timedelta(hours=13)]))
    def let_time_pass(self, step: timedelta) -> None:
        self.now += step
        for cart in self.carts.values():
            if cart.status == "open" and cart.expires <= self.now:
                cart.status = "expired"
                for seat in cart.seats:
                    self.back_from_cart(seat)

    @initialize()
    def a_window_opens_a_cart(self) -> None:
        self.open_cart(by_coordinator=False)

    @precondition(lambda self: len(self.open_carts()) < 4)
    @rule(by_coordinator=st.booleans())
    def open_cart(self, by_coordinator: bool) -> None:
        actor = self.coordinator if by_coordinator else self.seller
        cart_id = carts.open_cart(self.db, actor, STATION, self.now, HOLD)
        self.carts[cart_id] = CartModel(self.now + HOLD)

    @precondition(lambda self: self.carts)
    @rule(data=st.data(), price_type=st.sampled_from(PRICE_TYPES),
          from_hold=st.sampled_from([None, None, "WHEEL", "HOUSE"]), by_coordinator=st.booleans())
    def add_seats(self, data: st.DataObject, price_type: str, from_hold: str | None,
                  by_coordinator: bool) -> None:
        cart_id = self.pick_cart(data)
        seats = self.pick_seats(data, mostly=("held",) if from_hold else ("available",))
        actor = self.coordinator if by_coordinator else self.seller
        call = (carts.add_seats, self.db, actor, cart_id, self.show, seats, price_type,
                self.now, HOLD)
        refusal = self.cart_refusal(cart_id)
        if refusal:
            self.expect(CartError, refusal, *call, from_hold=from_hold)
            return
        if from_hold == "HOUSE" and not by_coordinator:
            self.expect(PermissionDenied, None, *call, from_hold=from_hold)
            return
        wanted = ("held", from_hold) if from_hold else ("available", None)
        if any(self.seat[s] != wanted for s in seats):
            self.expect(SeatUnavailable, "seat_unavailable", *call, from_hold=from_hold)
            return
        call[0](*call[1:], from_hold=from_hold)
        cart = self.carts[cart_id]
        for seat in seats:
            self.seat[seat] = ("cart", cart_id)
            self.origin[seat] = from_hold
        cart.seats.update(seats)
        cart.expires = self.now + HOLD

    @precondition(lambda self: self.carts)
    @rule(data=st.data(), quantity=st.integers(1, 6))
    def add_places(self, data: st.DataObject, quantity: int) -> None:
        cart_id = self.pick_cart(data)
        call = (carts.add_area_places, self.db, self.seller, cart_id, self.match, "FIELD",
                quantity, "ADULT", self.now, HOLD)
        refusal = self.cart_refusal(cart_id)
        if refusal:
            self.expect(CartError, refusal, *call)
        elif self.places_left() < quantity:
            self.expect(SeatUnavailable, "seat_unavailable", *call)
        else:
            call[0](*call[1:])
            self.carts[cart_id].places += quantity
            self.carts[cart_id].expires = self.now + HOLD

    @precondition(lambda self: self.carts)
    @rule(data=st.data())
    def remove_item(self, data: st.DataObject) -> None:
        cart_id = self.pick_cart(data)
        lines = carts.view_cart(self.db, cart_id).lines
        if not lines:
            return
        line = data.draw(st.sampled_from(lines), label="line")
        call = (carts.remove_item, self.db, self.seller, cart_id, line.item_id, self.now)
        refusal = self.cart_refusal(cart_id)
        if refusal:
            self.expect(CartError, refusal, *call)
            return
        call[0](*call[1:])
        cart = self.carts[cart_id]
        if line.seat_id is None:
            cart.places -= line.quantity
        else:
            cart.seats.discard(line.seat_id)
            self.back_from_cart(line.seat_id)

    @precondition(lambda self: self.carts)
    @rule(data=st.data())
    def cancel_cart(self, data: st.DataObject) -> None:
        if not data.draw(RARELY, label="now"):
            return
        cart_id = self.pick_cart(data)
        refusal = self.cart_refusal(cart_id)
        if refusal:
            self.expect(CartError, refusal, carts.cancel_cart, self.db, self.seller, cart_id,
                        self.now)
            return
        carts.cancel_cart(self.db, self.seller, cart_id, self.now)
        cart = self.carts[cart_id]
        cart.status = "cancelled"
        for seat in cart.seats:
            self.back_from_cart(seat)

    @precondition(lambda self: self.carts)
    @rule(data=st.data(),
          how=st.sampled_from(["cash", "change", "split", "cash", "split", "short", "over"]))
    def checkout(self, data: st.DataObject, how: str) -> None:
        self.pay(self.pick_cart(data, filled=True), how)

    def pay(self, cart_id: int, how: str) -> None:
        total = carts.view_cart(self.db, cart_id).total_cents
        cash_part = total // 3
        tenders = {"cash": [Tender("cash", total)],
                   "change": [Tender("cash", total, tendered_cents=total + 2000)],
                   "split": [Tender("cash", cash_part, tendered_cents=cash_part),
                             visa(total - cash_part)],
                   "short": [Tender("cash", max(0, total - 1))],
                   "over": [Tender("cash", total + 1)]}[how]
        call: tuple[Any, ...] = (sales_checkout.checkout, self.db, self.seller, cart_id, tenders)
        options: dict[str, Any] = {"station": STATION, "now": self.now}
        cart = self.carts[cart_id]
        refusal = self.cart_refusal(cart_id)
        if refusal:
            self.expect(CartError, refusal, *call, **options)
        elif not cart.seats and not cart.places:
            self.expect(OrderError, "empty_cart", *call, **options)
        elif how == "short":
            self.expect(OrderError, "balance_not_zero", *call, **options)
        elif how == "over":
            self.expect(OrderError, "overpaid", *call, **options)
        else:
            order = call[0](*call[1:], **options)
            assert order.status == "complete" and order.balance_cents == 0
            assert order.value_cents == total
            self.orders[order.id] = OrderModel(self.now)
            self.record_tickets(order.id, cart_id, self.now)

    @rule(data=st.data(), places=st.integers(0, 3),
          how=st.sampled_from(["cash", "change", "split"]))
    def sell(self, data: st.DataObject, places: int, how: str) -> None:
        """A whole sale at once (a cart, free seats and/or places, paid), so that the
        rules after a sale get orders to work on."""
        free = [s for s in self.pool if self.seat[s][0] == "available"]
        seats = data.draw(st.lists(st.sampled_from(free), max_size=3, unique=True),
                          label="seats") if free else []
        places = min(places, self.places_left())
        if not seats and not places:
            return
        cart_id = carts.open_cart(self.db, self.seller, STATION, self.now, HOLD)
        cart = self.carts[cart_id] = CartModel(self.now + HOLD)
        if seats:
            carts.add_seats(self.db, self.seller, cart_id, self.show, seats,
                            data.draw(st.sampled_from(PRICE_TYPES), label="price type"),
                            self.now, HOLD)
            for seat in seats:
                self.seat[seat] = ("cart", cart_id)
                self.origin[seat] = None
            cart.seats.update(seats)
        if places:
            carts.add_area_places(self.db, self.seller, cart_id, self.match, "FIELD", places,
                                  "ADULT", self.now, HOLD)
            cart.places += places
        self.pay(cart_id, how)

    # -- rules: holds and kills ---------------------------------------------------------

    @rule(data=st.data(), code=st.sampled_from(["HOUSE", "WHEEL", "kill"]),
          by_coordinator=st.booleans())
    def hold_or_kill(self, data: st.DataObject, code: str, by_coordinator: bool) -> None:
        seats = self.pick_seats(data)
        actor = self.coordinator if by_coordinator else self.seller
        if code == "kill":
            call: tuple[Any, ...] = (inventory.kill_seats, self.db, actor, self.show, seats,
                                     "camera platform", self.now)
        else:
            call = (inventory.hold_seats, self.db, actor, self.show, seats, code, self.now)
        if not by_coordinator:
            self.expect(PermissionDenied, None, *call)
        elif any(self.seat[s][0] != "available" for s in seats):
            self.expect(SeatUnavailable, "seat_unavailable", *call)
        else:
            assert call[0](*call[1:]) == len(seats)
            for seat in seats:
                self.seat[seat] = ("killed", None) if code == "kill" else ("held", code)

    @rule(data=st.data())
    def release(self, data: st.DataObject) -> None:
        seats = self.pick_seats(data, max_size=4, mostly=("held", "killed"))
        call = (inventory.release_seats, self.db, self.coordinator, self.show, seats,
                self.now)
        if not RELEASE_SWEEPS_EXPIRED_CARTS:
            inventory.sweep_expired_carts(self.db, self.now)   # known bug 1
        if any(self.seat[s][0] in ("cart", "sold") for s in seats):
            self.expect(SeatUnavailable, "seat_unavailable", *call)
            return
        call[0](*call[1:])
        for seat in seats:
            self.seat[seat] = ("available", None)

    @rule(data=st.data(), edge=st.integers(0, 3))
    def hold_places(self, data: st.DataObject, edge: int) -> None:
        """Usually a few places; one time in four up to the last one, or just past it."""
        left = self.places_left()
        quantity = (left + data.draw(st.integers(-2, 2), label="delta") if edge == 0
                    else data.draw(st.integers(1, 40), label="quantity"))
        call = (inventory.hold_area_places, self.db, self.coordinator, self.match, self.field,
                "HOUSE", quantity, self.now)
        if quantity <= 0:
            self.expect(BoxOfficeError, "bad_quantity", *call)
        elif quantity > left:
            self.expect(SeatUnavailable, "seat_unavailable", *call)
        else:
            count = call[0](*call[1:])
            self.places_held += quantity
            assert count.held == self.places_held

    # -- rules: after the sale ----------------------------------------------------------

    @precondition(lambda self: self.live_tickets())
    @rule(data=st.data(), to=st.sampled_from(["original", "cash"]))
    def refund(self, data: st.DataObject, to: str) -> None:
        order_id = data.draw(st.sampled_from(sorted({o for o, _ in self.live_tickets()})),
                             label="order")
        live = [t for o, t in self.live_tickets() if o == order_id]
        chosen = data.draw(st.lists(st.sampled_from(live), min_size=1, unique=True),
                           label="tickets")
        whole = data.draw(st.booleans(), label="whole order") and len(chosen) == len(live)
        result = aftersale.refund(self.db, self.coordinator, order_id, reason="changed plans",
                               station=STATION, now=self.now,
                               ticket_ids=None if whole else chosen, to=to)
        for ticket_id in chosen:
            self.retire(order_id, ticket_id, "refunded")
        assert result.balance_cents == 0

    @precondition(lambda self: self.orders)
    @rule(data=st.data())
    def refund_something_not_live(self, data: st.DataObject) -> None:
        order_id = data.draw(st.sampled_from(sorted(self.orders)), label="order")
        gone = [t for t, ticket in self.orders[order_id].tickets.items()
                if ticket.status != "live"]
        if gone:
            self.expect(OrderError, "not_live", aftersale.refund, self.db, self.coordinator,
                        order_id, reason="again", station=STATION, now=self.now,
                        ticket_ids=[data.draw(st.sampled_from(gone), label="ticket")])
        elif not any(t.status == "live" for t in self.orders[order_id].tickets.values()):
            self.expect(OrderError, "nothing_to_refund", aftersale.refund, self.db,
                        self.coordinator, order_id, reason="again", station=STATION,
                        now=self.now)

    @precondition(lambda self: self.orders)
    @rule(data=st.data())
    def void(self, data: st.DataObject) -> None:
        complete = [o for o, order in self.orders.items() if order.status == "complete"]
        choices = complete if bool(complete) and data.draw(MOSTLY, label="likely") else self.orders
        order_id = data.draw(st.sampled_from(sorted(choices)), label="order")
        order = self.orders[order_id]
        call: tuple[Any, ...] = (aftersale.void, self.db, self.coordinator, order_id)
        options: dict[str, Any] = {"reason": "wrong night", "station": STATION, "now": self.now,
                                   "zone": ZONE}
        if not VOID_NETS_CASH_PAYBACKS and self.db.execute(
                "SELECT 1 FROM payments WHERE order_id = ? AND amount_cents < 0 AND "
                "refund_of IS NULL", [order_id]).fetchone():
            return   # known bug 2
        if order.status == "voided":
            self.expect(OrderError, "already_voided", *call, **options)
        elif order.created.astimezone(ZONE).date() != self.now.astimezone(ZONE).date():
            self.expect(OrderError, "not_today", *call, **options)
        else:
            result = call[0](*call[1:], **options)
            for ticket_id, ticket in order.tickets.items():
                if ticket.status == "live":
                    self.retire(order_id, ticket_id, "voided")
            order.status = "voided"
            assert result.status == "voided"

    @precondition(lambda self: self.live_tickets())
    @rule(data=st.data())
    def exchange(self, data: st.DataObject) -> None:
        free = [s for s in self.pool if self.seat[s][0] == "available"]
        if not free:
            return
        order_id, ticket_id = data.draw(st.sampled_from(self.live_tickets()), label="ticket")
        target = data.draw(st.sampled_from(free), label="new seat")
        cart_id = carts.open_cart(self.db, self.coordinator, STATION, self.now, HOLD)
        self.carts[cart_id] = CartModel(self.now + HOLD)
        new_cart = carts.add_seats(self.db, self.coordinator, cart_id, self.show, [target],
                                   "ADULT", self.now, HOLD)
        self.carts[cart_id].seats.add(target)
        self.seat[target] = ("cart", cart_id)
        old = next(t for t in orders.get_order(self.db, order_id).tickets if t.id == ticket_id)
        difference = new_cart.total_cents - (old.base_cents + old.fee_cents + old.tax_cents)
        tenders = [Tender("cash", difference)] if difference > 0 else []
        result = aftersale.exchange(self.db, self.coordinator, order_id, [ticket_id], cart_id,
                                 tenders, reason="moved", station=STATION, now=self.now)
        self.retire(order_id, ticket_id, "exchanged")
        self.record_tickets(order_id, cart_id, self.now)
        assert result.balance_cents == 0

    # -- rules: card numbers must bounce off every text input -----------------------------

    @precondition(lambda self: self.open_carts())
    @rule(data=st.data(), number=card_numbers(),
          where=st.sampled_from(["card_last4", "approval_code", "terminal_ref", "check",
                                 "comp", "refund", "void", "exchange", "reprint"]))
    def sneak_a_card_number(self, data: st.DataObject, number: str, where: str) -> None:
        if not data.draw(RARELY, label="now"):
            return
        cart_id = data.draw(st.sampled_from(self.open_carts()), label="cart")
        total = carts.view_cart(self.db, cart_id).total_cents
        some_order = min(self.orders) if self.orders else None
        options: dict[str, Any] = {"station": STATION, "now": self.now}
        if where in ("card_last4", "approval_code", "terminal_ref"):
            call: tuple[Any, ...] = (sales_checkout.checkout, self.db, self.seller, cart_id,
                    [visa(total, **{where: number})])
        elif where == "check":
            call = (sales_checkout.checkout, self.db, self.seller, cart_id,
                    [Tender("check", total, check_number=number)])
        elif where == "comp":
            call = (sales_checkout.checkout, self.db, self.coordinator, cart_id,
                    [Tender("comp", total, reason=number)])
        elif where in ("refund", "void") and some_order is not None:
            call = (getattr(aftersale, where), self.db, self.coordinator, some_order)
            options = {"reason": number, "station": STATION, "now": self.now}
            if where == "void":
                options["zone"] = ZONE
        elif where == "exchange" and some_order is not None:
            call = (aftersale.exchange, self.db, self.coordinator, some_order,
                    list(self.orders[some_order].tickets)[:1], cart_id, [])
            options = {"reason": number, "station": STATION, "now": self.now}
        elif where == "reprint" and self.live_tickets():
            call = (aftersale.reprint, self.db, self.coordinator, self.live_tickets()[0][1])
            options = {"reason": number, "now": self.now}
        else:
            return
        self.expect(TenderError, "card_number", *call, **options)

    # -- invariants -----------------------------------------------------------------------

    @invariant()
    def seats_are_in_the_state_the_model_says(self) -> None:
        states = inventory.seat_states(self.db, self.show, self.now)
        assert set(states) <= set(self.pool)
        for seat in self.pool:
            kind, detail = self.seat[seat]
            seen = states.get(seat)
            if kind == "available":
                assert seen is None, (seat, seen)
                continue
            assert seen is not None and seen.state == kind, (seat, kind, seen)
            if kind == "held":
                assert seen.hold_code == detail
            elif kind == "cart":
                assert seen.cart_id == detail
            elif kind == "sold":
                assert seen.ticket_id == detail

    @invariant()
    def sold_seats_are_the_live_tickets(self) -> None:
        states = inventory.seat_states(self.db, self.show, self.now)
        sold = {seat: state.ticket_id for seat, state in states.items() if state.state == "sold"}
        live = {row[0]: row[1] for row in self.db.execute(
            "SELECT seat_id, id FROM tickets WHERE performance_id = ? AND status = 'live' "
            "AND seat_id IS NOT NULL", [self.show])}
        assert sold == live

    @invariant()
    def money_adds_up(self) -> None:
        money: dict[int, int] = {}
        for subject, data in self.db.execute(
                "SELECT subject, data FROM journal WHERE action = 'money'"):
            order_id = int(subject.split(":")[1])
            money[order_id] = money.get(order_id, 0) + json.loads(data)["amount_cents"]
        assert set(self.orders) == {row[0] for row in self.db.execute("SELECT id FROM orders")}
        for order_id, model in self.orders.items():
            order = orders.get_order(self.db, order_id)
            assert order.status == model.status
            assert money.get(order_id, 0) == order.paid_cents
            assert {t.id: t.status for t in order.tickets} == {
                t: ticket.status for t, ticket in model.tickets.items()}
            if order.status == "complete":
                assert order.balance_cents == 0, (order_id, order.payments)
            else:
                assert order.paid_cents == 0 and order.value_cents == 0, (
                    order_id, order.payments)

    @invariant()
    def general_admission_fits(self) -> None:
        count = inventory.area_count(self.db, self.match, self.field, self.now)
        assert count.sold + count.in_carts + count.held <= count.capacity
        assert (count.sold, count.in_carts, count.held) == (
            self.places_sold, self.places_in_carts(), self.places_held)

    @invariant()
    def journal_chain_holds(self) -> None:
        verified = journal.verify(self.db)
        assert verified.ok, verified.reason


def test_selling_state_machine(demo_template: Path) -> None:
    # hypothesis takes any factory of a machine, though it declares the class
    run_state_machine_as_test(lambda: SellingMachine(demo_template),  # type: ignore[arg-type]
                              settings=MACHINE_SETTINGS)


# -- no card numbers in the database ------------------------------------------------------

_HEX_RUN = re.compile(r"(?<![0-9a-f])[0-9a-f]{32,}(?![0-9a-f])")
_BLOB_LITERAL = re.compile(r"X'[0-9A-Fa-f]*'")
# The tables a sale, a hold or an expiry writes to (the state machine's teardown scans only
# these: the venue tables it never touches hold 40,000 seats and take a second to scan).
SELLING_TABLES = ("carts", "cart_items", "seat_claims", "area_holds", "orders", "order_lines",
                  "tickets", "payments", "revocations", "hold_codes", "journal")


def known_digests(db: Database) -> set[str]:
    """SHA-256 digests the database holds that are proven to be digests, not typed text:
    the journal's hashes (the chain recomputes every one of them: `journal.verify`), the
    seat maps' `sha256` (recomputed here from the stored source) and the hex parts of the
    scrypt PIN hashes (salt and digest, written by `users.hash_pin`)."""
    verified = journal.verify(db)
    assert verified.ok, verified.reason
    digests = {journal.GENESIS, *(row[0] for row in db.execute("SELECT hash FROM journal"))}
    for source, digest in db.execute("SELECT source, sha256 FROM seat_maps"):
        assert hashlib.sha256(source.encode()).hexdigest() == digest
        digests.add(digest)
    for (pin_hash,) in db.execute("SELECT pin_hash FROM users"):
        scheme, *numbers, salt, digest = pin_hash.split("$")
        assert scheme == "scrypt" and all(n.isdigit() for n in numbers)
        digests |= {salt, digest}
    return digests


def card_numbers_in(db: Database, tables: tuple[str, ...] | None = None,
                    *, dump: bool = True) -> list[str]:
    """Every text value (of `tables`, default all) holding a Luhn-valid 13-19 digit run,
    and with `dump` every line of `iterdump()` (what a backup would hold) that does.

    Known digests are taken out first, and only they: a SHA-256 hex digest holds a run of
    13+ decimal digits about once in 40 (each hex character is a decimal digit 10 times in
    16), and a run passes Luhn one time in ten, so the demo's journal already has such
    false positives (the seat map's sha256 in the import entry, `7291263938917`).
    Blobs (signing keys, full-text index pages) are decoded as Latin-1 and checked too.
    """
    digests = known_digests(db)

    def strip(text: str) -> str:
        return _HEX_RUN.sub(lambda m: "" if m.group(0) in digests else m.group(0), text)

    leaks = []
    if tables is None:
        tables = tuple(name for name in db.table_names()
                       if not name.startswith("customers_fts"))
    for table in tables:
        columns = db.columns(table)
        for row in db.execute(f'SELECT * FROM "{table}"'):
            for column, value in zip(columns, row, strict=True):
                if isinstance(value, bytes):
                    value = value.decode("latin-1")
                if isinstance(value, str) and contains_card_number(value) and \
                        contains_card_number(strip(value)):
                    leaks.append(f"{table}.{column}: {value[:100]!r}")
    if dump and db.engine == "sqlite":   # on PostgreSQL every value was read above
        for line in db.conn.iterdump():
            if contains_card_number(line):
                line = _BLOB_LITERAL.sub("X''", strip(line))   # blobs: checked above
                if contains_card_number(line):
                    leaks.append(f"dump: {line[:160]!r}")
    return leaks


CARD = "4111 1111 1111 1111"
PLAIN_CARD = "4111111111111111"


def test_no_card_number_lands_in_the_database(demo_path: Path) -> None:
    db = connect(demo_path)
    sam, cora = get_user(db, "sam"), get_user(db, "cora")
    show, match = hall_performance(db), stadium_performance(db)
    now = FIXED_NOW
    seats = inventory.seat_ids_in_range(db, show, "ORCH", "B", 101, 106)

    def cart(*seat_ids: int) -> int:
        cart_id = carts.open_cart(db, sam, STATION, now, HOLD)
        carts.add_seats(db, sam, cart_id, show, list(seat_ids), "ADULT", now, HOLD)
        return cart_id

    refused = 0

    def refuse(call: Callable[..., object], *args: Any, **kw: Any) -> None:
        nonlocal refused
        with pytest.raises(TenderError) as caught:
            call(*args, **kw)
        assert caught.value.code == "card_number"
        refused += 1

    first = cart(seats[0], seats[1])
    total = carts.view_cart(db, first).total_cents
    for number in (CARD, PLAIN_CARD, "4111-1111-1111-1111", "378282246310005",
                   "6011 0009 9013 9424", f"slip {PLAIN_CARD} ok"):
        for details in ({"card_last4": number}, {"approval_code": number},
                        {"terminal_ref": number}, {"card_brand": number}):
            refuse(sales_checkout.checkout, db, sam, first, [visa(total, **details)],
                   station=STATION, now=now)
        refuse(sales_checkout.checkout, db, sam, first,
               [Tender("check", total, check_number=number)],
               station=STATION, now=now)
        refuse(sales_checkout.checkout, db, cora, first,
               [Tender("comp", total, reason=number)],
               station=STATION, now=now)
    order = sales_checkout.checkout(db, sam, first,
                                    [Tender("cash", total // 2), visa(total - total // 2)],
                            station=STATION, now=now)
    ticket = order.tickets[0].id
    for reason in (CARD, f"customer read out {PLAIN_CARD}"):
        refuse(aftersale.refund, db, cora, order.id, reason=reason, station=STATION, now=now)
        refuse(aftersale.void, db, cora, order.id, reason=reason, station=STATION, now=now,
               zone=ZONE)
        refuse(aftersale.reprint, db, cora, ticket, reason=reason, now=now)
        swap = cart(seats[2])
        refuse(aftersale.exchange, db, cora, order.id, [ticket], swap, [], reason=reason,
               station=STATION, now=now)
        carts.cancel_cart(db, sam, swap, now)
    # a lost terminal answer, resolved with a "code" that is a card number
    lost_cart = cart(seats[3])
    lost_total = carts.view_cart(db, lost_cart).total_cents
    pending = sales_checkout.checkout(db, sam, lost_cart, [Tender(
        "card", lost_total, card_brand="VISA", card_last4="1111", status="unknown")],
        station=STATION, now=now)
    refuse(sales_checkout.resolve_card_payment, db, cora, pending.payments[0].id, approved=True,
           approval_code=PLAIN_CARD, station=STATION, now=now, hold=HOLD)
    sales_checkout.resolve_card_payment(db, cora, pending.payments[0].id, approved=True,
                                approval_code="OK42", station=STATION, now=now, hold=HOLD)
    # a supervisor "name" that is a card number: refused before the override (which is
    # journaled, refused or not) is recorded
    refuse(aftersale.reprint, db, sam, ticket, reason="torn", now=now,
           override=Override(PLAIN_CARD, "3333"))
    # the same inputs without a card number are taken, so the refusals were about it
    aftersale.refund(db, cora, order.id, reason="sick", station=STATION, now=now,
                  ticket_ids=[ticket])
    field_cart = carts.open_cart(db, sam, STATION, now, HOLD)
    places = carts.add_area_places(db, sam, field_cart, match, "FIELD", 2, "ADULT", now, HOLD)
    sales_checkout.checkout(db, sam, field_cart, [Tender("check", places.total_cents,
                                                 check_number="100234")],
                    station=STATION, now=now)
    print(f"\n{refused} card numbers refused")
    assert refused == 6 * 6 + 2 * 4 + 2

    leaks = card_numbers_in(db)
    assert not leaks, leaks
    db.close()


# -- core bugs found by this machine, fixed; kept as regression tests ----------------------

def test_a_kill_reason_refuses_a_card_number(demo_db: Database) -> None:
    cora = get_user(demo_db, "cora")
    show = hall_performance(demo_db)
    seats = inventory.seat_ids_in_range(demo_db, show, "ORCH", "C", 101, 101)
    with pytest.raises(BoxOfficeError) as caught:
        inventory.kill_seats(demo_db, cora, show, seats, f"broken {CARD}", FIXED_NOW)
    assert caught.value.code == "card_number"
    assert card_numbers_in(demo_db, SELLING_TABLES, dump=False) == []


def test_a_hold_code_name_refuses_a_card_number(demo_db: Database) -> None:
    cora = get_user(demo_db, "cora")
    with pytest.raises(BoxOfficeError) as caught:
        inventory.create_hold_code(demo_db, cora, "PRESS2", f"Press {CARD}", "red",
                                   sell_roles=["coordinator"], release_roles=["coordinator"])
    assert caught.value.code == "card_number"
    assert card_numbers_in(demo_db, SELLING_TABLES, dump=False) == []


def test_release_sees_that_a_cart_ran_out(demo_db: Database) -> None:
    sam, cora = get_user(demo_db, "sam"), get_user(demo_db, "cora")
    show = hall_performance(demo_db)
    seat = inventory.find_seat(demo_db, show, "ORCH", "B", 101)
    inventory.hold_seats(demo_db, cora, show, [seat], "WHEEL", FIXED_NOW)
    cart_id = carts.open_cart(demo_db, sam, STATION, FIXED_NOW, HOLD)
    carts.add_seats(demo_db, sam, cart_id, show, [seat], "ADULT", FIXED_NOW, HOLD,
                    from_hold="WHEEL")
    later = FIXED_NOW + HOLD + timedelta(minutes=1)
    assert inventory.seat_states(demo_db, show, later)[seat].state == "held"
    # the map shows the seat back in its hold, but the release is refused as "in a cart"
    inventory.release_seats(demo_db, cora, show, [seat], later)
    assert seat not in inventory.seat_states(demo_db, show, later)


def test_void_after_a_cash_refund_pays_back_only_what_is_left(demo_db: Database) -> None:
    sam, cora = get_user(demo_db, "sam"), get_user(demo_db, "cora")
    show = hall_performance(demo_db)
    seats = inventory.seat_ids_in_range(demo_db, show, "ORCH", "A", 101, 102)
    cart_id = carts.open_cart(demo_db, sam, STATION, FIXED_NOW, HOLD)
    total = carts.add_seats(demo_db, sam, cart_id, show, seats, "ADULT", FIXED_NOW,
                            HOLD).total_cents
    order = sales_checkout.checkout(demo_db, sam, cart_id, [Tender("cash", total)], station=STATION,
                            now=FIXED_NOW)
    order = aftersale.refund(demo_db, cora, order.id, reason="sick", station=STATION,
                          now=FIXED_NOW, ticket_ids=[order.tickets[0].id], to="cash")
    assert order.paid_cents == total // 2 and order.balance_cents == 0
    voided = aftersale.void(demo_db, cora, order.id, reason="wrong night", station=STATION,
                         now=FIXED_NOW, zone=ZONE)
    # today: paid 27,648, refunded 13,824 in cash, then 27,648 reversed: -13,824 paid
    assert voided.paid_cents == 0, [(p.tender, p.amount_cents) for p in voided.payments]
