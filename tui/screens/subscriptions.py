"""Subscriptions (command palette): series of performances, their fixed packages, and
selling a subscription at the window.

Every package with its series, performances, prices and subscriptions (or passes) sold;
the highlighted package's subscribers (or pass holders) below. `n` defines a series (a
name, a season, the performance numbers), `p` a package on the highlighted series (fixed,
or a flex pass of N admissions), `$` a package price for a zone and price type (fee and
tax default to the config's; a flex pass's zone is ANY), `s` sells: for a fixed package
the seats (or the best N free at every performance), then the subscriber, then the
payment, as any sale; for a flex pass the price type, the holder and the payment. `r`
redeems a pass for seats or places at a performance, `x` takes a redeemed ticket back to
its pass; `w` renews a subscription by the renewal code on its letter (or finds the
subscriber), `f` rolls the highlighted series forward to next season and `e` opens a
season's renewals (tui/screens/renewals.py: letters, seat changes, releasing, the rate).
Core checks each permission and journals each step; a refusal says why and changes
nothing."""

from __future__ import annotations

from datetime import timedelta

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from core.errors import BoxOfficeError
from core.limits import parse_whole
from core.money import format_cents, parse_money
from core.sales import carts, flex, subscription_exchange, subscriptions
from core.sales.customers import Customer
from core.sales.models import CartView
from core.venue import pricing
from core.venue import series as series_service
from core.venue.series import Package
from tui.screens.admin_base import Field, FormModal
from tui.screens.customers import CustomerPicker
from tui.screens.package_map import PackageMapScreen
from tui.screens.payment import PaymentEntry, PaymentModal, SaleDone
from tui.screens.renewals import RenewalsScreen
from tui.screens.subscription_passes import PassActions
from tui.screens.subscription_renewals import RenewalActions
from tui.widgets.keyline import KeyLine


class SubscriptionsScreen(RenewalActions, PassActions):
    CSS_PATH = "subscriptions.tcss"
    AUTO_FOCUS = "#packages"
    BINDINGS = [
        Binding("s", "sell", "Sell", id="subscriptions.sell"),
        Binding("n", "new_series", "New series", id="subscriptions.new_series"),
        Binding("p", "new_package", "Package", id="subscriptions.new_package"),
        Binding("dollar_sign", "price", "Price", id="subscriptions.price"),
        Binding("r", "redeem", "Redeem", id="subscriptions.redeem"),
        Binding("x", "return_admission", "Return", id="subscriptions.return"),
        Binding("w", "renew", "Renew", id="subscriptions.renew"),
        Binding("f", "roll_forward", "Roll forward", id="subscriptions.roll_forward"),
        Binding("e", "renewals", "Renewals", id="subscriptions.renewals"),
        Binding("escape", "back", "Back", id="subscriptions.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.packages: list[Package] = []

    def compose(self) -> ComposeResult:
        yield Static(Text.assemble(("Subscriptions", "bold"),
                                   "  series, packages and their subscribers"), id="heading")
        yield DataTable(id="packages", cursor_type="row", zebra_stripes=True)
        yield Static(id="prices")
        yield DataTable(id="subscribers", cursor_type="row", zebra_stripes=True)
        yield Static(id="info")
        yield KeyLine()

    def on_mount(self) -> None:
        self.query_one("#packages", DataTable).add_columns(
            "Series", "Season", "Shows", "Package", "Name", "Sold")
        self.query_one("#subscribers", DataTable).add_columns(
            "Seat/pass", "Zone", "Type", "Subscriber", "Order", "Live/left")
        self.load()
        if not self.packages:
            self.say("No package yet: n defines a series, then p a package on it.")

    def load(self) -> None:
        db = self.box_office.db
        table = self.query_one("#packages", DataTable)
        row = table.cursor_row
        table.clear()
        names = {s.id: s for s in series_service.list_series(db)}
        self.packages = series_service.list_packages(db)
        sold: dict[int, int] = {}
        for line in subscriptions.list_subscriptions(db):
            sold[line.package_id] = sold.get(line.package_id, 0) + 1
        for one in flex.list_passes(db):
            sold[one.package_id] = sold.get(one.package_id, 0) + 1
        for package in self.packages:
            made = names[package.series_id]
            kind = (f" ({package.admissions}x)" if package.kind == "flex" else "")
            table.add_row(f"#{made.id} {made.name[:18]}", made.season[:8],
                          str(len(made.performance_ids)), package.code + kind,
                          package.name[:18], str(sold.get(package.id, 0)),
                          key=str(package.id))
        if self.packages:
            table.move_cursor(row=min(max(row, 0), len(self.packages) - 1))
        self.show_package()
        self.refresh_bindings()

    @property
    def selected(self) -> Package | None:
        row = self.query_one("#packages", DataTable).cursor_row
        return self.packages[row] if self.packages and 0 <= row < len(self.packages) else None

    def show_package(self) -> None:
        package, db = self.selected, self.box_office.db
        subscribers = self.query_one("#subscribers", DataTable)
        subscribers.clear()
        if package is None:
            self.query_one("#prices", Static).update("")
            return
        prices = series_service.package_prices(db, package.id)
        shows = series_service.get_series(db, package.series_id).performance_ids
        fee = subscription_exchange.exchange_fee(db, package.id)
        self.query_one("#prices", Static).update(
            f"Performances {', '.join(f'#{p}' for p in shows)}.  Prices: "
            + ("; ".join(f"{p.zone} {p.price_type} {format_cents(p.total_cents)}"
                         for p in prices) or "none yet ($ sets one)")
            + (f".  Exchange fee {format_cents(fee)}" if fee else ""))
        for line in subscriptions.list_subscriptions(db, package_id=package.id):
            subscribers.add_row(line.seat_label, line.zone, line.price_type,
                                line.customer_name[:22], line.order_number,
                                str(line.live_tickets))
        for one in flex.list_passes(db, package_id=package.id):
            subscribers.add_row(f"pass #{one.id}", "ANY", one.price_type,
                                one.customer_name[:22], one.order_number,
                                "VOIDED" if one.voided else f"{one.left} left")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("sell", "price"):
            return self.selected is not None
        if action in ("redeem", "return_admission"):
            return self.selected is not None and self.selected.kind == "flex"
        if action in ("roll_forward", "renewals"):
            return self.selected is not None
        if action == "new_package":
            return bool(series_service.list_series(self.box_office.db))
        return True

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id == "packages":
            self.show_package()
            self.refresh_bindings()

    def on_screen_resume(self) -> None:
        self.load()

    # -- setting up ----------------------------------------------------------------------

    def action_new_series(self, values: dict[str, str] | None = None,
                          problem: str = "") -> None:
        if not self.may("event_setup"):
            return
        values = values or {}
        self.app.push_screen(FormModal("A new series", [
            Field("name", "Name", values.get("name", ""), placeholder="Opera season"),
            Field("season", "Season", values.get("season", ""), placeholder="2027",
                  required=False),
            Field("performances", "Performance numbers", values.get("performances", ""),
                  placeholder="1, 2, 5"),
        ], problem=problem), self._new_series)

    def _new_series(self, values: dict[str, str] | None) -> None:
        if values is None:
            return
        app = self.box_office
        try:
            numbers = [parse_whole(part, "performance number", minimum=1,
                                   code="bad_performances")
                       for part in values["performances"].replace(",", " ").split()]
            made = series_service.create_series(app.db, app.seller, values["name"], numbers,
                                                season=values["season"], now=app.clock())
        except BoxOfficeError as error:
            self.action_new_series(values, f"{error.message}. Nothing made.")
            return
        self.load()
        self.say(f"Series #{made.id} {made.name}: {len(made.performance_ids)} "
                 "performance(s). p adds a package to it.")

    def action_new_package(self, values: dict[str, str] | None = None,
                           problem: str = "") -> None:
        if not self.may("event_setup"):
            return
        values = values or {"series": str(self.selected.series_id if self.selected else
                                           series_service.list_series(self.box_office.db)[0]
                                           .id)}
        self.app.push_screen(FormModal("A fixed package: one seat at every performance", [
            Field("series", "Series number", values.get("series", "")),
            Field("code", "Code", values.get("code", ""), placeholder="FULL"),
            Field("name", "Name", values.get("name", ""), placeholder="Full season"),
            Field("admissions", "Flex pass: admissions (blank: a fixed seat)",
                  values.get("admissions", ""), required=False),
            Field("per", "Flex pass: at most at one performance",
                  values.get("per", ""), required=False),
        ], problem=problem), self._new_package)

    def _new_package(self, values: dict[str, str] | None) -> None:
        if values is None:
            return
        app = self.box_office
        try:
            series_id = parse_whole(values["series"], "series number", minimum=1,
                                    code="bad_series")
            admissions = (parse_whole(values["admissions"], "admissions", minimum=1,
                                      code="bad_admissions")
                          if values["admissions"] else None)
            per = (parse_whole(values["per"], "at most at one performance", minimum=1,
                               code="bad_admissions") if values["per"] else None)
            made = series_service.create_package(app.db, app.seller, series_id,
                                                 values["code"], values["name"],
                                                 now=app.clock(), admissions=admissions,
                                                 per_performance=per)
        except BoxOfficeError as error:
            self.action_new_package(values, f"{error.message}. Nothing made.")
            return
        self.load()
        self.say(f"Package {made.code} on series #{series_id}: $ sets its prices.")

    def action_price(self, values: dict[str, str] | None = None, problem: str = "") -> None:
        package = self.selected
        if package is None or not self.may("price_change"):
            return
        values = values or {"type": "ADULT",
                            "zone": series_service.ANY_ZONE if package.kind == "flex" else ""}
        self.app.push_screen(FormModal(f"Price of {package.code}, for the whole series", [
            Field("zone", "Zone", values.get("zone", ""), placeholder="A"),
            Field("type", "Price type", values.get("type", "")),
            Field("price", "Price", values.get("price", ""), placeholder="300.00"),
            Field("fee", "Fee (blank: the usual)", values.get("fee", ""), required=False),
            *([Field("exchange", "Exchange fee, the whole package (blank: as it is)",
                     values.get("exchange", ""), required=False)]
              if package.kind == "fixed" else []),
        ], problem=problem), lambda typed: self._price(package, typed))

    def _price(self, package: Package, values: dict[str, str] | None) -> None:
        if values is None:
            return
        app = self.box_office
        try:
            exchange = (parse_money(values["exchange"]) if values.get("exchange")
                        else None)
        except BoxOfficeError as error:
            self.action_price(values, f"Exchange fee: {error.message}. Nothing changed.")
            return
        try:
            price = series_service.set_package_price(
                app.db, app.seller, package.id, values["zone"], values["type"],
                parse_money(values["price"]), defaults=app.config.pricing,
                fee_cents=parse_money(values["fee"]) if values["fee"] else None)
            if exchange is not None:
                subscription_exchange.set_exchange_fee(app.db, app.seller, package.id,
                                                       exchange)
        except BoxOfficeError as error:
            self.action_price(values, f"{error.message}. Nothing changed.")
            return
        self.load()
        self.say(f"{package.code} zone {price.zone} {price.price_type}: "
                 f"{format_cents(price.total_cents)} with fee and tax"
                 + (f"; exchange fee {format_cents(exchange)}." if exchange is not None
                    else "."))

    # -- selling -------------------------------------------------------------------------

    def action_sell(self, values: dict[str, str] | None = None, problem: str = "") -> None:
        package = self.selected
        if package is None or not self.may("sell"):
            return
        if package.kind == "flex":
            self.sell_pass(package, values, problem)
            return
        values = values or {"type": "ADULT", "delivery": "print"}
        self.app.push_screen(FormModal(f"Sell {package.code}: the same seat at every "
                                       "performance", [
            Field("seats", "Seats, best N (and a zone), or blank: the seat map",
                  values.get("seats", ""), placeholder="ORCH-A-101..102   or   best 2 A",
                  required=False),
            Field("type", "Price type", values.get("type", "")),
            Field("delivery", "Tickets: print or will-call", values.get("delivery", "")),
        ], problem=problem), lambda typed: self._claim(package, typed))

    def _claim(self, package: Package, values: dict[str, str] | None) -> None:
        if values is None:
            return
        app = self.box_office
        hold = timedelta(minutes=app.config.sales.cart_hold_minutes)
        delivery = values["delivery"].strip().lower().replace("-", "_")
        if delivery not in ("print", "will_call"):
            self.action_sell(values, "Tickets: print or will-call. Nothing sold.")
            return
        if not values["seats"]:
            self._on_the_map(package, values, delivery)
            return
        cart_id = carts.open_cart(app.db, app.seller, app.station, app.clock(), hold)
        try:
            words = values["seats"].split()
            if words and words[0].lower() == "best":
                count = parse_whole(words[1] if len(words) > 1 else "", "best N", minimum=1,
                                    code="bad_quantity")
                view = subscriptions.add_package_best(
                    app.db, app.seller, cart_id, package.id, count, values["type"],
                    app.clock(), hold, zone=words[2].upper() if len(words) > 2 else None)
            else:
                view = subscriptions.add_package_seats(app.db, app.seller, cart_id,
                                                       package.id, values["seats"],
                                                       values["type"], app.clock(), hold)
        except BoxOfficeError as error:
            carts.cancel_cart(app.db, app.seller, cart_id, app.clock())
            self.action_sell(values, f"Seats: {error.message}. Nothing sold.")
            return
        seats = sorted({line.label for line in view.lines})
        self.say(f"Held at every performance: {', '.join(seats)}. Who subscribes?")
        self.app.push_screen(CustomerPicker(),
                             lambda person: self._pay(package, view, delivery, person))

    def _on_the_map(self, package: Package, values: dict[str, str], delivery: str) -> None:
        """Pick the seats on the map: free only where free at every performance."""
        app = self.box_office
        try:
            pricing.price_type_id(app.db, values["type"])
        except BoxOfficeError as error:
            self.action_sell(values, f"Price type: {error.message}. Nothing sold.")
            return
        cart_id = carts.open_cart(app.db, app.seller, app.station, app.clock(),
                                  timedelta(minutes=app.config.sales.cart_hold_minutes))

        def chosen(view: CartView | None) -> None:
            if view is None:
                self.say("Nothing sold: the seats are back on sale.")
                return
            seats = sorted({line.label for line in view.lines})
            self.say(f"Held at every performance: {', '.join(seats)}. Who subscribes?")
            self.app.push_screen(CustomerPicker(),
                                 lambda person: self._pay(package, view, delivery, person))

        self.app.push_screen(PackageMapScreen(package, values["type"].upper(), cart_id),
                             chosen)

    def _pay(self, package: Package, view: CartView, delivery: str,
             person: Customer | None) -> None:
        app = self.box_office
        if person is None:
            carts.cancel_cart(app.db, app.seller, view.id, app.clock())
            self.say("No subscriber chosen: nothing sold, the seats are back on sale.")
            return
        seats = len({line.label for line in view.lines})
        what = (f"{package.code} for {person.name}: {seats} seat(s) x "
                f"{view.ticket_count // max(seats, 1)} performances")
        self.app.push_screen(PaymentModal(view.total_cents, what),
                             lambda entry: self._sell(view, delivery, person, entry))

    def _sell(self, view: CartView, delivery: str, person: Customer,
              entry: PaymentEntry | None) -> None:
        app = self.box_office
        if entry is None:
            carts.cancel_cart(app.db, app.seller, view.id, app.clock())
            self.say("Payment cancelled: nothing sold, the seats are back on sale.")
            return
        try:
            order, made = subscriptions.sell_subscription(
                app.db, app.seller, view.id, entry.tenders, customer_id=person.id,
                station=app.station, now=app.clock(), delivery=delivery)
        except BoxOfficeError as error:
            if carts.view_cart(app.db, view.id).status == "open":
                carts.cancel_cart(app.db, app.seller, view.id, app.clock())
            self.say(f"Not sold: {error.message}. Nothing changed.", error=True)
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
        self.say(f"Order {order.number}: {len(made)} subscription(s) for {person.name}.")
        app.push_screen(SaleDone(order, sum(t.change_cents for t in entry.tenders), note))

    # -- renewals ------------------------------------------------------------------------

    def series_to_roll(self) -> int | None:
        return self.selected.series_id if self.selected is not None else None

    def show_renewals(self, series_id: int) -> None:
        self.app.push_screen(RenewalsScreen(series_id))

    def action_renewals(self) -> None:
        """The renewals of the highlighted series (a season rolled forward), or of the
        season it was rolled forward to."""
        package = self.selected
        if package is None:
            return
        everything = series_service.list_series(self.box_office.db)
        this = next(s for s in everything if s.id == package.series_id)
        following = next((s for s in everything if s.follows_id == this.id), None)
        if this.follows_id is not None:
            self.show_renewals(this.id)
        elif following is not None:
            self.show_renewals(following.id)
        else:
            self.say(f"Series #{this.id} has no renewals: f rolls it forward to next "
                     "season.", error=True)

    def action_back(self) -> None:
        self.dismiss()
