"""Admin, Storefront: what the public web site sells and says.

The table lists the performances from today on with how each sells online. `o` edits the
highlighted one's online settings (on or off, an online window, price types, the
per-order limit, the online fee); `s` edits the site's name, brand colour, hours,
address and banner; `p` lists the information pages, where `n` writes a new one, Enter
or `e` edits one in a text area (Markdown) and `d` deletes one. Every change needs
`event_setup`; core checks it (and the colour's contrast) and journals it."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer, Input, Static, TextArea

from core.admin import site
from core.admin.site import Page
from core.errors import BoxOfficeError
from core.money import format_cents, parse_money
from core.sales import online_settings, waiting_room
from core.sales.online_settings import OnlineSettings
from core.sales.waiting_room import QueueSettings
from core.venue import performances
from core.venue.performances import Performance
from tui.format import local_time
from tui.screens.admin_base import AdminSectionScreen, Field, FormModal, parse_local_time
from tui.screens.dialogs import Confirm


def _when(moment: datetime | None, screen: AdminSectionScreen) -> str:
    return "" if moment is None else local_time(moment, screen.box_office.config.zone)


class StorefrontAdminScreen(AdminSectionScreen):
    AUTO_FOCUS = "#online-performances"
    BINDINGS = [
        Binding("o", "online", "Online", id="admin_storefront.online"),
        Binding("s", "site", "Site", id="admin_storefront.site"),
        Binding("p", "pages", "Pages", id="admin_storefront.pages"),
        Binding("q", "queue", "Queue", id="admin_storefront.queue"),
        Binding("escape", "back", "Back", id="admin_storefront.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.shows: list[Performance] = []

    def compose(self) -> ComposeResult:
        yield Static(Text.assemble(("Storefront", "bold"),
                                   "  what the web site sells and says"), id="heading")
        yield DataTable(id="online-performances", cursor_type="row", zebra_stripes=True)
        yield Static(id="info")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(DataTable).add_columns("Performance", "Starts", "Online", "Types",
                                              "Limit", "Fee")
        self.load()
        self.say("o edits a performance's online sales, s the site, p its information "
                 "pages, q the waiting line for an on-sale rush.")

    def load(self) -> None:
        app = self.box_office
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear()
        since = app.clock() - timedelta(days=1)
        self.shows = [p for p in performances.list_performances(app.db, since=since)
                      if p.status != "cancelled"]
        for show in self.shows:
            settings = online_settings.online_settings(app.db, show.id)
            window = ("yes" if settings.enabled else "NO") + (
                f" from {_when(settings.on_sale_at, self)[4:]}" if settings.on_sale_at else "")
            table.add_row(show.event_name[:30],
                          f"{show.starts_at.astimezone(app.config.zone):%d %b %H:%M}",
                          window, ",".join(settings.price_types) or "standard",
                          str(settings.max_tickets or app.config.web.max_tickets),
                          format_cents(settings.fee_cents), key=str(show.id))
        if self.shows:
            table.move_cursor(row=min(max(row, 0), len(self.shows) - 1))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_online()

    @property
    def show(self) -> Performance | None:
        row = self.query_one(DataTable).cursor_row
        return self.shows[row] if self.shows and 0 <= row < len(self.shows) else None

    def action_online(self) -> None:
        show = self.show
        if show is None or not self.may("event_setup"):
            return
        app = self.box_office
        zone = app.config.zone
        current = online_settings.online_settings(app.db, show.id)

        def typed(values: dict[str, str] | None) -> None:
            if values is None:
                self.say("The online settings were not changed.")
                return
            try:
                changed = _settings_from(values, current, zone)
            except BoxOfficeError as error:
                self.app.push_screen(_online_form(show, values, problem=error.message), typed)
                return
            self.attempt(lambda: online_settings.set_online_settings(app.db, app.seller,
                                                                     changed),
                         f"{show.event_name}: online settings saved.")
            self.load()

        values = {"enabled": "yes" if current.enabled else "no",
                  "from": _when(current.on_sale_at, self),
                  "until": _when(current.off_sale_at, self),
                  "types": ",".join(current.price_types),
                  "limit": str(current.max_tickets or ""),
                  "fee": format_cents(current.fee_cents) if current.fee_cents else ""}
        self.app.push_screen(_online_form(show, values), typed)

    def action_site(self) -> None:
        if not self.may("event_setup"):
            return
        app = self.box_office
        info = site.site_info(app.db, app.config)

        def typed(values: dict[str, str] | None) -> None:
            if values is None:
                self.say("The site was not changed.")
                return
            self.attempt(lambda: site.set_site_info(
                app.db, app.seller, name=values["name"], colour=values["colour"],
                hours=values["hours"], address=values["address"], banner=values["banner"]),
                "The site's words and colour are saved: the web pages show them now.")

        self.app.push_screen(FormModal("The storefront site (blank clears a line)", [
            Field("name", "Site name", value=info.name),
            Field("colour", "Brand colour #RRGGBB", value=info.colour, required=False),
            Field("hours", "Box office hours", value=info.hours, required=False),
            Field("address", "Address", value=info.address, required=False),
            Field("banner", "Notice banner", value=info.banner, required=False)]), typed)

    def action_queue(self) -> None:
        """The on-sale rush's waiting line: on or off, capacity, rate, the on-sale time."""
        if not self.may("event_setup"):
            return
        app = self.box_office
        current = waiting_room.queue_settings(app.db)

        def typed(values: dict[str, str] | None) -> None:
            if values is None:
                self.say("The waiting line was not changed.")
                return
            try:
                changed = _queue_from(values, app.config.zone)
            except BoxOfficeError as error:
                self.app.push_screen(_queue_form(values, problem=error.message), typed)
                return
            active, waiting = waiting_room.queue_figures(app.db, app.clock())
            self.attempt(lambda: waiting_room.set_queue(app.db, app.seller, changed),
                         f"Waiting line {'ON' if changed.enabled else 'off'}; now "
                         f"{active} buying, {waiting} waiting.")

        self.app.push_screen(_queue_form({
            "enabled": "yes" if current.enabled else "no",
            "capacity": str(current.capacity), "rate": str(current.per_minute),
            "opens": _when(current.opens_at, self)}), typed)

    def action_pages(self) -> None:
        self.app.push_screen(PagesScreen())

    def action_back(self) -> None:
        self.dismiss()


def _online_form(show: Performance, values: dict[str, str], *, problem: str = ""
                 ) -> FormModal:
    return FormModal(f"Online sales of {show.event_name[:40]} (blank: the site's default)", [
        Field("enabled", "Sold online (yes/no)", value=values["enabled"]),
        Field("from", "Online from YYYY-MM-DD HH:MM", value=values["from"], required=False),
        Field("until", "Online until YYYY-MM-DD HH:MM", value=values["until"],
              required=False),
        Field("types", "Price types, e.g. ADULT,CHILD", value=values["types"],
              required=False),
        Field("limit", "Tickets per order", value=values["limit"], required=False),
        Field("fee", "Online fee per ticket", value=values["fee"], required=False)],
        problem=problem)


def _settings_from(values: dict[str, str], current: OnlineSettings,
                   zone: ZoneInfo) -> OnlineSettings:
    """What the form says, as settings. Raises BoxOfficeError naming the field."""
    answer = values["enabled"].strip().lower()
    if answer not in ("yes", "no", "y", "n"):
        raise BoxOfficeError("Sold online: yes or no", code="bad_answer")
    limit = values["limit"].strip()
    if limit and (not limit.isdigit() or not 1 <= int(limit) <= 200):
        raise BoxOfficeError("Tickets per order: 1 to 200, or blank", code="bad_limit")
    return dataclasses.replace(
        current, enabled=answer.startswith("y"),
        on_sale_at=parse_local_time(values["from"], zone) if values["from"] else None,
        off_sale_at=parse_local_time(values["until"], zone) if values["until"] else None,
        price_types=tuple(code for code in values["types"].split(",") if code.strip()),
        max_tickets=int(limit) if limit else None,
        fee_cents=parse_money(values["fee"]) if values["fee"].strip() else 0)


def _queue_form(values: dict[str, str], *, problem: str = "") -> FormModal:
    return FormModal("The waiting line in front of the cart (an on-sale rush)", [
        Field("enabled", "Waiting line on (yes/no)", value=values["enabled"]),
        Field("capacity", "Buyers choosing seats at once", value=values["capacity"]),
        Field("rate", "Let in a minute at most", value=values["rate"]),
        Field("opens", "On-sale time YYYY-MM-DD HH:MM (shuffle before)",
              value=values["opens"], required=False)], problem=problem)


def _queue_from(values: dict[str, str], zone: ZoneInfo) -> QueueSettings:
    answer = values["enabled"].strip().lower()
    if answer not in ("yes", "no", "y", "n"):
        raise BoxOfficeError("Waiting line on: yes or no", code="bad_answer")
    numbers = []
    for field, label in (("capacity", "Buyers choosing seats at once"),
                         ("rate", "Let in a minute at most")):
        text = values[field].strip()
        if not text.isdigit() or not 1 <= int(text) <= 100_000:
            raise BoxOfficeError(f"{label}: 1 to 100,000", code="bad_number")
        numbers.append(int(text))
    return QueueSettings(answer.startswith("y"), numbers[0], numbers[1],
                         parse_local_time(values["opens"], zone) if values["opens"] else None)


class PagesScreen(AdminSectionScreen):
    AUTO_FOCUS = "#site-pages"
    BINDINGS = [
        Binding("n", "new", "New", id="admin_pages.new"),
        Binding("e", "edit", "Edit", id="admin_pages.edit"),
        Binding("d,delete", "delete", "Delete", id="admin_pages.delete"),
        Binding("escape", "back", "Back", id="admin_pages.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.pages: list[Page] = []

    def compose(self) -> ComposeResult:
        yield Static(Text.assemble(("Information pages", "bold"),
                                   "  /info/... on the storefront, in Markdown"),
                     id="heading")
        yield DataTable(id="site-pages", cursor_type="row", zebra_stripes=True)
        yield Static(id="info")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(DataTable).add_columns("Address", "Title", "Order", "Characters")
        self.load()
        self.say("n writes a new page, Enter edits one, d deletes one.")

    def load(self) -> None:
        table = self.query_one(DataTable)
        table.clear()
        self.pages = site.list_pages(self.box_office.db)
        for found in self.pages:
            table.add_row(f"/info/{found.slug}", found.title, str(found.position),
                          f"{len(found.body):,}", key=found.slug)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_edit()

    @property
    def page(self) -> Page | None:
        row = self.query_one(DataTable).cursor_row
        return self.pages[row] if self.pages and 0 <= row < len(self.pages) else None

    def _edit(self, slug: str, title: str, body: str, position: int) -> None:
        if not self.may("event_setup"):
            return
        app = self.box_office

        def written(result: tuple[str, str, str] | None) -> None:
            if result is None:
                self.say("The page was not saved.")
                return
            new_slug, new_title, new_body = result
            saved = self.attempt(lambda: site.set_page(
                app.db, app.seller, new_slug, title=new_title, body=new_body,
                position=position, now=app.clock()), f"/info/{new_slug} saved.")
            if saved is None:
                self.app.push_screen(PageEditor(new_slug, new_title, new_body), written)
            self.load()

        self.app.push_screen(PageEditor(slug, title, body), written)

    def action_new(self) -> None:
        self._edit("", "", "", len(self.pages))

    def action_edit(self) -> None:
        found = self.page
        if found is not None:
            self._edit(found.slug, found.title, found.body, found.position)

    def action_delete(self) -> None:
        found = self.page
        if found is None or not self.may("event_setup"):
            return
        app = self.box_office

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.attempt(lambda: site.delete_page(app.db, app.seller, found.slug),
                             f"/info/{found.slug} removed.")
                self.load()

        self.app.push_screen(Confirm(f"Delete the page /info/{found.slug}?"), confirmed)

    def action_back(self) -> None:
        self.dismiss()


class PageEditor(ModalScreen[tuple[str, str, str] | None]):
    """The page's address, title and Markdown text; Ctrl+S saves, Esc cancels."""

    CSS_PATH = "admin.tcss"
    BINDINGS = [Binding("ctrl+s", "save", "Save", id="page_editor.save"),
                Binding("escape", "cancel", "Cancel", id="page_editor.cancel")]

    def __init__(self, slug: str, title: str, body: str) -> None:
        super().__init__()
        self.slug, self.title_text, self.body = slug, title, body

    def compose(self) -> ComposeResult:
        with Vertical(id="page-editor"):
            yield Input(self.slug, placeholder="Address: parking, directions, faq",
                        id="page-slug")
            yield Input(self.title_text, placeholder="Title", id="page-title")
            yield TextArea(self.body, id="page-body", soft_wrap=True)
            yield Static(Text("Markdown: # heading, **bold**, - list, [link](https://...). "
                              "Ctrl+S saves, Esc cancels."), id="page-hint")
        yield Footer()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.focus_next()

    def action_save(self) -> None:
        self.dismiss((self.query_one("#page-slug", Input).value,
                      self.query_one("#page-title", Input).value,
                      self.query_one("#page-body", TextArea).text))

    def action_cancel(self) -> None:
        self.dismiss(None)
