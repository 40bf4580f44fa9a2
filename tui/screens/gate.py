"""The gate screen: one verdict at a time, readable from two metres.

A huge colour block with the verdict's word drawn in a block font (green ADMIT, red
refusals, amber NOT YET, blue looks-ups), the detail under it, a bell on every refusal,
and the gate's counters. Codes come from an always-focused input (a handheld USB scanner
types the code and Enter; staff can type one by hand) and, when the app has a frame
source, from a camera worker. The verdict is core.checkin's; this screen only shows it.
"""

from __future__ import annotations

import os
import secrets
import textwrap
import time
from collections import deque
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final, cast

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import DataTable, Footer, Input, Static

from core.errors import BoxOfficeError
from core.gate import checkin
from core.venue import performances
from hardware.qr import Debouncer
from tui.format import local_time
from tui.lane import LaneStopped

if TYPE_CHECKING:
    from tui.gate_app import GateApp

IDLE_SECONDS: Final = 5.0          # back to READY after this long without a scan
DEBOUNCE_SECONDS: Final = 2.0      # the same code is not judged twice within this
COUNTERS_SECONDS: Final = 1.0      # the counters are read at most this often
RECENT_SCANS: Final = 50
NEXT_MODE: Final = {"entry": "exit", "exit": "status", "status": "entry"}

# A 5-row block font: '#' is ink. Narrow glyphs for I, space and hyphen keep the longest
# words ("NO RE-ENTRY", "WRONG EVENT") inside 80 columns.
_GLYPHS: Final[dict[str, tuple[str, ...]]] = {
    "A": (".###.", "#...#", "#####", "#...#", "#...#"),
    "B": ("####.", "#...#", "####.", "#...#", "####."),
    "C": (".####", "#....", "#....", "#....", ".####"),
    "D": ("####.", "#...#", "#...#", "#...#", "####."),
    "E": ("#####", "#....", "####.", "#....", "#####"),
    "F": ("#####", "#....", "####.", "#....", "#...."),
    "G": (".####", "#....", "#..##", "#...#", ".####"),
    "H": ("#...#", "#...#", "#####", "#...#", "#...#"),
    "I": ("###", ".#.", ".#.", ".#.", "###"),
    "J": ("..###", "...#.", "...#.", "#..#.", ".##.."),
    "K": ("#...#", "#..#.", "###..", "#..#.", "#...#"),
    "L": ("#....", "#....", "#....", "#....", "#####"),
    "M": ("#...#", "##.##", "#.#.#", "#...#", "#...#"),
    "N": ("#...#", "##..#", "#.#.#", "#..##", "#...#"),
    "O": (".###.", "#...#", "#...#", "#...#", ".###."),
    "P": ("####.", "#...#", "####.", "#....", "#...."),
    "Q": (".###.", "#...#", "#.#.#", "#..#.", ".##.#"),
    "R": ("####.", "#...#", "####.", "#..#.", "#...#"),
    "S": (".####", "#....", ".###.", "....#", "####."),
    "T": ("#####", "..#..", "..#..", "..#..", "..#.."),
    "U": ("#...#", "#...#", "#...#", "#...#", ".###."),
    "V": ("#...#", "#...#", "#...#", ".#.#.", "..#.."),
    "W": ("#...#", "#...#", "#.#.#", "##.##", "#...#"),
    "X": ("#...#", ".#.#.", "..#..", ".#.#.", "#...#"),
    "Y": ("#...#", ".#.#.", "..#..", "..#..", "..#.."),
    "Z": ("#####", "...#.", "..#..", ".#...", "#####"),
    "-": ("....", "....", "####", "....", "...."),
    " ": ("...", "...", "...", "...", "..."),
}
GLYPH_ROWS: Final = 5


def big_letters(word: str, width: int, height: int) -> list[str] | None:
    """`word` in the block font, scaled up as far as `width` x `height` cells allow
    (letters never taller than they are wide, in cells), every line the same length; None
    when it does not fit even at scale 1 or has a letter the font lacks."""
    glyphs = [_GLYPHS.get(letter) for letter in word.upper()]
    if not glyphs or any(glyph is None for glyph in glyphs):
        return None
    found = cast(list[tuple[str, ...]], glyphs)
    columns = sum(len(glyph[0]) for glyph in found) + len(found) - 1
    across, down = width // columns, height // GLYPH_ROWS
    if across < 1 or down < 1:
        return None
    down = min(down, across)
    across = min(across, 2 * down)
    rows = []
    for row in range(GLYPH_ROWS):
        line = ".".join(glyph[row] for glyph in found)
        drawn = "".join(("█" if dot == "#" else " ") * across for dot in line)
        rows.extend([drawn] * down)
    return rows


class VerdictBlock(Widget):
    """The big colour block: a word in block letters and a detail line. Its class says
    the tone (-go, -stop, -wait, -info, -idle), the stylesheet gives the colour."""

    DEFAULT_CSS = """
    VerdictBlock {
        content-align: center middle;
        text-style: bold;
    }
    """
    TONES: Final = ("go", "stop", "wait", "info", "idle")

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.word = ""
        self.detail = ""
        self.tone = "idle"

    def show(self, word: str, tone: str, detail: str = "") -> None:
        self.word, self.detail = word, detail
        self.tone = tone if tone in self.TONES else "stop"
        for name in self.TONES:
            self.set_class(name == self.tone, f"-{name}")
        self.refresh()

    def render(self) -> Text:
        width, height = self.content_size
        detail = textwrap.wrap(self.detail, max(width, 1)) if self.detail else []
        letters = big_letters(self.word, width, height - len(detail) - 1) or [self.word]
        # centred by hand: the letters' lines are all one length, so they stay aligned
        lines = [line.center(width) for line in letters]
        if detail:
            lines += ["", *(line.center(width) for line in detail)]
        return Text("\n".join(lines), no_wrap=True, overflow="crop")


class GateScreen(Screen[None]):
    """One gate lane: scan, see the verdict, hear the bell on a refusal."""

    CSS_PATH = "gate.tcss"
    AUTO_FOCUS = "#code"
    BINDINGS = [
        Binding("escape", "app.quit", "Quit", id="gate.quit"),
        Binding("f2", "next_mode", "Entry/exit/status", id="gate.mode"),
        Binding("f5", "reload", "Reload keys", id="gate.reload"),
    ]

    class CodeRead(Message):
        """The camera worker read a code (already debounced there)."""

        def __init__(self, code: str) -> None:
            super().__init__()
            self.code = code

    class LaneJudged(Message):
        """The lane worker has a verdict (online or from the pack), or an error."""

        def __init__(self, verdict: checkin.Verdict | None, online: bool,
                     error: str = "", stopped: bool = False) -> None:
            super().__init__()
            self.verdict, self.online, self.error, self.stopped = (verdict, online, error,
                                                                   stopped)

    class LaneSynced(Message):
        """The lane worker uploaded and pulled (or could not: `online` False)."""

        def __init__(self, online: bool, queue: int, stopped: str = "") -> None:
            super().__init__()
            self.online, self.queue, self.stopped = online, queue, stopped

    class CameraStopped(Message):
        """The frame source ended (a replay) or failed (`error` says why)."""

        def __init__(self, error: str = "") -> None:
            super().__init__()
            self.error = error

    def __init__(self) -> None:
        super().__init__()
        self._recent: deque[tuple[str, str, str]] = deque(maxlen=RECENT_SCANS)
        self._idle_timer: Timer | None = None
        self._counters_read_at = float("-inf")
        self.device = f"gate-{os.getpid()}"
        self._lane_state: tuple[str, int] = ("ONLINE", 0)

    @property
    def gate_app(self) -> GateApp:
        return cast("GateApp", self.app)

    def compose(self) -> ComposeResult:
        yield Static(id="heading")
        yield VerdictBlock(id="verdict")
        yield Static(id="counters")
        yield DataTable(id="scans", cursor_type="none", zebra_stripes=True)
        yield Input(placeholder="Scan or type a ticket code, then Enter", id="code",
                    max_length=4096, compact=True)
        yield Footer()

    def on_mount(self) -> None:
        app = self.gate_app
        self.debouncer = Debouncer(DEBOUNCE_SECONDS, refresh_on_repeat=True,
                                   clock=app.monotonic)
        self.performance = performances.get_performance(app.db, app.session.performance_id)
        table = self.query_one("#scans", DataTable)
        table.add_columns("Time", "Verdict", "Detail")
        table.can_focus = False
        self._show_heading()
        self._go_idle()
        self._read_counters()
        self.set_interval(COUNTERS_SECONDS, self._read_counters)
        if app.source is not None:
            self._read_camera(app.source, app.config.camera.decoder)
        if app.lane is not None:
            self._lane_state = ("ONLINE" if app.lane.online else "OFFLINE",
                                app.lane.queue_length)
            self._show_heading()
            self.set_interval(app.config.gate_server.lane_pull_seconds, self._sync_lane)

    def on_unmount(self) -> None:
        if self.gate_app.source is not None:
            self.gate_app.source.close()    # ends the camera worker's loop

    # -- codes in -------------------------------------------------------------------

    @on(Input.Submitted, "#code")
    def _typed(self, event: Input.Submitted) -> None:
        event.input.clear()
        code = event.value.strip()
        if code:
            self.judge(code)

    @on(CodeRead)
    def _camera_code(self, message: CodeRead) -> None:
        self.judge(message.code)

    @on(CameraStopped)
    def _camera_stopped(self, message: CameraStopped) -> None:
        if message.error:
            self.notify(message.error, title="Camera", severity="error", timeout=30)
            self.app.bell()
        else:
            self.notify("The replay has ended.", title="Camera")

    @work(thread=True, exclusive=True, group="camera")
    def _read_camera(self, source: Any, decoder_name: str) -> None:
        """Decode frames until the source ends; post each new code to the screen."""
        from hardware.camera import scan_loop
        from hardware.qr import make_decoder

        try:
            decoder = make_decoder(decoder_name)
            debouncer = Debouncer(DEBOUNCE_SECONDS, refresh_on_repeat=True)
            for code in scan_loop(source, decoder, debouncer):
                self.post_message(self.CodeRead(code))
        except BoxOfficeError as error:
            self.post_message(self.CameraStopped(error.message))
            return
        self.post_message(self.CameraStopped())

    # -- the verdict ----------------------------------------------------------------

    def judge(self, code: str) -> None:
        """Judge a code unless the same one was judged less than 2 s ago, and show it."""
        if not self.debouncer.accept(code):
            return
        app = self.gate_app
        now = app.clock()
        if app.lane is not None:
            self._judge_on_lane(code, now)
            return
        try:
            verdict = checkin.scan(app.db, app.session, code, now=now,
                                   nonce=secrets.token_hex(12), device=self.device)
        except BoxOfficeError as error:   # not the code's fault: the gate cannot judge
            self._show("ERROR", "stop", error.message)
            return
        self._record(verdict, now)

    def _record(self, verdict: checkin.Verdict, now: datetime) -> None:
        app = self.gate_app
        self._show(verdict.word, verdict.tone, verdict.detail)
        when = now.astimezone(app.session.zone).strftime("%H:%M:%S")
        self._recent.appendleft((when, verdict.word, verdict.detail))
        table = self.query_one("#scans", DataTable)
        table.clear()
        for row in self._recent:
            table.add_row(*row)
        if time.monotonic() - self._counters_read_at >= COUNTERS_SECONDS:
            self._read_counters()    # else the next tick of the interval reads them

    # -- an online lane -------------------------------------------------------------

    @work(thread=True, group="lane-judge")
    def _judge_on_lane(self, code: str, now: datetime) -> None:
        lane = self.gate_app.lane
        assert lane is not None
        try:
            judged = lane.judge(code, now)
        except LaneStopped as error:
            self.post_message(self.LaneJudged(None, False, error.message, stopped=True))
            return
        except BoxOfficeError as error:
            self.post_message(self.LaneJudged(None, lane.online, error.message))
            return
        self.post_message(self.LaneJudged(judged.verdict, judged.online))
        self.post_message(self.LaneSynced(lane.online, lane.queue_length))

    @on(LaneJudged)
    def _lane_judged(self, message: LaneJudged) -> None:
        if message.verdict is None:
            self._show("STOPPED" if message.stopped else "ERROR", "stop", message.error)
            if message.stopped:
                self._lane_state = ("STOPPED", 0)
                self._show_heading()
            return
        self._record(message.verdict, self.gate_app.clock())

    @work(thread=True, exclusive=True, group="lane-sync")
    def _sync_lane(self) -> None:
        lane = self.gate_app.lane
        assert lane is not None
        try:
            lane.sync()
        except LaneStopped as error:
            self.post_message(self.LaneSynced(False, lane.queue_length, error.message))
            return
        except BoxOfficeError as error:
            self.post_message(self.LaneSynced(False, lane.queue_length, ""))
            self.log.warning(f"lane sync: {error.message}")
            return
        self.post_message(self.LaneSynced(lane.online, lane.queue_length))

    @on(LaneSynced)
    def _lane_synced(self, message: LaneSynced) -> None:
        if message.stopped:
            self._lane_state = ("STOPPED", message.queue)
            self._show("STOPPED", "stop", message.stopped)
        elif self._lane_state[0] != "STOPPED":
            self._lane_state = ("ONLINE" if message.online else "OFFLINE", message.queue)
        self._show_heading()

    def _show(self, word: str, tone: str, detail: str) -> None:
        self.query_one("#verdict", VerdictBlock).show(word, tone, detail)
        if tone == "stop":
            self.app.bell()
        if self._idle_timer is not None:
            self._idle_timer.stop()
        self._idle_timer = self.set_timer(IDLE_SECONDS, self._go_idle)

    def _go_idle(self) -> None:
        session = self.gate_app.session
        self.query_one("#verdict", VerdictBlock).show(
            "READY", "idle", f"Gate {session.gate} · {session.mode.upper()} · "
            f"{self.performance.event_name}")

    def _show_heading(self) -> None:
        session, app = self.gate_app.session, self.gate_app
        parts: list[str | tuple[str, str]] = [
            (f" {session.gate} ", "reverse bold"), " ", (session.mode.upper(), "bold"), "  "]
        if app.lane is not None:
            state, queue = self._lane_state
            style = {"ONLINE": "bold green", "OFFLINE": "bold yellow"}.get(state, "bold red")
            parts += [(f"{state}", style), f" queue {queue}  "]
        parts += [self.performance.event_name, "  ",
                  (local_time(self.performance.starts_at, app.config.zone), "dim")]
        self.query_one("#heading", Static).update(Text.assemble(*parts))

    # -- counters -------------------------------------------------------------------

    def _read_counters(self) -> None:
        app = self.gate_app
        self._counters_read_at = time.monotonic()
        if app.lane is not None:
            with app.lane.lock:     # the lane's workers share its pack's connection
                figures = checkin.counters(app.db, app.session.performance_id,
                                           app.session.gate, app.clock())
        else:
            figures = checkin.counters(app.db, app.session.performance_id,
                                       app.session.gate, app.clock())
        # the most frequent refusals first: they are what the lane needs to know
        ranked = sorted(figures.refusals.items(), key=lambda item: (-item[1], item[0]))
        refused = ", ".join(f"{checkin.WORDS.get(code, code)} {count}"
                            for code, count in ranked) or "none"
        self.query_one("#counters", Static).update(Text.assemble(
            "Admitted here ", (str(figures.admitted_here), "bold"),
            "  Inside ", (f"{figures.inside}/{figures.sold}", "bold"),
            "  Scans/min ", (str(figures.scans_last_minute), "bold"),
            "  Refused: ", refused))

    # -- keys -----------------------------------------------------------------------

    def action_next_mode(self) -> None:
        session = self.gate_app.session
        if self.gate_app.lane is not None:
            self.gate_app.lane.set_mode(NEXT_MODE[session.mode])
        else:
            session.mode = cast(checkin.Mode, NEXT_MODE[session.mode])
        self.debouncer.reset()
        self._show_heading()
        self._go_idle()

    def action_reload(self) -> None:
        if self.gate_app.lane is not None:
            self._sync_lane()
            self.notify("Uploading and pulling changes from the check-in server.",
                        title="Gate")
            return
        self.gate_app.session.refresh(self.gate_app.db)
        self.notify("Keys, revocations and the re-entry policy reloaded.", title="Gate")
