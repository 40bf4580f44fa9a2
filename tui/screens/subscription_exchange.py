"""Exchanging a subscriber's ticket from the order (`x` on a subscription's ticket): the
ticket goes for a seat at another performance of the series, under the package's rules
and fee (`core.sales.subscription_exchange`). A supervisor approves first when the
seller may not exchange; then the performance, the seat (blank: the best free in the
subscriber's zone) and the reason; the seat is claimed and what is due shown (the
payment dialog, or a question when nothing is due or money goes back); the swap, the new
ticket and the exchange slip. Esc anywhere lets the claimed seat go and changes
nothing."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import TYPE_CHECKING

from core.errors import BoxOfficeError
from core.limits import parse_whole
from core.money import format_cents
from core.people.permissions import Override
from core.sales import carts, orders, subscription_exchange
from core.sales.models import Order, Ticket
from core.sales.subscription_exchange import ExchangeOffer
from core.sales.tenders import Tender
from core.venue.performances import get_performance
from tui.format import local_time
from tui.screens.admin_base import Field, FormModal
from tui.screens.dialogs import Confirm, approve_first
from tui.screens.payment import PaymentEntry, PaymentModal, SaleDone
from tui.screens.sell_dialogs import Choose

if TYPE_CHECKING:
    from tui.app import BoxOfficeApp


def subscriber_ticket(app: BoxOfficeApp, chosen: Sequence[Ticket],
                      highlighted: Ticket | None, marked: set[int]) -> Ticket | bool | None:
    """The subscriber's ticket to exchange: the one marked, or the highlighted one when
    none is; False when the tickets chosen are no subscriber's (the usual exchange)."""
    subscribed = subscription_exchange.subscribed_tickets(app.db, [t.id for t in chosen])
    if not subscribed:
        return False
    if marked:
        return chosen[0] if len(chosen) == 1 else None
    if highlighted is not None and highlighted.id in subscribed and \
            highlighted.status == "live":
        return highlighted
    return None


class SubscriberExchange:
    """One exchange of a subscriber's ticket, from approval to the printed slip; `done`
    runs after the swap (the order screen reloads)."""

    def __init__(self, app: BoxOfficeApp, order: Order, ticket: Ticket,
                 done: Callable[[], None]) -> None:
        self.app = app
        self.order = order
        self.ticket = ticket
        self.done = done
        self.override: Override | None = None

    def start(self) -> None:
        approve_first(self.app, "exchange", self._approved, what="exchange tickets",
                      title="Exchange")

    def _approved(self, override: Override | None) -> None:
        self.override = override
        app = self.app
        try:
            shows = subscription_exchange.exchange_performances(app.db, self.ticket.id)
        except BoxOfficeError as error:
            app.show_error(error, title="Exchange")
            return
        options = [(str(show), self._when(show) + ("  (this ticket's)"
                                                   if show == self.ticket.performance_id
                                                   else "")) for show in shows]
        app.push_screen(Choose(f"Exchange {self.ticket.label} of "
                               f"{self._when(self.ticket.performance_id)} to which "
                               "performance of the series?", options),
                        lambda show: self._ask({"performance": show}, "") if show else None)

    def _when(self, performance_id: int) -> str:
        show = get_performance(self.app.db, performance_id)
        return (f"#{show.id} {local_time(show.starts_at, self.app.config.zone)} "
                f"{show.event_name[:28]}")

    def _ask(self, values: dict[str, str], problem: str) -> None:
        ticket = self.ticket
        self.app.push_screen(FormModal(
            f"Exchange {ticket.label} of {self._when(ticket.performance_id)} under the "
            "package's rules", [
                Field("performance", "To performance number", values.get("performance", "")),
                Field("seat", "Seat (blank: the best free in their zone)",
                      values.get("seat", ""), placeholder="ORCH-A-110", required=False),
                Field("reason", "Reason", values.get("reason", ""),
                      placeholder="away that week"),
            ], problem=problem), self._typed)

    def _typed(self, values: dict[str, str] | None) -> None:
        if values is None:
            self.app.notify("Exchange cancelled: nothing changed.", title="Exchange")
            return
        app = self.app
        try:
            show = parse_whole(values["performance"], "performance number", minimum=1,
                               code="bad_performance")
            offer = subscription_exchange.offer(
                app.db, app.seller, self.ticket.id, show, seat=values["seat"] or None,
                station=app.station, now=app.clock(),
                hold=timedelta(minutes=app.config.sales.cart_hold_minutes))
        except BoxOfficeError as error:
            self._ask(values, f"{error.message}. Nothing changed.")
            return
        what = (f"{self.ticket.label} at #{self.ticket.performance_id} for "
                f"{offer.seat_label} at #{offer.performance_id}")
        fee = f"exchange fee {format_cents(offer.exchange_fee_cents)}"
        zone = "same zone" if offer.same_zone else f"zone {offer.zone}"
        if offer.due_cents > 0:
            app.push_screen(
                PaymentModal(offer.due_cents, f"exchange {what} ({zone}, {fee})"),
                lambda entry: self._finish(offer, values["reason"], entry))
            return
        back = ("nothing is due" if offer.due_cents == 0 else
                f"{format_cents(-offer.due_cents)} goes back in cash")
        app.push_screen(Confirm(f"Exchange {what} ({zone}, {fee}): {back}. Go ahead?"),
                        lambda yes: self._finish(offer, values["reason"],
                                                 PaymentEntry(()) if yes else None))

    def _finish(self, offer: ExchangeOffer, reason: str, entry: PaymentEntry | None) -> None:
        app = self.app
        if entry is None:
            self._let_go(offer)
            app.notify("Exchange cancelled: nothing changed, the seat is back on sale.",
                       title="Exchange")
            return
        tenders: list[Tender] = list(entry.tenders)
        before = orders.get_order(app.db, self.order.id)
        try:
            after = subscription_exchange.exchange_ticket(
                app.db, app.seller, offer, tenders, reason=reason, station=app.station,
                now=app.clock(), override=self.override)
        except BoxOfficeError as error:
            self._let_go(offer)
            app.show_error(error, title="Exchange")
            return
        app.print_slip(before, after, "exchange")
        self.done()
        app.push_screen(SaleDone(after, sum(t.change_cents for t in tenders),
                                 f"{self.ticket.label} exchanged for {offer.seat_label} at "
                                 f"#{offer.performance_id}. Printing the new ticket and "
                                 "the exchange slip."))

    def _let_go(self, offer: ExchangeOffer) -> None:
        app = self.app
        if carts.view_cart(app.db, offer.cart_id).status == "open":
            carts.cancel_cart(app.db, app.seller, offer.cart_id, app.clock())
