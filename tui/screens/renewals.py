"""A season's renewals (from Subscriptions, `e`, or straight after `f` rolls a series
forward): every subscriber's renewal with its code, seat, price and status, and the
renewal rate by package and zone below.

`w` renews the highlighted renewal (the code is filled in; blank it to find the
subscriber instead), `u` shows one subscriber's renewals only (the customer search; `u`
again shows everyone), `c` records a seat change request, `l` writes the renewal letters
(one PDF, a letter a page) to `letters/` beside the database, `d` releases the seats of
every renewal past its deadline. Core checks each permission and journals each step."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from core.errors import BoxOfficeError
from core.money import format_cents
from core.reports.letters import renewal_letters
from core.sales import renewals
from core.sales.customers import Customer
from core.sales.renewals import Renewal
from core.venue import series as series_service
from tui.format import local_time
from tui.screens.customers import CustomerPicker
from tui.screens.dialogs import AskText, Confirm
from tui.screens.subscription_renewals import RenewalActions
from tui.widgets.keyline import KeyLine

STATUS_STYLES = {"offered": "", "renewed": "green", "released": "dim", "unseated": "yellow"}


class RenewalsScreen(RenewalActions):
    CSS_PATH = "subscriptions.tcss"
    AUTO_FOCUS = "#renewals"
    BINDINGS = [
        Binding("w", "renew", "Renew", id="renewals.renew"),
        Binding("u", "subscriber", "Subscriber", id="renewals.subscriber"),
        Binding("c", "change", "Seat change", id="renewals.change"),
        Binding("l", "letters", "Letters", id="renewals.letters"),
        Binding("d", "release", "Release unrenewed", id="renewals.release"),
        Binding("escape", "back", "Back", id="renewals.back"),
    ]

    def __init__(self, series_id: int) -> None:
        super().__init__()
        self.series_id = series_id
        self.renewals: list[Renewal] = []
        self.subscriber: Customer | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="heading")
        yield DataTable(id="renewals", cursor_type="row", zebra_stripes=True)
        yield DataTable(id="rates", cursor_type="none", zebra_stripes=True)
        yield Static(id="info")
        yield KeyLine()

    def on_mount(self) -> None:
        self.query_one("#renewals", DataTable).add_columns(
            "Code", "Subscriber", "Package", "Seat", "Price", "Status", "Wants")
        self.query_one("#rates", DataTable).add_columns(
            "Package", "Zone", "Offered", "Renewed", "Open", "Released", "No seat", "Rate")
        self.load()

    def load(self, *, say: bool = True) -> None:
        app = self.box_office
        made = series_service.get_series(app.db, self.series_id)
        everyone = renewals.list_renewals(app.db, self.series_id)
        self.renewals = [r for r in everyone if self.subscriber is None
                         or r.customer_id == self.subscriber.id]
        first = min((r.deadline for r in everyone), default=None)
        heading = Text.assemble(("Renewals", "bold"), f"  #{made.id} {made.name[:26]}",
                                f" {made.season[:8]}")
        if made.follows_id is not None:
            heading.append(f", from #{made.follows_id}")
        if first is not None:
            heading.append(f"; renew by {local_time(first, app.config.zone)}")
        self.query_one("#heading", Static).update(heading)
        table = self.query_one("#renewals", DataTable)
        row = table.cursor_row
        table.clear()
        for r in self.renewals:
            price = format_cents(r.price_cents) if r.price_cents is not None else "-"
            table.add_row(r.hold_code or f"RN{r.id}", r.customer_name[:18], r.package_code,
                          r.seat_label, price, Text(r.status, STATUS_STYLES.get(r.status, "")),
                          r.change_request[:16], key=str(r.id))
        if self.renewals:
            table.move_cursor(row=min(max(row, 0), len(self.renewals) - 1))
        rates = self.query_one("#rates", DataTable)
        rates.clear()
        for rate in renewals.renewal_rates(app.db, self.series_id):
            rates.add_row(rate.package, rate.zone, str(rate.offered), str(rate.renewed),
                          str(rate.open), str(rate.released), str(rate.unseated),
                          f"{rate.rate_percent:.1f}%")
        self.refresh_bindings()
        if not say:
            return
        if not everyone:
            self.say("No renewal in this series: it was not rolled forward from another "
                     "(Subscriptions, f, rolls a series forward).")
        elif self.subscriber is not None:
            self.say(f"{self.subscriber.name}: {len(self.renewals)} renewal(s); u shows "
                     "everyone again.")
        else:
            open_now = sum(1 for r in everyone if r.status == "offered")
            self.say(f"{len(everyone)} renewal(s), {open_now} open. w renews the "
                     "highlighted one; u finds a subscriber.")

    @property
    def highlighted(self) -> Renewal | None:
        row = self.query_one("#renewals", DataTable).cursor_row
        return self.renewals[row] if self.renewals and 0 <= row < len(self.renewals) else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("renew", "change"):
            found = self.highlighted
            return found is not None and found.status == "offered"
        if action == "letters":
            return any(r.status == "offered" for r in self.renewals)
        return True

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.refresh_bindings()

    # -- the actions -------------------------------------------------------------------

    def action_renew(self, values: dict[str, str] | None = None, problem: str = "") -> None:
        found = self.highlighted
        if values is None and found is not None and found.hold_code:
            values = {"code": found.hold_code, "delivery": "print"}
        super().action_renew(values, problem)

    def action_subscriber(self) -> None:
        if self.subscriber is not None:
            self.subscriber = None
            self.load()
            return

        def chosen(person: Customer | None) -> None:
            if person is not None:
                self.subscriber = person
                self.load()

        self.app.push_screen(CustomerPicker(), chosen)

    def action_change(self) -> None:
        found = self.highlighted
        if found is None or not self.may("sell"):
            return
        app = self.box_office

        def record(text: str | None) -> None:
            if text is None:
                return
            self.attempt(lambda: renewals.request_change(app.db, app.seller, found.id, text),
                         done=f"{found.hold_code}: change request recorded for the "
                              "coordinator; the held seat stays as it is.")
            self.load(say=False)

        self.app.push_screen(AskText(f"{found.hold_code} {found.customer_name}, "
                                     f"{found.seat_label}: which seat would they like?",
                                     placeholder="an aisle seat, row C or nearer",
                                     value=found.change_request), record)

    def action_letters(self) -> None:
        app = self.box_office
        made = series_service.get_series(app.db, self.series_id)
        try:
            pdf = renewal_letters(renewals.list_renewals(app.db, self.series_id),
                                  house=app.config.venue.house_name,
                                  house_address=app.config.venue.house_address,
                                  today=app.clock().astimezone(app.config.zone).date(),
                                  zone=app.config.zone, series_name=made.name)
            path = app.save_beside_database("letters", f"renewals-series-{made.id}.pdf", pdf)
        except BoxOfficeError as error:
            self.say(f"Not done: {error.message}", error=True)
            return
        except OSError as error:
            self.say(f"Could not write the letters: {error.strerror}", error=True)
            return
        count = sum(1 for r in renewals.list_renewals(app.db, self.series_id)
                    if r.status == "offered")
        self.say(f"{count} renewal letter(s) written to {path}.")

    def action_release(self) -> None:
        if not self.may("hold"):
            return
        app = self.box_office
        now = app.clock()
        due = [r for r in renewals.list_renewals(app.db, self.series_id)
               if r.status == "offered" and r.deadline <= now]
        if not due:
            self.say("No open renewal is past its deadline: nothing to release.", error=True)
            return

        def release(yes: bool | None) -> None:
            if not yes:
                return
            self.attempt(lambda: renewals.release_unrenewed(app.db, app.seller,
                                                            self.series_id, app.clock()),
                         done=lambda count: f"{count} unrenewed subscription(s) released: "
                                            "their seats are on sale.")
            self.load(say=False)

        self.app.push_screen(Confirm(f"Release {len(due)} unrenewed subscription(s) past "
                                     "their deadline? Their seats go on sale."), release)

    def action_back(self) -> None:
        self.dismiss()
