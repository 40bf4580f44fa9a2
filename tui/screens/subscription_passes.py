"""The flex-pass half of the Subscriptions screen: selling a pass (price type, holder,
payment), redeeming one for seats or general-admission places at a performance, and
taking a redeemed ticket back to its pass. `SubscriptionsScreen` (subscriptions.py)
holds the bindings and the tables; core checks each permission and journals each step."""

from __future__ import annotations

from core.errors import BoxOfficeError
from core.limits import parse_whole
from core.sales import flex
from core.sales.customers import Customer
from core.sales.orders import get_order
from core.venue import pricing
from core.venue import series as series_service
from core.venue.series import Package
from tui.screens.admin_base import AdminSectionScreen, Field, FormModal
from tui.screens.customers import CustomerPicker
from tui.screens.payment import PaymentEntry, PaymentModal, SaleDone


class PassActions(AdminSectionScreen):
    """What a screen listing packages does with flex passes: `selected` is the
    highlighted package, `load` refreshes the lists, `action_sell` asks again."""

    @property
    def selected(self) -> Package | None:
        raise NotImplementedError

    def load(self) -> None:
        raise NotImplementedError

    def action_sell(self, values: dict[str, str] | None = None, problem: str = "") -> None:
        raise NotImplementedError

    def sell_pass(self, package: Package, values: dict[str, str] | None = None,
                  problem: str = "") -> None:
        self.app.push_screen(FormModal(
            f"Sell a {package.code} pass: {package.admissions} admissions, at most "
            f"{package.per_performance} at one performance",
            [Field("type", "Price type", (values or {}).get("type", "ADULT"))],
            problem=problem), lambda typed: self._pass_holder(package, typed))

    def _pass_holder(self, package: Package, values: dict[str, str] | None) -> None:
        if values is None:
            return
        app = self.box_office
        try:
            type_id, _ = pricing.price_type_id(app.db, values["type"])
            price = series_service.get_package_price(app.db, package.id,
                                                     series_service.ANY_ZONE, type_id)
        except BoxOfficeError as error:
            self.action_sell(values, f"Price type: {error.message}. Nothing sold.")
            return

        def pay(person: Customer | None) -> None:
            if person is None:
                self.say("No pass holder chosen: nothing sold.")
                return
            self.app.push_screen(
                PaymentModal(price.total_cents, f"{package.code} pass for {person.name}"),
                lambda entry: self._sell_pass(package, values["type"], person, entry))

        self.app.push_screen(CustomerPicker(), pay)

    def _sell_pass(self, package: Package, price_type: str, person: Customer,
                   entry: PaymentEntry | None) -> None:
        app = self.box_office
        if entry is None:
            self.say("Payment cancelled: nothing sold.")
            return
        try:
            sold = flex.sell_flex_pass(app.db, app.seller, package.id, price_type,
                                       entry.tenders, customer_id=person.id,
                                       station=app.station, now=app.clock())
        except BoxOfficeError as error:
            self.say(f"Not sold: {error.message}. Nothing changed.", error=True)
            app.show_error(error)
            return
        order = get_order(app.db, sold.order_id)
        app.print_order(order, receipt=True, tickets=False,
                        kick_drawer=any(t.kind == "cash" for t in entry.tenders))
        self.load()
        self.say(f"Pass #{sold.id} for {person.name}: {sold.admissions} admissions. "
                 "r redeems it by its number (or its code, scanned).")
        app.push_screen(SaleDone(order, sum(t.change_cents for t in entry.tenders),
                                 f"Pass #{sold.id}: printing the receipt."))

    def action_redeem(self, values: dict[str, str] | None = None, problem: str = "") -> None:
        if self.selected is None or not self.may("sell"):
            return
        values = values or {}
        self.app.push_screen(FormModal("Redeem a flex pass", [
            Field("pass", "Pass number, or scan its code", values.get("pass", "")),
            Field("performance", "Performance number", values.get("performance", "")),
            Field("seats", "Seats, or ga AREA N", values.get("seats", ""),
                  placeholder="ORCH-C-101..102   or   ga FLOOR 2"),
        ], problem=problem), self._redeem)

    def _redeem(self, values: dict[str, str] | None) -> None:
        if values is None:
            return
        app = self.box_office
        try:
            found = flex.find_pass(app.db, values["pass"])
            show = parse_whole(values["performance"], "performance number", minimum=1,
                               code="bad_performance")
            words = values["seats"].split()
            before = {t.id for t in get_order(app.db, found.order_id).tickets}
            if words and words[0].lower() == "ga":
                order = flex.redeem(app.db, app.seller, found.id, show,
                                    area=words[1] if len(words) > 1 else "",
                                    quantity=parse_whole(words[2] if len(words) > 2 else "1",
                                                         "places", minimum=1, code="bad_ga"),
                                    now=app.clock())
            else:
                order = flex.redeem(app.db, app.seller, found.id, show,
                                    seats=values["seats"], now=app.clock())
        except BoxOfficeError as error:
            self.action_redeem(values, f"{error.message}. Nothing redeemed.")
            return
        new = [t.label for t in order.tickets if t.id not in before]
        app.print_order(order, receipt=False)
        self.load()
        self.say(f"Pass #{found.id}: {', '.join(new)} at #{show}; "
                 f"{flex.get_pass(app.db, found.id).left} admission(s) left. Printing.")

    def action_return_admission(self, values: dict[str, str] | None = None,
                                problem: str = "") -> None:
        if self.selected is None or not self.may("refund"):
            return
        values = values or {}
        self.app.push_screen(FormModal("Take a redeemed ticket back to its pass", [
            Field("pass", "Pass number", values.get("pass", "")),
            Field("ticket", "Ticket serial", values.get("ticket", ""),
                  placeholder="T00000012"),
            Field("reason", "Reason", values.get("reason", "")),
        ], problem=problem), self._return)

    def _return(self, values: dict[str, str] | None) -> None:
        if values is None:
            return
        app = self.box_office
        try:
            found = flex.find_pass(app.db, values["pass"])
            ticket = next((t for t in get_order(app.db, found.order_id).tickets
                           if t.serial == values["ticket"].upper()), None)
            if ticket is None:
                raise BoxOfficeError(f"pass #{found.id} has no ticket "
                                     f"{values['ticket'][:12]}", code="unknown_ticket")
            back = flex.return_admission(app.db, app.seller, ticket.id,
                                         reason=values["reason"], now=app.clock())
        except BoxOfficeError as error:
            self.action_return_admission(values, f"{error.message}. Nothing changed.")
            return
        self.load()
        self.say(f"{ticket.serial} back to pass #{back.id}: its code no longer scans, "
                 f"{back.left} admission(s) left.")

