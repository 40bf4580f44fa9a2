"""The live admissions dashboard (Admin, Gate lanes, d): one performance's admissions,
read again every 2 seconds — inside against sold, still to come and when the queue
clears at this rate, scans a minute per gate and per lane, lanes offline and their
queues, refusals by reason, conflicts; the arrival curve against the start and the scans
a minute per gate as charts. The figures are core.gate.admissions'."""

from __future__ import annotations

from typing import Final

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import DataTable, Footer, Static
from textual_plotext import PlotextPlot

from core.gate import admissions
from core.gate.admissions import Admissions
from core.gate.checkin import WORDS
from tui.format import local_time
from tui.screens.base import BoxOfficeScreen

REFRESH_SECONDS: Final = 2.0


def clears_text(minutes: int | None) -> str:
    return "no rate yet" if minutes is None else f"{minutes} min"


class AdmissionsScreen(BoxOfficeScreen[None]):
    CSS_PATH = "admissions.tcss"
    AUTO_FOCUS = "#admission-lanes"
    BINDINGS = [Binding("escape", "back", "Back", id="admissions.back")]

    def __init__(self, performance_id: int) -> None:
        super().__init__()
        self.performance_id = performance_id
        self.picture: Admissions | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="heading")
        yield Static(id="summary")
        with Horizontal(id="admission-tables"):
            yield DataTable(id="admission-gates", cursor_type="none", zebra_stripes=True)
            yield DataTable(id="admission-lanes", cursor_type="row", zebra_stripes=True)
        with Horizontal(id="admission-charts"):
            yield PlotextPlot(id="arrivals")
            yield PlotextPlot(id="per-gate")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#admission-gates", DataTable).add_columns(
            "Gate", "/min", "In", "Clears")
        self.query_one("#admission-lanes", DataTable).add_columns(
            "Lane", "Gate", "State", "/min", "Queue")
        self.load()
        self.set_interval(REFRESH_SECONDS, self.load)

    def load(self) -> None:
        app = self.box_office
        picture = admissions.admissions(app.db, self.performance_id, now=app.clock())
        self.picture = picture
        zone = app.config.zone
        self.query_one("#heading", Static).update(Text.assemble(
            ("Admissions", "bold"), "  ", picture.event_name[:40], "  ",
            (local_time(picture.starts_at, zone), "dim"),
            f"  ({picture.minutes_to_start} min)"))
        late = (picture.clears_in_minutes is None
                or picture.clears_in_minutes > picture.minutes_to_start)
        refused = ", ".join(f"{WORDS.get(code, code)} {count}"
                            for code, count in picture.refusals.items()) or "none"
        offline = picture.offline_lanes
        self.query_one("#summary", Static).update(Text.assemble(
            "Inside ", (f"{picture.inside}/{picture.sold}", "bold"),
            "  To come ", (str(picture.still_to_come), "bold"),
            f"  {picture.admits_per_minute:.1f}/min  Clears in ",
            (clears_text(picture.clears_in_minutes), "bold red" if late else "bold green"),
            "  Conflicts ", (str(picture.conflicts), "bold"),
            "\nOffline lanes ", (str(len(offline)), "bold yellow" if offline else "bold"),
            f" (queued {sum(lane.queue_length for lane in offline)})  Refused: {refused}"))
        gates = self.query_one("#admission-gates", DataTable)
        gates.clear()
        for gate in picture.gates:
            gates.add_row(gate.gate[:12], str(gate.scans_last_minute), str(gate.admitted),
                          clears_text(gate.clears_in_minutes))
        lanes_table = self.query_one("#admission-lanes", DataTable)
        row = lanes_table.cursor_row
        lanes_table.clear()
        for lane in picture.lanes:
            state = ("revoked" if not lane.active else "local" if lane.online is None
                     else "online" if lane.online else "OFFLINE")
            lanes_table.add_row(lane.name[:12], lane.gate[:8],
                                Text(state, "bold yellow" if state == "OFFLINE" else ""),
                                str(lane.scans_last_minute), str(lane.queue_length))
        if picture.lanes:
            lanes_table.move_cursor(row=min(max(row, 0), len(picture.lanes) - 1))
        self._charts(picture)

    def _charts(self, picture: Admissions) -> None:
        arrivals = self.query_one("#arrivals", PlotextPlot)
        plt = arrivals.plt
        plt.clear_data()
        plt.clear_figure()
        if picture.arrivals:
            plt.bar([minute for minute, _ in picture.arrivals],
                    [count for _, count in picture.arrivals], width=0.8)
            plt.vline(0, "red")
        plt.title(f"Admitted per {admissions.BUCKET_MINUTES} min vs start")
        arrivals.refresh()
        per_gate = self.query_one("#per-gate", PlotextPlot)
        plt = per_gate.plt
        plt.clear_data()
        plt.clear_figure()
        if picture.gates:
            plt.bar([gate.gate[:8] for gate in picture.gates],
                    [gate.scans_last_minute for gate in picture.gates], orientation="horizontal")
        plt.title("Scans last minute per gate")
        per_gate.refresh()

    def action_back(self) -> None:
        self.dismiss()
