"""Performances at the admin screens: a new event, a new performance (of an event that
exists or a new one), copy one to a new date, set its on-sale window, cancel it, open its
price grid. Times are typed in the venue's zone (`[venue] timezone`). Needs
`event_setup` (copying also what it copies); core checks."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Static

from core.errors import BoxOfficeError
from core.store.db import write
from core.times import AmbiguousTime
from core.venue import performances, venues
from core.venue.performances import Event, Performance
from tui.screens.admin_base import (
    AdminSectionScreen,
    Field,
    FormModal,
    local_time,
    parse_local_time,
)
from tui.screens.dialogs import AskText, Confirm
from tui.screens.sell_dialogs import Choose

NEW_EVENT = "new"   # the event picker's choice for "a new event"
# the new-performance form's times: (field, label as the form and its refusals name it)
TIME_FIELDS = (("starts", "Starts"), ("doors", "Doors open"), ("on", "On sale from"),
               ("off", "Off sale at"))


class PerformancesAdminScreen(AdminSectionScreen):
    AUTO_FOCUS = "#admin-performances"
    BINDINGS = [
        Binding("n", "new_performance", "New", id="admin_performances.new"),
        Binding("e", "new_event", "Event", id="admin_performances.new_event"),
        Binding("c", "copy", "Copy", id="admin_performances.copy"),
        Binding("o", "on_sale", "On sale", id="admin_performances.on_sale"),
        Binding("x", "cancel_performance", "Cancel", id="admin_performances.cancel"),
        Binding("g", "prices", "Prices", id="admin_performances.prices"),
        Binding("escape", "back", "Back", id="admin_performances.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.performances: list[Performance] = []

    def compose(self) -> ComposeResult:
        zone = self.box_office.config.zone
        yield Static(Text.assemble(("Performances", "bold"), f"  times in {zone.key}"),
                     id="heading")
        yield DataTable(id="admin-performances", cursor_type="row", zebra_stripes=True)
        yield Static(id="info")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#admin-performances", DataTable)
        table.add_columns("#", "Event", "Venue", "Starts", "Status", "Sells from - until")
        self.load()

    def on_screen_resume(self) -> None:
        self.load()

    def load(self, keep: int | None = None) -> None:
        table = self.query_one("#admin-performances", DataTable)
        current = self.selected
        keep = keep if keep is not None else (current.id if current else None)
        table.clear()
        zone = self.box_office.config.zone
        self.performances = performances.list_performances(self.box_office.db)
        for perf in self.performances:
            window = "open" if perf.on_sale_at is None and perf.off_sale_at is None else (
                f"{local_time(perf.on_sale_at, zone) if perf.on_sale_at else 'now'} - "
                f"{local_time(perf.off_sale_at, zone) if perf.off_sale_at else 'no end'}")
            table.add_row(str(perf.id), perf.event_name[:18], perf.venue_code,
                          local_time(perf.starts_at, zone), perf.status, window,
                          key=str(perf.id))
        for index, perf in enumerate(self.performances):
            if perf.id == keep:
                table.move_cursor(row=index)
        self.refresh_bindings()

    @property
    def selected(self) -> Performance | None:
        table = self.query_one("#admin-performances", DataTable)
        if not self.performances or not 0 <= table.cursor_row < len(self.performances):
            return None
        return self.performances[table.cursor_row]

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.refresh_bindings()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_prices()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("back", "new_performance", "new_event"):
            return True
        perf = self.selected
        if perf is None:
            return False
        if action in ("on_sale", "cancel_performance"):
            return perf.status != "cancelled"
        return True

    def action_new_event(self) -> None:
        if not self.may("event_setup"):
            return
        self.app.push_screen(FormModal("New event", [
            Field("name", "Name", placeholder="Tosca"),
            Field("producer", "Producer (optional)", placeholder="Harbor City Opera",
                  required=False)]), self._event_typed)

    def _event_typed(self, values: dict[str, str] | None) -> None:
        if values is None:
            self.say("No event was made.")
            return
        app = self.box_office
        self.attempt(lambda: performances.create_event(app.db, app.seller, values["name"],
                                                       producer=values["producer"]),
                     lambda event_id: f"Event {event_id}, {values['name']}, made: n "
                                      "schedules its first performance.")

    def action_new_performance(self) -> None:
        """Pick the event (or a new one), then type the venue and the times."""
        if not self.may("event_setup"):
            return
        events = performances.list_events(self.box_office.db)
        perf = self.selected
        # the list starts on its first line, always: it used to start on the highlighted
        # performance's event, so Down Down from what looked like the top chose another
        # event; that event is marked instead
        options = [(NEW_EVENT, "+ a new event"),
                   *[(str(event.id), f"{event.name[:44]}  ({event.performances})"
                      + ("  < highlighted" if perf and perf.event_id == event.id else ""))
                     for event in events]]

        def chosen(choice: str | None) -> None:
            if choice is None:
                self.say("No performance was made.")
                return
            event = next((event for event in events if str(event.id) == choice), None)
            self._performance_form(event, {}, "")

        self.app.push_screen(Choose("A performance of which event? (performances so far)",
                                    options), chosen)

    def _performance_form(self, event: Event | None, typed: dict[str, str],
                          problem: str) -> None:
        """The form for a new performance of `event` (None: of a new event), filled with
        what was `typed` before when it comes back with a `problem`."""
        codes = [venue.code for venue in venues.list_venues(self.box_office.db)]
        perf = self.selected
        venue = perf.venue_code if perf else (codes[0] if codes else "")
        fields = [] if event is not None else [
            Field("name", "New event's name", typed.get("name", ""), placeholder="Tosca"),
            Field("producer", "Producer (optional)", typed.get("producer", ""),
                  required=False)]
        fields += [
            Field("venue", f"Venue ({', '.join(codes)})", typed.get("venue", venue)),
            Field("starts", "Starts (YYYY-MM-DD HH:MM)", typed.get("starts", ""),
                  placeholder="2026-12-31 19:30"),
            Field("doors", "Doors open (blank: not set)", typed.get("doors", ""),
                  required=False),
            Field("on", "On sale from (blank: now)", typed.get("on", ""), required=False),
            Field("off", "Off sale at (blank: no end)", typed.get("off", ""),
                  required=False)]
        title = (f"New performance of {event.name[:40]}" if event is not None else
                 "New performance of a new event")
        self.app.push_screen(FormModal(title, fields, problem=problem),
                             lambda values: self._create_performance(event, values))

    def _create_performance(self, event: Event | None, values: dict[str, str] | None
                            ) -> None:
        """Make the performance (and its event, and its on-sale window) in one
        transaction: a refusal part-way leaves nothing behind. Bad input brings the form
        back with what was typed and what was wrong."""
        if values is None:
            self.say("No performance was made.")
            return
        app = self.box_office
        zone = app.config.zone
        for field, label in TIME_FIELDS:   # a time that happens twice: ask which first
            def answered(chosen: str | None, field: str = field, label: str = label) -> None:
                if chosen is None:
                    self._performance_form(event, values, f"{label}: that time happens "
                                           "twice; pick one, or type it with its offset")
                else:
                    self._create_performance(event, {**values, field: chosen})

            if self._asked_which(label, values[field], zone, answered):
                return

        def when(field: str, label: str) -> datetime | None:
            if not values[field]:
                return None
            try:
                return parse_local_time(values[field], zone)
            except BoxOfficeError as error:
                raise BoxOfficeError(f"{label}: {error.message}", code=error.code) from error

        try:
            starts = when("starts", "Starts")
            doors, on, off = (when("doors", "Doors open"), when("on", "On sale from"),
                              when("off", "Off sale at"))
            assert starts is not None                 # the form requires it
            if doors is not None and doors > starts:
                raise BoxOfficeError("Doors open after the start: doors must open before "
                                     "it", code="bad_doors")
            venue = self._venue(values["venue"])
            with write(app.db):
                event_id = event.id if event is not None else performances.create_event(
                    app.db, app.seller, values["name"], producer=values["producer"])
                perf_id = performances.create_performance(app.db, app.seller, event_id,
                                                          venue.id, starts, doors_at=doors)
                if on is not None or off is not None:
                    performances.set_on_sale_window(app.db, app.seller, perf_id, on, off)
        except BoxOfficeError as error:
            self.say(f"Not done: {error.message}. Nothing was made.", error=True)
            self._performance_form(event, values, error.message)
            return
        name = event.name if event is not None else values["name"]
        self.say(f"Performance {perf_id}: {name} at {venue.code}, {values['starts']}. It has "
                 "no prices yet: g opens its price grid.")
        self.load(keep=perf_id)

    def _asked_which(self, label: str, text: str, zone: ZoneInfo,
                     then: Callable[[str | None], None]) -> bool:
        """True (and the question asked) when `text` is a time the clocks repeat."""
        if not text:
            return False
        try:
            parse_local_time(text, zone)
        except AmbiguousTime as error:
            self.ask_which_time(label, error, then)
            return True
        except BoxOfficeError:
            return False   # said with its field when the form is checked
        return False

    def _venue(self, code: str) -> venues.Venue:
        """A venue by its code. Raises BoxOfficeError `unknown_venue`."""
        known = venues.list_venues(self.box_office.db)
        for venue in known:
            if venue.code.upper() == code.strip().upper():
                return venue
        raise BoxOfficeError(f"there is no venue '{code}' (venues: "
                             f"{', '.join(venue.code for venue in known) or 'none'})",
                             code="unknown_venue")

    def action_copy(self) -> None:
        perf = self.selected
        if perf is None or not self.may("event_setup"):
            return
        zone = self.box_office.config.zone

        def typed(text: str | None) -> None:
            if text is None or self._asked_which("Copy to", text, zone, typed):
                return
            app = self.box_office
            new_id = self.attempt(
                lambda: performances.copy_performance(app.db, app.seller, perf.id,
                                                      parse_local_time(text, zone)),
                lambda made: f"Performance {made}: {perf.event_name} at {text.strip()}, "
                             "with the same prices, holds and kills.")
            if new_id is not None:
                self.load(keep=new_id)

        self.app.push_screen(AskText(
            f"Copy performance {perf.id} ({perf.event_name}) to: YYYY-MM-DD HH:MM "
            f"({zone.key})", value=local_time(perf.starts_at, zone)), typed)

    def action_on_sale(self) -> None:
        perf = self.selected
        if perf is None or not self.may("event_setup"):
            return
        zone = self.box_office.config.zone
        on = "" if perf.on_sale_at is None else local_time(perf.on_sale_at, zone)
        off = "" if perf.off_sale_at is None else local_time(perf.off_sale_at, zone)

        def typed(values: dict[str, str] | None) -> None:
            if values is None:
                return
            for field, label in (("on", "On sale from"), ("off", "Off sale at")):
                def answered(chosen: str | None, field: str = field) -> None:
                    if chosen is None:
                        self.say("The on-sale window was not changed.")
                    else:
                        typed({**values, field: chosen})

                if self._asked_which(label, values[field], zone, answered):
                    return
            app = self.box_office
            self.attempt(lambda: performances.set_on_sale_window(
                app.db, app.seller, perf.id,
                parse_local_time(values["on"], zone) if values["on"] else None,
                parse_local_time(values["off"], zone) if values["off"] else None),
                f"Performance {perf.id} sells from {values['on'] or 'now'} until "
                f"{values['off'] or 'no end'}.")
            self.load()

        self.app.push_screen(FormModal(
            f"On-sale window of performance {perf.id} (YYYY-MM-DD HH:MM, blank: open)", [
                Field("on", "On sale from", value=on, required=False),
                Field("off", "Off sale at", value=off, required=False)]), typed)

    def action_cancel_performance(self) -> None:
        perf = self.selected
        if perf is None or not self.may("event_setup"):
            return
        zone = self.box_office.config.zone
        when = local_time(perf.starts_at, zone)

        def confirmed(reason: str, yes: bool | None) -> None:
            if not yes:
                self.say("Not cancelled.")
                return
            app = self.box_office
            self.attempt(lambda: performances.cancel_performance(app.db, app.seller,
                                                                 perf.id, reason=reason),
                         lambda live: f"Performance {perf.id} is cancelled: {live} live "
                                      "ticket(s) to refund.")
            self.load()

        def reasoned(reason: str | None) -> None:
            if reason is None:
                return
            self.app.push_screen(Confirm(
                f"Cancel {perf.event_name} on {when}? Nothing more can be sold for it; "
                "its tickets stay live to be refunded."),
                lambda yes: confirmed(reason, yes))

        self.app.push_screen(AskText(f"Why is performance {perf.id} cancelled?",
                                     placeholder="storm"), reasoned)

    def action_prices(self) -> None:
        from tui.screens.admin_prices import PriceGridScreen

        perf = self.selected
        if perf is not None:
            self.app.push_screen(PriceGridScreen(perf))

    def action_back(self) -> None:
        self.dismiss()
