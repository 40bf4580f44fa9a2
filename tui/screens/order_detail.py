"""One order: its customer, tickets, payments and will-call state, and what can be done to
it. Each action is a key that shows in the footer only when it can apply to this order.

Refund, void and reprint are protected: they run through `run_protected`, so a seller
without the permission gets the supervisor override dialog (core checks and journals it).
Space marks tickets, and goods lines (asking how many); refund then acts on the marked
ones only (with none marked: everything, goods included), exchange on marked tickets
(a subscriber's ticket, one at a time, under its package's rules and fee:
tui/screens/subscription_exchange.py).
"""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Static

from core.errors import BoxOfficeError
from core.money import format_cents
from core.people.permissions import Override
from core.sales import aftersale, customer_orders, lookup, orders
from core.sales.lookup import OrderDetail
from core.sales.models import Order, OrderGood, Ticket
from tui.format import local_time
from tui.printing import PrintResult
from tui.screens.base import BoxOfficeScreen
from tui.screens.dialogs import AskText, Confirm, approve_first, run_protected
from tui.screens.goods_orders import ask_how_many, goods_row, refund_plan
from tui.screens.order_text import (
    customer_line,
    order_status,
    payment_line,
    seat_label,
    state_line,
    ticket_count,
    ticket_labels,
)
from tui.screens.reservation_pay import (
    plan_line,
    reservation_line,
    take_instalment,
    take_payment,
)
from tui.screens.subscription_exchange import SubscriberExchange, subscriber_ticket

CLOSED = ("voided", "cancelled", "pending")


class OrderDetailScreen(BoxOfficeScreen[None]):
    CSS_PATH = "orders.tcss"
    AUTO_FOCUS = "#tickets"
    BINDINGS = [
        Binding("escape", "back", "Back", id="order.back"),
        # another lookup is the one this order came from, not a new one on top of it
        Binding("ctrl+o", "back", "Orders", show=False, id="order.lookup"),
        Binding("space", "mark", "Mark", id="order.mark"),
        Binding("r", "refund", "Refund", id="order.refund"),
        Binding("v", "void", "Void", id="order.void"),
        Binding("p", "reprint", "Reprint", id="order.reprint"),
        Binding("w", "pickup", "Pick up", id="order.pickup"),
        Binding("t", "print", "Print", id="order.print"),
        Binding("x", "exchange", "Exchange", id="order.exchange"),
        Binding("u", "customer", "Customer", id="order.customer"),
        Binding("a", "settle_card", "Settle card", id="order.settle_card"),
        Binding("k", "case", "Case", id="order.case"),
        Binding("y", "pay_reservation", "Take payment", id="order.pay_reservation"),
    ]

    def __init__(self, order_id: int, *, note: str = "", ticket_id: int | None = None) -> None:
        super().__init__()
        self.order_id = order_id
        self.note = note
        self.start_ticket = ticket_id
        self.marked: set[int] = set()
        self.marked_goods: dict[int, int] = {}      # order goods line -> how many
        self.detail: OrderDetail | None = None
        self._seen_print: PrintResult | None = None

    def compose(self) -> ComposeResult:
        yield Static("", id="heading")
        yield Static("", id="customer")
        yield Static("", id="state")
        yield Static("", id="shows")
        yield DataTable(id="tickets", cursor_type="row", zebra_stripes=False)
        yield Static("", id="payments")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        table = self.query_one("#tickets", DataTable)
        table.add_column(" ", key="mark")
        table.add_columns("Ticket", "Seat", "Type", "Status", "Printed", "When")
        self._seen_print = self.box_office.last_print
        self.reload()
        if self.start_ticket is not None and self.detail is not None:
            ids = [t.id for t in self.detail.order.tickets]
            if self.start_ticket in ids:
                table.move_cursor(row=ids.index(self.start_ticket))
        # a print job finishes in a worker: show its tickets as printed when it does
        self.set_interval(0.3, self._check_print)

    # -- showing the order -------------------------------------------------------------

    def reload(self) -> None:
        app = self.box_office
        try:
            self.detail = lookup.order_detail(app.db, self.order_id)
        except BoxOfficeError as error:
            app.show_error(error)
            return
        detail = self.detail
        order = detail.order
        zone = app.config.zone
        heading = Text.assemble(("Order ", "bold"), (order.number, "bold"), "  ")
        heading.append_text(order_status(order))
        heading.append(f"  {local_time(order.created_at, zone)}  {detail.seller} at "
                       f"{detail.station}")
        self.query_one("#heading", Static).update(heading)
        self.query_one("#customer", Static).update(customer_line(detail))
        state = state_line(detail, zone, self.note)
        if order.status == "reserved":
            state.append("\n" + reservation_line(app, order.id), style="bold")
        elif order.status in ("deposit", "cancelled") and plan_line(app, order.id):
            state.append("\n" + plan_line(app, order.id), style="bold")
        self.query_one("#state", Static).update(state)
        shows = sorted(detail.performances.values(), key=lambda show: show.starts_at)
        self.query_one("#shows", Static).update(Text("; ".join(
            f"{show.event_name} {local_time(show.starts_at, zone)}" for show in shows)))
        table = self.query_one("#tickets", DataTable)
        row = table.cursor_row
        table.clear()
        live = {t.id for t in order.tickets if t.status == "live"}
        self.marked &= live
        kept = {g.id: g.kept for g in order.goods}
        self.marked_goods = {k: min(v, kept[k]) for k, v in self.marked_goods.items()
                             if kept.get(k)}
        for ticket in order.tickets:
            show = detail.performances.get(ticket.performance_id)
            when = show.starts_at.astimezone(zone).strftime("%a %d %b %H:%M") if show else ""
            status = Text(ticket.status.upper(), style="" if ticket.status == "live"
                          else "bold reverse")
            table.add_row("*" if ticket.id in self.marked else " ", ticket.serial,
                          seat_label(ticket), ticket.price_type, status,
                          "yes" if ticket.printed else "NO", when,
                          key=str(ticket.id))
        for good in order.goods:
            table.add_row(*goods_row(good, self.marked_goods.get(good.id)), key=f"g{good.id}")
        if table.row_count:
            table.move_cursor(row=min(row, table.row_count - 1))
        lines = [payment_line(p) for p in order.payments] or [Text("  no payments")]
        self.query_one("#payments", Static).update(
            Text("Payments\n", style="bold") + Text("\n").join(lines))
        self.refresh_bindings()

    def _check_print(self) -> None:
        if self.box_office.last_print is not self._seen_print:
            self._seen_print = self.box_office.last_print
            self.reload()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self.refresh_bindings()

    # -- which actions apply -------------------------------------------------------------

    @property
    def order(self) -> Order | None:
        return None if self.detail is None else self.detail.order

    def highlighted(self) -> Ticket | None:
        order = self.order
        table = self.query_one("#tickets", DataTable)
        if order is None or not order.tickets or table.cursor_row >= len(order.tickets):
            return None
        return order.tickets[table.cursor_row]

    def highlighted_good(self) -> OrderGood | None:
        order = self.order
        if order is None:
            return None
        row = self.query_one("#tickets", DataTable).cursor_row - len(order.tickets)
        return order.goods[row] if 0 <= row < len(order.goods) else None

    def chosen(self) -> list[Ticket]:
        """The marked live tickets, or all live tickets when none is marked."""
        order = self.order
        live = [t for t in order.tickets if t.status == "live"] if order else []
        return [t for t in live if t.id in self.marked] or live

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        order = self.order
        if order is None or action == "back":
            return action == "back" or None
        live = any(t.status == "live" for t in order.tickets)
        open_order = order.status not in CLOSED
        ticket = self.highlighted()
        zone = self.box_office.config.zone
        if action in ("mark", "refund"):
            return (live or any(g.kept for g in order.goods)) and open_order
        if action == "case":
            return self.box_office.may("cases")
        if action == "void":
            today = self.box_office.clock().astimezone(zone).date()
            return (open_order and order.status != "reserved"
                    and order.created_at.astimezone(zone).date() == today)
        if action == "reprint":
            return open_order and ticket is not None and ticket.status == "live"
        if action == "pickup":
            return self.detail is not None and self.detail.will_call_waiting
        if action == "print":
            return (open_order and self.detail is not None
                    and not self.detail.will_call_waiting
                    and any(t.status == "live" and not t.printed for t in order.tickets))
        if action == "exchange":
            return live and order.status == "complete"
        if action == "customer":
            return self.detail is not None and self.detail.customer is not None
        if action == "pay_reservation":
            return order.status == "reserved" or (order.status == "deposit" and
                                                  "y takes" in plan_line(self.box_office,
                                                                         order.id))
        if action == "settle_card":
            return any(p.status == "unknown" for p in order.payments)
        return True

    # -- the actions ---------------------------------------------------------------------

    def action_back(self) -> None:
        self.dismiss(None)

    def action_mark(self) -> None:
        good = self.highlighted_good()
        if good is not None:
            self._mark_good(good)
            return
        ticket = self.highlighted()
        if ticket is None or ticket.status != "live":
            self.notify("Only a live ticket can be marked.", severity="warning")
            return
        self.marked ^= {ticket.id}
        table = self.query_one("#tickets", DataTable)
        table.update_cell(str(ticket.id), "mark", "*" if ticket.id in self.marked else " ")
        table.move_cursor(row=table.cursor_row + 1)

    def _mark_good(self, good: OrderGood) -> None:
        table = self.query_one("#tickets", DataTable)
        row = table.cursor_row

        def marked(quantity: int) -> None:
            self.marked_goods[good.id] = quantity
            table.update_cell(f"g{good.id}", "mark", f"*{quantity}", update_width=True)
            table.move_cursor(row=row + 1)

        if good.id in self.marked_goods:
            del self.marked_goods[good.id]
            table.update_cell(f"g{good.id}", "mark", " ")
            table.move_cursor(row=row + 1)
        elif not good.kept:
            self.notify("All of it is back already: nothing to mark.", severity="warning")
        else:
            ask_how_many(self.box_office, good, marked)

    def _ask(self, question: str, then: Callable[[str], None]) -> None:
        def answered(reason: str | None) -> None:
            if reason:
                then(reason)

        self.app.push_screen(AskText(question, placeholder="Reason"), answered)

    def action_refund(self) -> None:
        order = self.order
        if order is None:
            return
        app = self.box_office
        plan = refund_plan(order, self.marked, self.marked_goods, seat_label)
        if plan is None:
            return
        ids, goods, what = plan.ticket_ids, plan.goods, plan.what

        def approved(first: Override | None) -> None:
            def refund(reason: str) -> None:
                run_protected(app, lambda override: aftersale.refund(
                    app.db, app.seller, order.id, reason=reason, station=app.station,
                    now=app.clock(), ticket_ids=ids, goods=goods,
                    override=override or first, provider=app.card_provider(),
                    zone=app.config.zone),
                    lambda done: self._done(order, done, f"Refunded {what} of order "
                                             f"{order.number}", "refund"), title="Refund")

            self._ask(f"Refund {what} ({plan.shown}), worth "
                      f"{format_cents(plan.worth_cents)}, to the original tender. Why?",
                      refund)

        approve_first(app, "refund", approved, what="refund", title="Refund")

    def action_void(self) -> None:
        order = self.order
        if order is None:
            return
        app = self.box_office

        items = (" and its items go back into stock" if any(g.kept for g in order.goods)
                 else "")

        def approved(first: Override | None) -> None:
            def void(reason: str) -> None:
                run_protected(app, lambda override: aftersale.void(
                    app.db, app.seller, order.id, reason=reason, station=app.station,
                    now=app.clock(), zone=app.config.zone, override=override or first),
                    lambda done: self._done(order, done, f"Voided order {order.number}",
                                             "void"),
                    title="Void")

            self._ask(f"Void order {order.number}: every payment goes back and every "
                      f"ticket stops admitting{items}. Why?", void)

        approve_first(app, "void", approved, what="void an order", title="Void")

    def action_reprint(self) -> None:
        ticket = self.highlighted()
        if ticket is None:
            return
        app = self.box_office

        def reprinted(_: Ticket) -> None:
            self.reload()
            if self.order is not None:
                app.notify(f"{ticket.serial} reissued: the old copy no longer admits. "
                           "Printing the new one.", title="Reprint")
                app.print_order(self.order, receipt=False)

        def reprint(reason: str) -> None:
            run_protected(app, lambda override: aftersale.reprint(
                app.db, app.seller, ticket.id, reason=reason, now=app.clock(),
                override=override), reprinted, title="Reprint")

        self._ask(f"Reprint {ticket.serial} ({seat_label(ticket)}): the copy the customer "
                  "has stops admitting. Why?", reprint)

    def action_settle_card(self) -> None:
        """A card payment whose terminal answer was lost: settle it from the terminal's
        journal (approved, with its code; or declined, and the seats go back on sale)."""
        order = self.order
        pending = [p for p in order.payments if p.status == "unknown"] if order else []
        if not pending:
            return
        payment = pending[0]
        self.app.push_screen(AskText(
            f"Card payment of {format_cents(payment.amount_cents)}: look it up in the card "
            "terminal's journal. Approved: type its approval code. Not there or declined: "
            "type DECLINED.", placeholder="approval code, or DECLINED"),
            lambda answer: self._settle_card(payment.id, answer))

    def _settle_card(self, payment_id: int, answer: str | None) -> None:
        from datetime import timedelta

        from core.sales import checkout

        if not answer:
            return
        app = self.box_office
        declined = answer.strip().upper() == "DECLINED"
        hold = timedelta(minutes=app.config.sales.cart_hold_minutes)

        def settle(override: Override | None) -> Order:
            return checkout.resolve_card_payment(
                app.db, app.seller, payment_id, approved=not declined,
                approval_code=None if declined else answer.strip(), station=app.station,
                now=app.clock(), hold=hold, release=True, override=override)

        def done(order: Order) -> None:
            self.reload()
            app.notify(f"Order {order.number} is {order.status}: " + (
                "the card was declined and its seats are back on sale." if declined else
                "the card is approved."), title="Card payment settled")

        run_protected(app, settle, done, title="Card payment")

    def action_pay_reservation(self) -> None:
        order = self.order
        if order is not None and order.status == "deposit":
            take_instalment(self.box_office, self.order_id, self.reload)
        else:
            take_payment(self.box_office, self.order_id, self.reload)

    def action_case(self) -> None:
        """Log an inquiry or complaint about this order (F8 lists the cases)."""
        from tui.screens.cases import CasesScreen

        if self.order is not None:
            self.app.push_screen(CasesScreen(order_number=self.order.number))

    def action_customer(self) -> None:
        if self.detail is not None and self.detail.customer is not None:
            self.box_office.show_customer(self.detail.customer.id)

    def action_pickup(self) -> None:
        order, detail = self.order, self.detail
        if order is None or detail is None:
            return
        app = self.box_office
        who = detail.customer.name if detail.customer else "the customer"
        live = [t for t in order.tickets if t.status == "live"]

        def confirmed(yes: bool | None) -> None:
            if not yes:
                return
            try:
                customer_orders.mark_picked_up(app.db, app.seller, order.id, now=app.clock())
            except BoxOfficeError as error:
                app.show_error(error, title="Will-call")
                return
            self.reload()
            if self.order is not None:
                # the receipt again: the customer collects the tickets and what they paid
                app.print_order(self.order, receipt=True)

        warning = ("  Money is still owed on it." if order.balance_cents > 0 else "")
        self.app.push_screen(Confirm(f"Hand {ticket_count(live)} of order {order.number} to "
                                     f"{who}?{warning}"), confirmed)

    def action_print(self) -> None:
        if self.order is None:
            return
        app = self.box_office
        try:   # a printed code is a ticket handed out: it needs `sell` (gate staff lack it)
            orders.authorize_codes(app.db, app.seller)
        except BoxOfficeError as error:
            app.show_error(error, title="Print")
            return
        app.print_order(self.order, receipt=False)

    def action_exchange(self) -> None:
        order, tickets = self.order, self.chosen()
        if order is None or not tickets:
            return
        app = self.box_office
        subscriber = subscriber_ticket(app, tickets, self.highlighted(), self.marked)
        if subscriber is None:
            app.notify("A subscriber's ticket is exchanged one at a time: highlight it (or "
                       "mark just that one), then x.", severity="warning", title="Exchange")
            return
        if isinstance(subscriber, Ticket):
            SubscriberExchange(app, order, subscriber, self._exchanged).start()
            return
        cart = app.sale.view(app.db)
        if (cart is not None and cart.status == "open" and not cart.empty
                and cart.expires_at > app.clock()):
            app.notify("A sale is in progress at this window: finish or cancel it, then "
                       "exchange.", severity="warning", title="Exchange")
            return

        def approved(first: Override | None) -> None:
            def exchange(reason: str) -> None:
                app.sale.start_exchange(order.id, [t.id for t in tickets], reason,
                                        order_number=order.number, override=first)
                app.notify(f"Exchanging {ticket_count(tickets)} of order {order.number}: "
                           "choose the new seats, then take the difference.",
                           title="Exchange")
                app.action_performances()

            self._ask(f"Exchange {ticket_count(tickets)} ({ticket_labels(tickets)}) for new "
                      "seats. Why?", exchange)

        approve_first(app, "exchange", approved, what="exchange tickets", title="Exchange")

    def _exchanged(self) -> None:
        self.marked.clear()
        self.reload()

    def _done(self, before: Order, after: Order, what: str, kind: str) -> None:
        self.marked.clear()
        self.marked_goods.clear()
        self.reload()
        back = before.paid_cents - after.paid_cents
        self.box_office.notify(f"{what}: {format_cents(back)} paid back.", title="Done")
        self.box_office.print_slip(before, after, kind)
