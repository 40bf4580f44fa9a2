"""Renewing at the window, from the Subscriptions screen: `w` asks for the renewal code
on the subscriber's letter (RN12), says whose seat it holds and what it costs, takes the
payment in the usual dialog, and turns the held seats into the new season's subscription
in one step (`core.sales.renewals.renew`). A refusal (past the deadline, already renewed)
says why and changes nothing."""

from __future__ import annotations

from datetime import timedelta

from core.errors import BoxOfficeError
from core.sales import renewals
from core.sales.renewals import Renewal
from tui.format import local_time
from tui.screens.admin_base import Field, FormModal
from tui.screens.payment import PaymentEntry, PaymentModal, SaleDone
from tui.screens.subscription_passes import PassActions


class RenewalActions(PassActions):
    """The renewal step of the Subscriptions screen (its binding is there)."""

    def action_renew(self, values: dict[str, str] | None = None, problem: str = "") -> None:
        if not self.may("sell"):
            return
        self.app.push_screen(FormModal("Renew a subscription", [
            Field("code", "Renewal code (on the letter)", (values or {}).get("code", ""),
                  placeholder="RN12"),
            Field("delivery", "Tickets: print or will-call",
                  (values or {}).get("delivery", "print")),
        ], problem=problem), self._renewal_found)

    def _renewal_found(self, values: dict[str, str] | None) -> None:
        if values is None:
            return
        app = self.box_office
        delivery = values["delivery"].strip().lower().replace("-", "_")
        try:
            found = renewals.find_renewal(app.db, values["code"])
            if delivery not in ("print", "will_call"):
                raise BoxOfficeError("Tickets: print or will-call", code="bad_delivery")
            if found.status != "offered":
                raise BoxOfficeError(f"{found.hold_code or values['code']} is "
                                     f"{found.status}, not open for renewal",
                                     code="not_offered")
            if found.price_cents is None:
                raise BoxOfficeError(f"package {found.package_code} has no "
                                     f"{found.price_type} price for zone {found.zone}",
                                     code="no_price")
        except BoxOfficeError as error:
            self.action_renew(values, f"{error.message}. Nothing renewed.")
            return
        deadline = local_time(found.deadline, app.config.zone)
        self.say(f"{found.hold_code}: {found.customer_name}, {found.seat_label} "
                 f"({found.package_code}), held until {deadline}.")
        self.app.push_screen(
            PaymentModal(found.price_cents, f"renewal {found.hold_code}: "
                         f"{found.customer_name}, {found.seat_label}"),
            lambda entry: self._renew(found, delivery, entry))

    def _renew(self, found: Renewal, delivery: str, entry: PaymentEntry | None) -> None:
        app = self.box_office
        if entry is None:
            self.say(f"Payment cancelled: {found.hold_code} still holds the seats.")
            return
        try:
            order, made = renewals.renew(
                app.db, app.seller, found.id, entry.tenders, station=app.station,
                now=app.clock(), hold=timedelta(minutes=app.config.sales.cart_hold_minutes),
                delivery=delivery)
        except BoxOfficeError as error:
            self.say(f"Not renewed: {error.message}. Nothing changed.", error=True)
            app.show_error(error)
            return
        cash = any(t.kind == "cash" for t in entry.tenders)
        if delivery == "will_call":
            note = "Tickets wait at will-call; printing the receipt."
            app.print_order(order, receipt=True, kick_drawer=cash, tickets=False)
        else:
            note = "Printing the tickets and the receipt."
            app.print_order(order, receipt=True, kick_drawer=cash)
        self.load()
        self.say(f"{found.hold_code} renewed: subscription #{made} for "
                 f"{found.customer_name}, {found.seat_label}.")
        app.push_screen(SaleDone(order, sum(t.change_cents for t in entry.tenders), note))
