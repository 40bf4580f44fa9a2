"""Renewing at the window, on the Subscriptions and Renewals screens: `w` asks for the
renewal code on the subscriber's letter (RN12), or, left blank, finds the subscriber (the
customer search) and their open renewals; it says whose seat it holds and what it costs,
takes the payment in the usual dialog, and turns the held seats into the new season's
subscription in one step (`core.sales.renewals.renew`). `f` rolls the highlighted
series forward to next season's performances (`roll_forward`) and opens its renewals. A
refusal (past the deadline, already renewed) says why and changes nothing."""

from __future__ import annotations

from datetime import timedelta

from core.errors import BoxOfficeError
from core.limits import parse_whole
from core.sales import renewals
from core.sales.customers import Customer
from core.sales.renewal_lookup import customer_renewals
from core.sales.renewals import Renewal
from tui.format import local_time
from tui.screens.admin_base import AdminSectionScreen, Field, FormModal, parse_local_time
from tui.screens.customers import CustomerPicker
from tui.screens.payment import PaymentEntry, PaymentModal, SaleDone
from tui.screens.sell_dialogs import Choose


class RenewalActions(AdminSectionScreen):
    """Renewing and rolling forward; `load` refreshes the screen's lists, and
    `series_to_roll` names the series `f` rolls forward (None: the screen has none)."""

    def load(self) -> None:
        raise NotImplementedError

    def series_to_roll(self) -> int | None:
        return None

    def show_renewals(self, series_id: int) -> None:
        raise NotImplementedError

    # -- renewing --------------------------------------------------------------------

    def action_renew(self, values: dict[str, str] | None = None, problem: str = "") -> None:
        if not self.may("sell"):
            return
        self.app.push_screen(FormModal("Renew a subscription", [
            Field("code", "Renewal code (blank: find the subscriber)",
                  (values or {}).get("code", ""), placeholder="RN12", required=False),
            Field("delivery", "Tickets: print or will-call",
                  (values or {}).get("delivery", "print")),
        ], problem=problem), self._renewal_typed)

    def _renewal_typed(self, values: dict[str, str] | None) -> None:
        if values is None:
            return
        delivery = values["delivery"].strip().lower().replace("-", "_")
        if delivery not in ("print", "will_call"):
            self.action_renew(values, "Tickets: print or will-call. Nothing renewed.")
            return
        if values["code"]:
            try:
                found = renewals.find_renewal(self.box_office.db, values["code"])
            except BoxOfficeError as error:
                self.action_renew(values, f"{error.message}. Nothing renewed.")
                return
            self.renew_found(found, delivery, values)
            return
        self.app.push_screen(CustomerPicker(),
                             lambda person: self._subscriber_chosen(person, delivery))

    def _subscriber_chosen(self, person: Customer | None, delivery: str) -> None:
        if person is None:
            self.say("No subscriber chosen: nothing renewed.")
            return
        app = self.box_office
        found = customer_renewals(app.db, person.id)
        if not found:
            self.say(f"{person.name} has no renewal open (none offered, or renewed or "
                     "released already).", error=True)
            return
        if len(found) == 1:
            self.renew_found(found[0], delivery)
            return
        by_code = {r.hold_code or "": r for r in found}
        self.app.push_screen(
            Choose(f"{person.name}: which renewal?",
                   [(code, f"{code}  {r.package_code} {r.seat_label}  by "
                           f"{local_time(r.deadline, app.config.zone)}")
                    for code, r in by_code.items()]),
            lambda code: self.renew_found(by_code[code], delivery) if code else None)

    def renew_found(self, found: Renewal, delivery: str,
                    values: dict[str, str] | None = None) -> None:
        """Check the renewal can be renewed, say whose seat it holds, take the payment."""
        app = self.box_office
        try:
            if found.status != "offered":
                raise BoxOfficeError(f"{found.hold_code or 'RN' + str(found.id)} is "
                                     f"{found.status}, not open for renewal",
                                     code="not_offered")
            if found.price_cents is None:
                raise BoxOfficeError(f"package {found.package_code} has no "
                                     f"{found.price_type} price for zone {found.zone}",
                                     code="no_price")
        except BoxOfficeError as error:
            if values is not None:
                self.action_renew(values, f"{error.message}. Nothing renewed.")
            else:
                self.say(f"Not renewed: {error.message}.", error=True)
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

    # -- rolling forward ---------------------------------------------------------------

    def action_roll_forward(self, values: dict[str, str] | None = None,
                            problem: str = "") -> None:
        series_id = self.series_to_roll()
        if series_id is None or not self.may("event_setup"):
            return
        values = values or {}
        self.app.push_screen(FormModal(f"Roll series #{series_id} forward: next season", [
            Field("name", "Name of next season's series", values.get("name", ""),
                  placeholder="Opera season 2028"),
            Field("season", "Season", values.get("season", ""), placeholder="2028",
                  required=False),
            Field("performances", "Next season's performance numbers",
                  values.get("performances", ""), placeholder="21, 22, 23"),
            Field("deadline", "Renew by (venue time)", values.get("deadline", ""),
                  placeholder="2027-08-31 17:00"),
        ], problem=problem), lambda typed: self._roll_forward(series_id, typed))

    def _roll_forward(self, series_id: int, values: dict[str, str] | None) -> None:
        if values is None:
            return
        app = self.box_office
        try:
            numbers = [parse_whole(part, "performance number", minimum=1,
                                   code="bad_performances")
                       for part in values["performances"].replace(",", " ").split()]
            try:
                deadline = parse_local_time(values["deadline"], app.config.zone)
            except BoxOfficeError as error:
                self.action_roll_forward(values, f"Renew by: {error.message}. Nothing made.")
                return
            result = renewals.roll_forward(app.db, app.seller, series_id, values["name"],
                                           numbers, season=values["season"],
                                           deadline=deadline, now=app.clock())
        except BoxOfficeError as error:
            self.action_roll_forward(values, f"{error.message}. Nothing made.")
            return
        self.load()
        self.show_renewals(result.series.id)
        unseated = (f"; no seat to hold for {len(result.unseated)}: "
                    + ", ".join(result.unseated[:3]) if result.unseated else "")
        self.box_office.notify(f"Series #{result.series.id} {result.series.name}: "
                               f"{result.offered} renewal(s) held{unseated}.",
                               title="Rolled forward")
