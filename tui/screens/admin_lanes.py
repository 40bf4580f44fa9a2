"""Admin, Gate lanes: the device tokens of online gate lanes, per performance, and the way
into the live admissions dashboard.

The performances table lists the performances from yesterday on; the lanes table those of
the highlighted one. `i` issues a token for a new lane (shown once: only its hash is
kept), `x` revokes the highlighted lane's token (its next request is refused), `d` opens
the admissions dashboard, `s` writes the section-to-gate signs as a PDF (the lane plan is
the `lanes` report, F3). Issuing and revoking need `event_setup` (a coordinator's)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Static

from core.gate import lanes, planning
from core.gate.admissions import ONLINE_WITHIN
from core.gate.lanes import Lane
from core.venue import performances
from core.venue.performances import Performance
from tui.format import local_time
from tui.screens.admin_base import AdminSectionScreen
from tui.screens.admissions import AdmissionsScreen
from tui.screens.dialogs import AskText, Confirm


class LanesAdminScreen(AdminSectionScreen):
    AUTO_FOCUS = "#lane-performances"
    BINDINGS = [
        Binding("i", "issue", "Issue token", id="admin_lanes.issue"),
        Binding("x", "revoke", "Revoke", id="admin_lanes.revoke"),
        Binding("d", "dashboard", "Dashboard", id="admin_lanes.dashboard"),
        Binding("s", "signs", "Signs PDF", id="admin_lanes.signs"),
        Binding("escape", "back", "Back", id="admin_lanes.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.shows: list[Performance] = []
        self.lanes: list[Lane] = []

    def compose(self) -> ComposeResult:
        yield Static(Text.assemble(("Gate lanes", "bold"),
                                   "  device tokens for online lanes, admissions"),
                     id="heading")
        yield DataTable(id="lane-performances", cursor_type="row", zebra_stripes=True)
        yield DataTable(id="lanes", cursor_type="row", zebra_stripes=True)
        yield Static(id="info")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#lane-performances", DataTable).add_columns("Performance", "Starts")
        self.query_one("#lanes", DataTable).add_columns("Lane", "Token", "Seen", "Queue")
        since = self.box_office.clock() - timedelta(days=1)
        self.shows = performances.list_performances(self.box_office.db, since=since)
        table = self.query_one("#lane-performances", DataTable)
        for show in self.shows:
            table.add_row(show.event_name[:44], local_time(show.starts_at,
                                                           self.box_office.config.zone),
                          key=str(show.id))
        self.load_lanes()
        self.say("i issues a lane's token, x revokes one, d opens the admissions dashboard. "
                 "Tab moves between the tables.")

    @property
    def show(self) -> Performance | None:
        row = self.query_one("#lane-performances", DataTable).cursor_row
        return self.shows[row] if self.shows and 0 <= row < len(self.shows) else None

    @property
    def lane(self) -> Lane | None:
        row = self.query_one("#lanes", DataTable).cursor_row
        return self.lanes[row] if self.lanes and 0 <= row < len(self.lanes) else None

    def load_lanes(self) -> None:
        table = self.query_one("#lanes", DataTable)
        row = table.cursor_row
        table.clear()
        show = self.show
        self.lanes = lanes.list_lanes(self.box_office.db, show.id) if show else []
        now, zone = self.box_office.clock(), self.box_office.config.zone
        for lane in self.lanes:
            seen = ("never" if lane.last_seen_at is None else
                    "online" if now - lane.last_seen_at <= ONLINE_WITHIN else
                    "OFFLINE since " + local_time(lane.last_seen_at, zone)[-5:])
            table.add_row(lane.name, "live" if lane.active else "revoked",
                          seen if lane.active else "-", str(lane.queue_length),
                          key=str(lane.id))
        if self.lanes:
            table.move_cursor(row=min(max(row, 0), len(self.lanes) - 1))
        self.refresh_bindings()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id == "lane-performances":
            self.load_lanes()
        self.refresh_bindings()

    def on_descendant_focus(self) -> None:
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "revoke":
            lane = self.lane
            return lane is not None and lane.active and self.focused is self.query_one(
                "#lanes")
        if action in ("issue", "dashboard", "signs"):
            return self.show is not None
        return True

    def action_issue(self) -> None:
        show = self.show
        if show is None or not self.may("event_setup"):
            return
        self.app.push_screen(AskText(f"A name for the new lane at {show.event_name[:30]} "
                                     "(e.g. North 3)?"), self._issue)

    def _issue(self, name: str | None) -> None:
        show = self.show
        if not name or show is None:
            return
        self.attempt(lambda: lanes.issue_lane_token(self.box_office.db,
                                                    self.box_office.seller, show.id, name,
                                                    now=self.box_office.clock()),
                     lambda issued: f"Token for {issued.lane.name} (shown once: type it into "
                                    f"the lane now): {issued.token}")
        self.load_lanes()

    def action_revoke(self) -> None:
        lane = self.lane
        if lane is None or not self.may("event_setup"):
            return
        self.app.push_screen(Confirm(f"Revoke lane {lane.name}'s token? Its next request "
                                     "is refused and it stops judging."),
                             lambda yes: self._revoke(lane, yes))

    def _revoke(self, lane: Lane, yes: bool | None) -> None:
        if not yes:
            return
        self.attempt(lambda: lanes.revoke_lane_token(self.box_office.db,
                                                     self.box_office.seller, lane.id,
                                                     now=self.box_office.clock()),
                     f"Lane {lane.name}: token revoked.")
        self.load_lanes()

    def action_dashboard(self) -> None:
        show = self.show
        if show is not None:
            self.app.push_screen(AdmissionsScreen(show.id))

    def action_signs(self) -> None:
        show = self.show
        if show is None:
            return
        default = str(self.box_office.database_path().with_name(f"gate-signs-{show.id}.pdf"))
        self.app.push_screen(AskText("Write the section-to-gate signs (PDF) to which file?",
                                     value=default), self._signs)

    def _signs(self, answer: str | None) -> None:
        show = self.show
        if not answer or show is None:
            return
        path = Path(answer).expanduser()
        plan = self.attempt(lambda: planning.lane_plan(self.box_office.db, show.id),
                            "Plan made.")
        if plan is None:
            return
        data = self.attempt(lambda: planning.signage_pdf(
            plan, when=local_time(plan.starts_at, self.box_office.config.zone),
            generated_at=self.box_office.clock()), "Signs made.")
        if data is None:
            return
        try:
            path.write_bytes(data)
        except OSError as error:
            self.say(f"Not written: {error.strerror or error} ({path})", error=True)
            return
        self.say(f"Signs for {len([g for g in plan.gates if g.gate != planning.NO_GATE])} "
                 f"gate(s) written to {path}. The lane plan is the 'lanes' report (F3).")

    def action_back(self) -> None:
        self.dismiss()
