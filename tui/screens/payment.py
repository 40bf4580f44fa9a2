"""Taking payment: a modal with the tenders (split tender allowed) that returns them, then
the order is committed in core, and only then printed, in the printer worker.

Cash shows the change due; a card takes only what the terminal's slip shows (brand, last
4, approval code: core refuses anything that looks like a whole card number); a comp
needs a reason (and a supervisor, for a seller).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from core.errors import BoxOfficeError
from core.money import format_cents, parse_money
from core.people.permissions import Override
from core.sales import aftersale, checkout, models, orders
from core.sales.models import CartView
from core.sales.tenders import CARD_BRANDS, Tender, validate_tender
from tui.screens.dialogs import run_protected
from tui.widgets.cart import countdown

if TYPE_CHECKING:
    from tui.app import BoxOfficeApp

# what each tender's form asks, in order: (field id, placeholder)
FORMS: dict[str, list[tuple[str, str]]] = {
    "cash": [("amount", "Cash handed over")],
    "card": [("brand", "Card brand from the slip (VISA, MC, AMEX, ...)"),
             ("last4", "Last 4 digits"), ("approval", "Approval code"),
             ("amount", "Amount")],
    "check": [("number", "Check number"), ("amount", "Amount")],
    "comp": [("reason", "Why is it complimentary?")],
    "credit": [("amount", "Amount from the customer's account credit")],
}
BRAND_SHORT = {"MC": "MASTERCARD", "V": "VISA", "A": "AMEX", "D": "DISCOVER"}


@dataclass(frozen=True)
class PaymentEntry:
    """What the seller entered: the tenders and where the tickets go."""

    tenders: tuple[Tender, ...]


def describe(tender: Tender) -> str:
    if tender.kind == "cash":
        handed = tender.tendered_cents or tender.amount_cents
        change = f", change {format_cents(tender.change_cents)}" if tender.change_cents else ""
        return f"Cash {format_cents(tender.amount_cents)} (handed {format_cents(handed)}{change})"
    if tender.kind == "card":
        return (f"Card {tender.card_brand} ...{tender.card_last4} approval "
                f"{tender.approval_code}  {format_cents(tender.amount_cents)}")
    if tender.kind == "check":
        return f"Check #{tender.check_number}  {format_cents(tender.amount_cents)}"
    if tender.kind == "credit":
        return f"Account credit  {format_cents(tender.amount_cents)}"
    return f"Comp ({tender.reason})  {format_cents(tender.amount_cents)}"


class PaymentModal(ModalScreen[PaymentEntry | None]):
    CSS_PATH = "payment.tcss"
    AUTO_FOCUS = ""       # the tender keys act on the modal until a form is open
    BINDINGS = [
        Binding("c", "tender('cash')", "Cash", id="payment.cash"),
        Binding("d", "tender('card')", "Card", id="payment.card"),
        Binding("k", "tender('check')", "Check", id="payment.check"),
        Binding("m", "tender('comp')", "Comp", id="payment.comp"),
        Binding("r", "tender('credit')", "Credit", id="payment.credit"),
        Binding("delete,backspace", "remove_last", "Remove last", id="payment.remove"),
        Binding("enter", "confirm", "Confirm", id="payment.confirm"),
        Binding("escape", "back", "Back", id="payment.back"),
    ]

    def __init__(self, due_cents: int, what: str,
                 held: Callable[[], str] | None = None) -> None:
        super().__init__()
        self.total = due_cents
        self.what = what
        self.held = held            # how long the seats stay held, in words
        self.tenders: list[Tender] = []
        self.form: str | None = None

    @property
    def due(self) -> int:
        return self.total - sum(t.amount_cents for t in self.tenders)

    def compose(self) -> ComposeResult:
        with Vertical(id="payment"):
            yield Static(Text(f"Payment: {self.what}", style="bold"), id="payment-title")
            yield Static(id="payment-hold")
            yield Static(id="payment-status")
            yield Static(id="tenders")
            with Vertical(id="tender-form"):
                yield Static(id="form-title")
                for index in range(4):
                    yield Input(id=f"field-{index}")
            yield Static(id="payment-hint")

    def on_mount(self) -> None:
        self.query_one("#tender-form").display = False
        self._show()
        self._tick()
        self.set_interval(1.0, self._tick, name="payment-hold")

    def _tick(self) -> None:
        text = self.held() if self.held is not None else ""
        hold = self.query_one("#payment-hold", Static)
        hold.display = bool(text)
        hold.update(Text(text, style="bold red" if "EXPIRED" in text else "dim"))

    def _show(self, message: str = "", error: bool = False) -> None:
        due = self.due
        status = Text.assemble(("Total ", "dim"), (format_cents(self.total), "bold"),
                               ("   Due ", "dim"),
                               (format_cents(due), "bold reverse" if due else "bold green"))
        change = sum(t.change_cents for t in self.tenders)
        if change:
            status.append("   CHANGE DUE ", style="bold")
            status.append(format_cents(change), style="bold reverse yellow")
        self.query_one("#payment-status", Static).update(status)
        lines = Text()
        for number, tender in enumerate(self.tenders, 1):
            lines.append(f"{number}. {describe(tender)}\n")
        if not self.tenders:
            lines.append("No tender yet.", style="dim")
        self.query_one("#tenders", Static).update(lines)
        hint = Text(message, style="bold red") if error else Text(message)
        if not message:
            hint = Text("c cash  d card  k check  m comp  r credit  Backspace removes the last  "
                        + ("Enter: CONFIRM THE SALE" if due == 0 else "") + "  Esc back",
                        style="dim")
        self.query_one("#payment-hint", Static).update(hint)
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self.form is not None:
            return action == "back"
        if action == "tender":
            return self.due > 0
        if action == "remove_last":
            return bool(self.tenders)
        if action == "confirm":
            return self.due == 0
        return True

    def action_tender(self, kind: str) -> None:
        self.form = kind
        fields = FORMS[kind]
        self.query_one("#form-title", Static).update(
            Text(f"{kind.capitalize()}: Enter moves on, Esc cancels this tender", "bold"))
        for index, field in enumerate(self.query("#tender-form Input").results(Input)):
            if index < len(fields):
                field_id, placeholder = fields[index]
                field.placeholder = placeholder
                field.password = False
                field.value = (f"{self.due / 100:.2f}" if field_id == "amount" else "")
                field.display = True
            else:
                field.display = False
        self.query_one("#tender-form").display = True
        first = self.query_one("#field-0", Input)
        first.focus()
        first.action_select_all()
        self.refresh_bindings()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self.form is None:       # a stray Enter after a tender closed: confirm
            self.action_confirm()
            return
        count = len(FORMS[self.form])
        index = int((event.input.id or "field-0").rsplit("-", 1)[1])
        if index < count - 1:
            self.query_one(f"#field-{index + 1}", Input).focus()
            return
        values = {field_id: self.query_one(f"#field-{i}", Input).value.strip()
                  for i, (field_id, _) in enumerate(FORMS[self.form])}
        try:
            tender = self._tender(self.form, values)
            validate_tender(tender)
        except BoxOfficeError as error:
            self._show(error.message[0].upper() + error.message[1:] + ".", error=True)
            return
        self.tenders.append(tender)
        self._close_form()
        self._show()

    def _tender(self, kind: str, values: dict[str, str]) -> Tender:
        due = self.due
        if kind == "comp":
            return Tender("comp", due, reason=values["reason"])
        amount = parse_money(values["amount"])
        if kind == "cash":
            return Tender("cash", min(amount, due), tendered_cents=amount)
        if amount > due:
            raise BoxOfficeError(f"that is more than is due ({format_cents(due)})",
                                 code="overpaid")
        if kind == "check":
            return Tender("check", amount, check_number=values["number"])
        if kind == "credit":         # core checks the customer has that much
            return Tender("credit", amount)
        brand = values["brand"].upper()
        brand = BRAND_SHORT.get(brand, brand)
        brand = next((b for b in CARD_BRANDS if b.startswith(brand)), brand) if brand else ""
        return Tender("card", amount, card_brand=brand, card_last4=values["last4"],
                      approval_code=values["approval"].upper())

    def _close_form(self) -> None:
        self.form = None
        for field in self.query("#tender-form Input").results(Input):
            field.value = ""
        self.query_one("#tender-form").display = False
        self.set_focus(None)

    def action_remove_last(self) -> None:
        if self.tenders:
            self.tenders.pop()
            self._show()

    def action_confirm(self) -> None:
        if self.form is None and self.due == 0:
            self.dismiss(PaymentEntry(tuple(self.tenders)))

    def action_back(self) -> None:
        if self.form is not None:
            self._close_form()
            self._show()
        else:
            self.dismiss(None)


class SaleDone(ModalScreen[None]):
    """The order number and the change due, big enough to read while counting coins."""

    CSS_PATH = "payment.tcss"
    BINDINGS = [Binding("enter,escape,space", "close", "Next sale", id="sale_done.close")]

    def __init__(self, order: models.Order, change_cents: int, note: str) -> None:
        super().__init__()
        self.order = order
        self.change_cents = change_cents
        self.note = note

    def compose(self) -> ComposeResult:
        with Vertical(id="done"):
            items = sum(good.quantity for good in self.order.goods)
            what = ", ".join(([f"{len(self.order.tickets)} ticket(s)"] if self.order.tickets
                              else []) + ([f"{items} item(s)"] if items else []))
            text = Text.assemble(("Order ", "bold"), (self.order.number, "bold reverse"),
                                 f"  {what}\n")
            if self.change_cents:
                text.append("CHANGE DUE ", style="bold")
                text.append(f" {format_cents(self.change_cents)} ", style="bold reverse yellow")
                text.append("\n")
            text.append(self.note + "\n")
            text.append("Enter: next sale", style="dim")
            yield Static(text, id="done-text")

    def action_close(self) -> None:
        self.dismiss(None)


def cart_words(view: CartView) -> str:
    """'2 ticket(s), 3 item(s)': what is being paid for."""
    items = sum(good.quantity for good in view.goods)
    parts = ([f"{view.ticket_count} ticket(s)"] if view.lines else []) + (
        [f"{items} item(s)"] if items else [])
    return ", ".join(parts) or "nothing"


def start_payment(app: BoxOfficeApp, view: CartView, on_finished: Callable[[], None]) -> None:
    """Open the payment modal for the cart; on confirm, commit the order (or the
    exchange), show the change and the order number, and print."""
    exchange = app.sale.exchange
    due = view.total_cents
    what = cart_words(view)
    if exchange is not None:
        old = orders.get_order(app.db, exchange.order_id)
        old_value = sum(t.base_cents + t.fee_cents + t.tax_cents for t in old.tickets
                        if t.id in exchange.ticket_ids and t.status == "live")
        due = max(0, view.total_cents - old_value)
        what = f"exchange into {what} (order {old.number})"

    def paid(entry: PaymentEntry | None) -> None:
        app.end_payment()
        if entry is not None:
            _commit(app, view, entry, on_finished)

    def held() -> str:
        until = app.hold_until
        if until is None:
            return ""
        if until <= app.clock():
            return "HOLD EXPIRED: the seats went back on sale"
        return f"Seats held {countdown(until, app.clock())}"

    app.begin_payment()
    app.push_screen(PaymentModal(due, what, held=held), paid)


def _commit(app: BoxOfficeApp, view: CartView, entry: PaymentEntry,
            on_finished: Callable[[], None]) -> None:
    sale = app.sale
    cart_id = view.id
    exchange = sale.exchange
    customer_id = sale.customer.id if sale.customer else None
    delivery = "will_call" if sale.will_call and view.lines else "print"

    def attempt(override: Override | None) -> models.Order:
        if exchange is not None:
            return aftersale.exchange(app.db, app.seller, exchange.order_id, exchange.ticket_ids,
                                   cart_id, entry.tenders, reason=exchange.reason,
                                   station=app.station, now=app.clock(),
                                   override=override or exchange.override)
        return checkout.checkout(app.db, app.seller, cart_id, entry.tenders,
                               station=app.station, now=app.clock(), customer_id=customer_id,
                               delivery=delivery, override=override)

    before = orders.get_order(app.db, exchange.order_id) if exchange is not None else None

    def done(order: models.Order) -> None:
        change = sum(t.change_cents for t in entry.tenders)
        cash = any(t.kind == "cash" for t in entry.tenders)
        sale.clear()
        if before is not None:
            note = "Printing the new tickets and the exchange slip."
            app.print_slip(before, order, "exchange")
        elif order.status == "pending":
            note = "The card terminal's answer is pending: resolve it in order lookup."
        elif delivery == "will_call":
            note = "Tickets wait at will-call; printing the receipt."
            app.print_order(order, receipt=True, kick_drawer=cash, tickets=False)
        else:
            note = ("Printing the tickets and the receipt." if order.tickets
                    else "Printing the receipt.")
            app.print_order(order, receipt=True, kick_drawer=cash)
        on_finished()
        app.push_screen(SaleDone(order, change, note))

    run_protected(app, attempt, done, title="Payment")
