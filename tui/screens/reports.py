"""The report viewer: pick a report, say what it covers (a performance, a day or a
shift), read it on screen, save it as CSV or print it on the receipt printer. Reading a
report needs `report_access` (core checks it)."""

from __future__ import annotations

from datetime import date

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Footer, Input, OptionList, Static
from textual.widgets.option_list import Option
from textual_plotext import PlotextPlot

from core import report_model
from core.errors import BoxOfficeError
from core.money import format_cents, parse_money
from core.report_model import Report, thermal_rows, to_csv, to_text
from core.reports import catalogue, extracts, pricing_evidence
from tui.screens.admin_base import Field, FormModal
from tui.screens.base import BoxOfficeScreen
from tui.screens.dialogs import AskText


class ReportScreen(BoxOfficeScreen[None]):
    CSS_PATH = "shift.tcss"
    AUTO_FOCUS = "#report-names"
    BINDINGS = [
        Binding("s", "save_csv", "Save CSV", id="reports.save_csv"),
        Binding("ctrl+r", "print", "Print", id="reports.print"),
        Binding("k", "keep", "Keep as extract", id="reports.keep"),
        Binding("w", "what_if", "What if", id="reports.what_if"),
        Binding("escape", "back", "Back", id="reports.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.report: Report | None = None
        self.scope_used: report_model.Scope | None = None

    def compose(self) -> ComposeResult:
        yield Static(Text("Reports: choose one, then what it covers", style="bold"),
                     id="heading")
        yield OptionList(*[Option(f"{kind.name:<12} {kind.description}", id=kind.name)
                           for kind in catalogue.report_names()], id="report-names")
        yield Input(placeholder="Covers: p12 (performance; pace: p12 with 3,5), 2026-11-21 "
                                "(day), s3 (shift), blank = all. Enter shows it.", id="scope")
        with VerticalScroll(id="report-body"):
            yield PlotextPlot(id="report-chart")
            yield Static(id="report-text")
        yield Static(id="info")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#report-body").display = False

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.query_one("#scope", Input).focus()

    def scope(self, text: str) -> report_model.Scope:
        app = self.box_office
        text = text.strip().lower()
        kwargs: dict[str, object] = {}
        text, _, compare = text.partition(" with ")
        if compare:
            kwargs["compare"] = report_model.performance_ids(compare)
        try:
            if text.startswith("p"):
                kwargs["performance_id"] = int(text[1:])
            elif text.startswith("s"):
                kwargs["shift_id"] = int(text[1:])
            elif text:
                kwargs["day"] = date.fromisoformat(text)
        except ValueError as error:
            raise BoxOfficeError(f"'{text}' is not p<number>, s<number> or a date such as "
                                 "2026-11-21", code="bad_scope") from error
        return report_model.Scope(app.config.zone, app.clock(), **kwargs)  # type: ignore[arg-type]

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        app = self.box_office
        names = self.query_one("#report-names", OptionList)
        if names.highlighted is None:
            return
        name = names.get_option_at_index(names.highlighted).id or ""
        try:
            self.scope_used = self.scope(event.value)
            self.report = catalogue.build_report(app.db, app.seller, name, self.scope_used)
        except BoxOfficeError as error:
            self.say(error.message, error=True)
            return
        self.query_one("#report-text", Static).update(Text(to_text(self.report)))
        self._plot(self.report)
        self.query_one("#report-body").display = True
        names.display = False
        self.query_one("#report-body").focus()
        self.say(f"{self.report.title}: s saves it as CSV, Ctrl+R prints it, k keeps it as a "
                 "named extract" + (", w asks what if the price changed"
                                    if self.report.name == "pricing" else "")
                 + ", Esc goes back.")
        self.refresh_bindings()

    def _plot(self, report: Report) -> None:
        """The report's first chart above its tables (the pace's curves, say); none: the
        plot is hidden."""
        plot = self.query_one("#report-chart", PlotextPlot)
        plot.display = bool(report.charts)
        if not report.charts:
            return
        chart = report.charts[0]
        plt = plot.plt
        plt.clear_data()
        plt.clear_figure()
        for name, points in chart.series:
            ordered = sorted(points)
            xs = [-x if chart.reversed_x else x for x, _ in ordered]
            plt.plot(xs, [y for _, y in ordered], label=name)
        plt.title(chart.title)
        plt.xlabel(f"{chart.x_label}" + (" (negative: before)" if chart.reversed_x else ""))
        plot.refresh()

    def say(self, message: str, error: bool = False) -> None:
        self.query_one("#info", Static).update(Text(message, "bold red" if error else ""))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "what_if":
            return (self.report is not None and self.report.name == "pricing"
                    and self.query_one("#report-body").display)
        if action in ("save_csv", "print", "keep"):
            return self.report is not None and self.query_one("#report-body").display
        return True

    def action_save_csv(self) -> None:
        if self.report is None:
            return
        stamp = self.box_office.clock().astimezone(self.box_office.config.zone)
        try:
            path = self.box_office.save_beside_database(
                "reports", f"{self.report.name}-{stamp:%Y%m%d-%H%M%S}.csv",
                to_csv(self.report))
        except OSError as error:
            self.say(f"Cannot save the report: {error.strerror}", error=True)
            return
        self.say(f"Saved {path}")

    def action_what_if(self, values: dict[str, str] | None = None, problem: str = "") -> None:
        """Pricing: what the rest of the run brings at another price, at today's pace."""
        if self.scope_used is None or self.scope_used.performance_id is None:
            return
        values = values or {"zone": "A", "type": "ADULT", "price": ""}
        self.app.push_screen(FormModal("What if the price changed? (an estimate)", [
            Field("zone", "Zone", values["zone"]),
            Field("type", "Price type", values["type"]),
            Field("price", "New price before fee and tax", values["price"],
                  placeholder="99.00"),
        ], problem=problem), self._what_if)

    def _what_if(self, values: dict[str, str] | None) -> None:
        if values is None or self.scope_used is None or self.scope_used.performance_id is None:
            return
        app = self.box_office
        try:
            price = parse_money(values["price"])
        except BoxOfficeError as error:
            self.action_what_if(values, f"New price: {error.message}")
            return
        try:
            found = pricing_evidence.what_if(
                app.db, app.seller, self.scope_used.performance_id, values["zone"],
                values["type"], price, now=app.clock())
        except BoxOfficeError as error:
            self.action_what_if(values, f"{error.message}. Nothing worked out.")
            return
        self.say(f"{values['zone'].upper()} {values['type'].upper()}: "
                 f"{found.expected_tickets} more ticket(s) in {found.days_left} day(s): "
                 f"{format_cents(found.revenue_now_cents)} at "
                 f"{format_cents(found.current_base_cents)}, "
                 f"{format_cents(found.revenue_new_cents)} at "
                 f"{format_cents(found.new_base_cents)}. {found.assumption}")

    def action_keep(self) -> None:
        """Save this report's parameters under a name, to run by name later (`boxoffice
        extract run NAME`, for a cron job)."""
        if self.report is None:
            return
        self.app.push_screen(AskText(
            f"Keep '{self.report.name}' with what it covers as a named extract (a-z, 0-9, "
            "-, _), to export later with: boxoffice extract run NAME"), self._keep)

    def _keep(self, name: str | None) -> None:
        if not name or self.report is None or self.scope_used is None:
            return
        app, scope = self.box_office, self.scope_used
        try:
            saved = extracts.save_extract(
                app.db, app.seller, name, self.report.name, fmt="csv", now=app.clock(),
                performance_id=scope.performance_id, shift_id=scope.shift_id,
                day=scope.day.isoformat() if scope.day else "")
        except BoxOfficeError as error:
            self.say(f"Not kept: {error.message}", error=True)
            return
        self.say(f"Kept as '{saved.name}': {saved.describe()}. boxoffice extract run "
                 f"{saved.name} exports it (extract save --date yesterday for a moving day).")

    def action_print(self) -> None:
        if self.report is not None:
            self.box_office.print_report(self.report.title, thermal_rows(self.report),
                                         self.report.name)

    def action_back(self) -> None:
        if self.query_one("#report-body").display:
            self.query_one("#report-body").display = False
            names = self.query_one("#report-names", OptionList)
            names.display = True
            names.focus()
            self.report = None
            self.refresh_bindings()
        else:
            self.dismiss()
