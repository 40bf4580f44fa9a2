"""The admin screens (F4): a menu of sections (users, roles and their permissions,
performances and their prices, hold codes, seat maps); Enter opens one. Each calls the
core services of docs/administration.md with the signed-in user as the actor."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Footer, OptionList, Static
from textual.widgets.option_list import Option

from core.seatmap import SeatMapInvalid, load_seatmap
from core.venue import inventory, venues
from core.venue.inventory import HoldCode
from tui.screens.admin_base import AdminSectionScreen, Field, FormModal
from tui.screens.admin_events import PerformancesAdminScreen
from tui.screens.admin_gate import GateAdminScreen
from tui.screens.admin_lanes import LanesAdminScreen
from tui.screens.admin_roles import RolesScreen
from tui.screens.admin_storefront import StorefrontAdminScreen
from tui.screens.admin_users import UsersScreen
from tui.screens.base import BoxOfficeScreen
from tui.screens.dialogs import AskText, Confirm

SECTIONS = (
    ("users", "Users         who signs in, roles, PINs, locks"),
    ("roles", "Roles         which role may do what (the permission matrix)"),
    ("performances", "Performances  new, copy, on-sale window, cancel, price grid"),
    ("holds", "Hold codes    the codes seats are held under"),
    ("seatmaps", "Seat maps     validate and import a venue file"),
    ("gate", "Gate          re-entry per event, ticket signing keys"),
    ("lanes", "Gate lanes    online lanes' tokens, live admissions dashboard"),
    ("storefront", "Storefront    online sales per performance, the site, its pages"),
)


class AdminScreen(BoxOfficeScreen[None]):
    CSS_PATH = "admin.tcss"
    AUTO_FOCUS = "#admin-sections"
    BINDINGS = [Binding("escape", "back", "Back", id="admin.back")]

    def compose(self) -> ComposeResult:
        yield Static(Text.assemble(("Admin", "bold"), "  Enter opens a section"),
                     id="heading")
        yield OptionList(*[Option(label, id=name) for name, label in SECTIONS],
                         id="admin-sections")
        yield Static("What may be changed depends on your role; core checks each change.",
                     id="info")
        yield Footer()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        screens = {"users": UsersScreen, "roles": RolesScreen,
                   "performances": PerformancesAdminScreen,
                   "holds": HoldCodesScreen, "seatmaps": SeatMapScreen,
                   "gate": GateAdminScreen, "lanes": LanesAdminScreen,
                   "storefront": StorefrontAdminScreen}
        self.app.push_screen(screens[event.option.id or "users"]())

    def action_back(self) -> None:
        self.dismiss()


class HoldCodesScreen(AdminSectionScreen):
    AUTO_FOCUS = "#hold-codes"
    BINDINGS = [
        Binding("n", "new_hold", "New", id="admin_holds.new"),
        Binding("delete,d", "delete_hold", "Delete", id="admin_holds.delete"),
        Binding("escape", "back", "Back", id="admin_holds.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.holds: list[HoldCode] = []

    def compose(self) -> ComposeResult:
        yield Static(Text("Hold codes", "bold"), id="heading")
        yield DataTable(id="hold-codes", cursor_type="row", zebra_stripes=True)
        yield Static(id="info")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#hold-codes", DataTable).add_columns(
            "Code", "Name", "Colour", "Sold by", "Released by")
        self.load()

    def load(self) -> None:
        table = self.query_one("#hold-codes", DataTable)
        table.clear()
        self.holds = inventory.list_hold_codes(self.box_office.db)
        for hold in self.holds:
            table.add_row(hold.code, hold.name[:24], hold.color,
                          ",".join(sorted(hold.sell_roles)),
                          ",".join(sorted(hold.release_roles)), key=hold.code)
        self.refresh_bindings()

    @property
    def selected(self) -> HoldCode | None:
        row = self.query_one("#hold-codes", DataTable).cursor_row
        return self.holds[row] if self.holds and 0 <= row < len(self.holds) else None

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "delete_hold":
            return self.selected is not None
        return True

    def action_new_hold(self) -> None:
        if not self.may("hold"):
            return
        form = FormModal("New hold code", [
            Field("code", "Code (1-12 letters or digits)", placeholder="VIP"),
            Field("name", "Name", placeholder="Sponsors"),
            Field("color", "Colour", value="magenta"),
            Field("sell", "Roles that may sell from it", value="coordinator,admin"),
            Field("release", "Roles that may release it", value="coordinator,admin"),
        ])
        self.app.push_screen(form, self._create)

    def _create(self, values: dict[str, str] | None) -> None:
        if values is None:
            return
        app = self.box_office

        def roles(text: str) -> list[str]:
            return [role.strip().lower() for role in text.split(",") if role.strip()]

        made = self.attempt(lambda: inventory.create_hold_code(
            app.db, app.seller, values["code"], values["name"], values["color"],
            sell_roles=roles(values["sell"]), release_roles=roles(values["release"])),
            lambda hold: f"Hold code {hold.code} made.")
        if made is not None:
            self.load()

    def action_delete_hold(self) -> None:
        hold = self.selected
        if hold is None or not self.may("hold"):
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                app = self.box_office
                self.attempt(lambda: inventory.delete_hold_code(app.db, app.seller,
                                                                hold.code),
                             f"Hold code {hold.code} removed.")
                self.load()

        self.app.push_screen(Confirm(f"Remove hold code {hold.code} ({hold.name})?"),
                             confirmed)

    def action_back(self) -> None:
        self.dismiss()


class SeatMapScreen(AdminSectionScreen):
    """Validate a venue file (every problem, with line:column) or import it."""

    BINDINGS = [
        Binding("v", "check_file", "Validate", id="admin_seatmaps.validate"),
        Binding("i", "import_file", "Import", id="admin_seatmaps.import"),
        Binding("escape", "back", "Back", id="admin_seatmaps.back"),
    ]

    def compose(self) -> ComposeResult:
        yield Static(Text("Seat maps: v validates a file, i imports it", style="bold"),
                     id="heading")
        with VerticalScroll(id="seatmap-body"):
            yield Static(id="seatmap-report")
        yield Static(id="info")
        yield Footer()

    def on_mount(self) -> None:
        self.show_venues()

    def show_venues(self) -> None:
        lines = Text("Venues now:\n", style="bold")
        for venue in venues.list_venues(self.box_office.db):
            lines.append(f"  {venue.code:<10} {venue.name}\n", style="")
        self.query_one("#seatmap-report", Static).update(lines)

    def ask_path(self, then_import: bool) -> None:
        if then_import and not self.may("event_setup"):
            return

        def typed(text: str | None) -> None:
            if text is not None:
                self.check(Path(text).expanduser(), then_import)

        what = "import" if then_import else "validate"
        self.app.push_screen(AskText(f"Seat map file to {what} (a path):",
                                     placeholder="venues/aldridge.toml"), typed)

    def check(self, path: Path, then_import: bool) -> None:
        report = self.query_one("#seatmap-report", Static)
        try:
            seatmap = load_seatmap(path)
        except SeatMapInvalid as invalid:
            text = Text(f"{path}: {len(invalid.problems)} problem(s)\n", style="bold red")
            for problem in invalid.problems:
                text.append(f"  {problem.line}:{problem.column}  {problem.message} "
                            f"[{problem.code}]\n")
            report.update(text)
            self.say(f"{path} is not valid: nothing was imported.", error=True)
            return
        if not then_import:
            report.update(Text(f"{path} is valid: venue {seatmap.code}, "
                               f"{seatmap.seat_count} seats."))
            self.say("Valid. i imports it.")
            return
        app = self.box_office
        try:
            source = path.read_text(encoding="utf-8")
        except OSError as error:
            self.say(f"Cannot read {path}: {error.strerror}", error=True)
            return
        result = self.attempt(
            lambda: venues.import_seatmap(app.db, app.seller, source, str(path)),
            lambda done: f"{path}: " + ("unchanged." if done.unchanged else
                                        f"version {done.version}, {done.seats_added} seats "
                                        f"added, {done.seats_updated} updated, "
                                        f"{done.seats_retired} retired."))
        if result is not None:
            self.show_venues()

    def action_check_file(self) -> None:
        self.ask_path(then_import=False)

    def action_import_file(self) -> None:
        self.ask_path(then_import=True)

    def action_back(self) -> None:
        self.dismiss()
