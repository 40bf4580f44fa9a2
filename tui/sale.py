"""The sale in progress at a window: its cart and its customer. It belongs to the window,
not to a screen, so it survives going back to the performance list, an idle lock and a
change of seller."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from core.errors import BoxOfficeError
from core.people.models import User
from core.people.permissions import Override
from core.sales import carts
from core.sales.customers import Customer
from core.sales.models import CartView
from core.store.db import Database


@dataclass(frozen=True)
class Exchange:
    order_id: int
    ticket_ids: tuple[int, ...]
    reason: str
    order_number: str = ""
    override: Override | None = None     # a supervisor's approval, asked when it started


@dataclass
class Sale:
    cart_id: int | None = None
    customer: Customer | None = None
    will_call: bool = False
    # an exchange in progress: the next payment swaps these tickets for the cart's seats
    exchange: Exchange | None = None

    def ensure_cart(self, db: Database, actor: User, station: str,
                    now: datetime, hold: timedelta) -> int:
        """The open cart, or a new one when there is none or it expired."""
        if self.cart_id is not None:
            view = self.view(db)
            if view is not None and view.status == "open" and view.expires_at > now:
                return self.cart_id
            # expired (its seats went back on sale) or closed: start an empty cart
        self.cart_id = carts.open_cart(db, actor, station, now, hold)
        return self.cart_id

    def view(self, db: Database) -> CartView | None:
        if self.cart_id is None:
            return None
        try:
            return carts.view_cart(db, self.cart_id)
        except BoxOfficeError:
            return None

    def start_exchange(self, order_id: int, ticket_ids: Sequence[int], reason: str, *,
                       order_number: str = "", override: Override | None = None) -> None:
        """The seats chosen next replace these tickets of the order (see orders.exchange)."""
        self.exchange = Exchange(order_id, tuple(ticket_ids), reason, order_number, override)

    def clear(self) -> None:
        """After checkout or cancel: the next sale starts empty."""
        self.cart_id = None
        self.customer = None
        self.will_call = False
        self.exchange = None
