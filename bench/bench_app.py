"""Window-app benchmarks: cold start, seat map open, cursor moves and seat toggles during a
sale (DESIGN.md budgets).

Run from the repo root:  python bench/bench_app.py [--quick]   (or: make bench)

It only measures and prints a Markdown report; it never fails on a slow figure. Competing
variants (our widget against a bare line-API widget, our screen against a bare screen, our
app against a bare Textual app) are interleaved in one run, so machine noise hits them
alike. bench/README.md says what each figure means.

"A frame" below is Textual composing a screen update (App._display is called with it):
headless, nothing is written to a terminal, but every changed widget line has been rendered.
"""

# The first statement: a child process reports its start against this.
import time

T_TOP = time.perf_counter()

import os  # noqa: E402
import sys  # noqa: E402

# perf_counter is CLOCK_MONOTONIC on Linux, one clock for the whole machine: a child's
# timestamps compare with the parent's spawn time.
SECTION = "201"               # the stadium's biggest section (1,006 seats)
SYNTH_COLUMNS, SYNTH_ROWS = 250, 200
MAP_SIZE = (120, 50)
START_SIZE = (80, 24)
RESULT_TAG = "BENCH_RESULT "
STEP_KEYS = ("right", "left", "down", "up")
USERNAME, PIN = "sam", "1111"  # the demo's seller
SEED_SEATS = 3                # seats put in the cart on each map before the sale figures


# ----------------------------------------------------------------------------------------
# frame clock
# ----------------------------------------------------------------------------------------

class FrameClock:
    """Hooks Textual (in this process only) to timestamp every composed frame, and to add
    up the time spent in the screens' update tick (layout, compositor, render_line)."""

    def __init__(self) -> None:
        self.frames: list[tuple[float, type]] = []    # (perf_counter, type of the screen)
        self.paint_cpu = 0.0
        self.predicate = None      # optional: called with the screen at each frame
        self.marks: list[tuple[float, object]] = []

    def install(self) -> None:
        from textual.app import App
        from textual.screen import Screen

        clock = self
        original_display = App._display
        original_tick = Screen._on_timer_update

        def _display(app, screen, renderable):  # type: ignore[no-untyped-def]
            original_display(app, screen, renderable)
            if renderable is not None and not app._batch_count:
                now = time.perf_counter()
                clock.frames.append((now, type(screen)))   # no reference to the screen
                if clock.predicate is not None:
                    clock.marks.append((now, clock.predicate(screen)))

        def _on_timer_update(screen):  # type: ignore[no-untyped-def]
            cpu = time.process_time()
            original_tick(screen)
            clock.paint_cpu += time.process_time() - cpu

        App._display = _display  # type: ignore[method-assign]
        Screen._on_timer_update = _on_timer_update  # type: ignore[method-assign]

    def frames_after(self, since: float, screen_type: type | None = None) -> list[float]:
        return [t for t, kind in self.frames if t > since
                and (screen_type is None or issubclass(kind, screen_type))]

    async def settle(self, pilot, since: float, quiet: float = 0.12,  # type: ignore[no-untyped-def]
                     timeout: float = 10.0) -> None:
        """Wait until no frame has come for `quiet` seconds: the screen is at rest."""
        import asyncio

        await pilot._wait_for_screen()
        start = time.perf_counter()
        while True:
            await asyncio.sleep(0.02)
            last = max([since, *(t for t, _ in self.frames[-1:])])
            now = time.perf_counter()
            if now - last >= quiet or now - start > timeout:
                return

    async def press_all(self, pilot, keys: list[str], settle: float = 0.0,  # type: ignore[no-untyped-def]
                        check=None) -> dict:  # type: ignore[no-untyped-def]
        """Press keys one at a time through the pilot; per press: latency to the first
        frame after it (the cursor drawn) and to the last one (the screen complete: the
        pilot returns only after the app has been idle for a while), frames drawn, process
        time of the whole press, and paint time within it.

        settle > 0: after the press, also wait until no frame came for that long, so a
        frame that comes late still counts as the press's last. check: called before each
        press, returns a function called after it that says whether the press did what it
        should (counted in "failed")."""
        latency, last, frames, cpu, paint = [], [], [], [], []
        missing = failed = 0
        for key in keys:
            verify = check() if check is not None else None
            n = len(self.frames)
            paint0 = self.paint_cpu
            cpu0 = time.process_time()
            t = time.perf_counter()
            await pilot.press(key)
            cpu.append(time.process_time() - cpu0)
            if settle:
                await self.settle(pilot, t, quiet=settle)
            paint.append(self.paint_cpu - paint0)
            frames.append(len(self.frames) - n)
            if len(self.frames) > n:
                latency.append(self.frames[n][0] - t)
                last.append(self.frames[-1][0] - t)
            else:
                missing += 1
            if verify is not None and not verify():
                failed += 1
        return {"latency": latency, "last": last, "frames": frames, "cpu": cpu,
                "paint": paint, "missing": missing, "failed": failed}


def rss_mb() -> float:
    """Peak RSS of this process so far, in MiB.

    VmHWM from /proc rather than getrusage's ru_maxrss: Linux carries ru_maxrss over
    fork and exec, so a child would report its (bigger) parent's peak.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024   # KiB on Linux


def emit(result: dict) -> None:
    import json

    sys.stdout.write(RESULT_TAG + json.dumps(result) + "\n")
    sys.stdout.flush()


# ----------------------------------------------------------------------------------------
# child processes (each a fresh interpreter)
# ----------------------------------------------------------------------------------------

def child_python() -> None:
    emit({"top": T_TOP, "first_frame": time.perf_counter(), "rss_mb": rss_mb()})


def child_imports() -> None:
    """What the app's imports cost, step by step, in the order the app needs them."""
    import importlib

    steps = [
        ("textual.app", ["textual.app"]),
        ("textual widgets (DataTable, Footer, Static)",
         ["textual.widgets._data_table", "textual.widgets._footer",
          "textual.widgets._static"]),
        ("numpy (imported by sqlite_utils when installed)", ["numpy"]),
        ("sqlite_utils (without numpy)", ["sqlite_utils"]),
        ("core (config, schema, demo, performances, venues, seatmap)",
         ["core.config", "core.schema", "core.demo", "core.performances"]),
        ("tui.app", ["tui.app"]),
        ("tui.screens.login (the first screen)", ["tui.screens.login"]),
        ("tui.screens.performances and shift (after sign-in)",
         ["tui.screens.performances", "tui.screens.shift"]),
        ("tui.screens.sell and overview (at the first map open)",
         ["tui.screens.sell", "tui.screens.overview"]),
    ]
    out = {"top": T_TOP, "steps": []}
    for label, modules in steps:
        t = time.perf_counter()
        for module in modules:
            importlib.import_module(module)
        out["steps"].append((label, time.perf_counter() - t))
    emit(out)


def child_bare_textual() -> None:
    """The floor: a Textual app with one Static, started the same way as ours."""
    import asyncio

    from textual.app import App, ComposeResult
    from textual.widgets import Static

    imported = time.perf_counter()
    clock = FrameClock()
    clock.install()

    class Bare(App[None]):
        def compose(self) -> ComposeResult:
            yield Static("Box office")

    async def run() -> dict:
        app = Bare()
        async with app.run_test(size=START_SIZE) as pilot:
            ready = time.perf_counter()
            await clock.settle(pilot, ready, quiet=0.05)
            rss = rss_mb()
        first = clock.frames[0][0] if clock.frames else None
        return {"top": T_TOP, "imported": imported, "db": imported, "ready": ready,
                "first_frame": first, "rss_mb": rss}

    emit(asyncio.run(run()))


def child_app(db_path: str) -> None:
    """Our app, cold: import, open the database, run headless until the sign-in screen
    is on screen with its form and the demo's users."""
    import asyncio

    from textual.widgets import Static

    from core.config import Config
    from core.store.schema import open_database
    from tui.app import BoxOfficeApp
    from tui.screens.login import LoginScreen

    imported = time.perf_counter()
    db = open_database(db_path)
    opened = time.perf_counter()
    clock = FrameClock()

    def shows_form(screen: object) -> bool:
        return isinstance(screen, LoginScreen) and \
            bool(str(screen.query_one("#demo-users", Static).content))

    clock.predicate = shows_form
    clock.install()

    async def run() -> dict:
        app = BoxOfficeApp(db, Config())
        async with app.run_test(size=START_SIZE) as pilot:
            ready = time.perf_counter()
            await clock.settle(pilot, ready, quiet=0.05)
            rss = rss_mb()
            assert isinstance(app.screen, LoginScreen), app.screen
        first = next((t for t, ok in clock.marks if ok), None)
        any_first = next(iter(clock.frames_after(0, LoginScreen)), None)
        return {"top": T_TOP, "imported": imported, "db": opened, "ready": ready,
                "first_frame": first, "first_any_frame": any_first, "rss_mb": rss}

    emit(asyncio.run(run()))


def child_open(db_path: str) -> None:
    """First opens in a fresh process (lazy imports, seat map parse, drawing, mount)."""
    import asyncio

    from core.config import Config
    from core.store.schema import open_database
    from tui.app import BoxOfficeApp

    db = open_database(db_path)
    hall_id, stadium_id = demo_performances(db)
    clock = FrameClock()
    clock.install()

    async def run() -> dict:
        app = BoxOfficeApp(db, Config())
        out: dict = {}
        async with app.run_test(size=MAP_SIZE) as pilot:
            await clock.settle(pilot, time.perf_counter())
            out["rss_first_screen_mb"] = rss_mb()
            out["sign_in"] = await sign_in(app, pilot, clock)
            out.update(await open_sequence(app, pilot, clock, hall_id, stadium_id))
            out["rss_end_mb"] = rss_mb()
        return out

    emit(asyncio.run(run()))


def demo_performances(db) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    from core.venue import performances

    shows = performances.list_performances(db)
    return (next(p.id for p in shows if p.venue_kind != "stadium"),
            next(p.id for p in shows if p.venue_kind == "stadium"))


async def timed(out: dict, name: str, app, pilot, clock: FrameClock,  # type: ignore[no-untyped-def]
                screen_type: type, start) -> None:  # type: ignore[no-untyped-def]
    """Run `start` (it presses a key or schedules a push), wait until the app is at rest,
    and note the first and last frame of `screen_type` after it."""
    cpu0 = time.process_time()
    t0 = time.perf_counter()
    await start()
    await clock.settle(pilot, t0)
    frames = clock.frames_after(t0, screen_type)
    assert isinstance(app.screen, screen_type), (name, app.screen)
    out[name] = {"first": frames[0] - t0 if frames else None,
                 "settled": frames[-1] - t0 if frames else None,
                 "cpu": time.process_time() - cpu0}


async def back(app, pilot, clock: FrameClock, to: type) -> None:  # type: ignore[no-untyped-def]
    await pilot.press("escape")
    await clock.settle(pilot, time.perf_counter())
    assert isinstance(app.screen, to), app.screen


async def sign_in(app, pilot, clock: FrameClock) -> dict:  # type: ignore[no-untyped-def]
    """Sign in through the keys, as a seller does: user name, Enter, PIN, Enter. Timed:
    the last Enter to the performance list at rest. The demo seller's shift is opened
    beforehand (build_demo_db); should the float modal come anyway, its inputs are
    confirmed with Enter (untimed)."""
    from textual.widgets import Input

    from tui.screens.login import LoginScreen
    from tui.screens.performances import PerformancesScreen
    from tui.screens.shift import OpenShiftModal

    assert isinstance(app.screen, LoginScreen), app.screen
    await pilot.press(*USERNAME, "enter", *PIN)
    out: dict = {}

    async def enter() -> None:
        await pilot.press("enter")

    if isinstance(app.screen, LoginScreen):
        cpu0 = time.process_time()
        t0 = time.perf_counter()
        await enter()
        await clock.settle(pilot, t0)
        frames = clock.frames_after(t0, PerformancesScreen)
        out = {"first": frames[0] - t0 if frames else None,
               "settled": frames[-1] - t0 if frames else None,
               "cpu": time.process_time() - cpu0,
               "float_modal": isinstance(app.screen, OpenShiftModal)}
    if isinstance(app.screen, OpenShiftModal):
        for field in list(app.screen.query(Input).results(Input)):
            if field.id == "d2000":
                await pilot.press("backspace", "1", "0")
            await pilot.press("enter")
        await clock.settle(pilot, time.perf_counter())
    assert isinstance(app.screen, PerformancesScreen), app.screen
    return out


async def open_sequence(app, pilot, clock: FrameClock, hall_id: int,  # type: ignore[no-untyped-def]
                        stadium_id: int, moves: int = 0, bare_screens=()) -> dict:
    """In the real app, signed in, cart empty: open the hall (Enter on the list's first
    row), move its cursor, go back; open the stadium overview (open_performance), put its
    cursor on the biggest section, Enter, move the cursor, go back twice. `bare_screens`:
    (name, factory, with_moves) for screens pushed in between, floors to compare the
    hall's screen with."""
    from tui.screens.overview import SellOverviewScreen
    from tui.screens.performances import PerformancesScreen
    from tui.screens.sell import SellScreen, open_performance

    out: dict = {}

    async def press_enter() -> None:
        await pilot.press("enter")

    async def step_moves(name: str) -> None:
        if moves:
            await pilot.press("right", "left")           # warm-up
            out[name] = await clock.press_all(
                pilot, [STEP_KEYS[i % 4] for i in range(moves)])

    table = app.screen.query_one("#performances")
    row_key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
    assert int(row_key) == hall_id, "the first row should be the hall performance"

    await timed(out, "hall", app, pilot, clock, SellScreen, press_enter)
    await step_moves("hall_moves")
    await back(app, pilot, clock, PerformancesScreen)

    for name, factory, with_moves in bare_screens:
        screen = factory()

        async def push_bare(screen=screen) -> None:  # type: ignore[no-untyped-def]
            app.call_later(app.push_screen, screen)

        await timed(out, name, app, pilot, clock, type(screen), push_bare)
        if with_moves:
            await step_moves(f"{name}_moves")
        await back(app, pilot, clock, PerformancesScreen)

    async def open_stadium() -> None:
        app.call_later(open_performance, app, stadium_id)

    await timed(out, "overview", app, pilot, clock, SellOverviewScreen, open_stadium)
    app.screen.query_one("OverviewMap").select(SECTION)
    await clock.settle(pilot, time.perf_counter())
    await timed(out, "section", app, pilot, clock, SellScreen, press_enter)
    assert app.screen.drawing.title.endswith(SECTION), app.screen.drawing.title
    await step_moves("section_moves")
    await back(app, pilot, clock, SellOverviewScreen)
    await back(app, pilot, clock, PerformancesScreen)
    return out


async def sale_sequence(app, pilot, clock: FrameClock, stadium_id: int,  # type: ignore[no-untyped-def]
                        blocks: int, presses: int, hall_first: bool) -> dict:
    """During a sale: on the hall's SellScreen and on stadium section SECTION, put
    SEED_SEATS seats in the cart with space, then alternate blocks of cursor moves and of
    seat toggles (space on an available seat: in, then out again, so the cart stays
    small). The SellScreen's once-a-second countdown repaint is paused while presses are
    timed, so that its frame does not land in a press's window. Ends with the cart
    cancelled (through core), so the next run finds the same seats free.

    Run right after open_sequence in the same app: the hall and the overview are opened
    again, which resumes their installed screens (open_performance keeps them)."""
    from core.sales import carts
    from tui.screens.overview import SellOverviewScreen
    from tui.screens.performances import PerformancesScreen
    from tui.screens.sell import SellScreen, open_performance
    from tui.widgets.cart import CartPanel
    from tui.widgets.seatmap import SeatMap as SeatMapWidget

    out: dict = {}

    def ticket_count(screen) -> int:  # type: ignore[no-untyped-def]
        view = screen.query_one(CartPanel).view
        return view.ticket_count if view is not None else 0

    async def to_free_seat(seat_map) -> None:  # type: ignore[no-untyped-def]
        for _ in range(40):
            if seat_map.states.get(seat_map.seat.key) is None:
                return
            await pilot.press("right")
        raise AssertionError("no free seat to the right of the cursor")

    def toggled(screen, seat_map):  # type: ignore[no-untyped-def]
        """Before a space: what must be true after it."""
        seat = seat_map.seat
        was_mine = seat_map.states.get(seat.key, ("", None))[0] == "mine"
        count = ticket_count(screen)

        def verify() -> bool:
            state = seat_map.states.get(seat.key)
            if was_mine:
                return state is None and ticket_count(screen) == count - 1
            return state is not None and state[0] == "mine" and \
                ticket_count(screen) == count + 1
        return verify

    async def sell_here(name: str) -> None:
        screen = app.screen
        assert isinstance(screen, SellScreen), screen
        seat_map = screen.query_one(SeatMapWidget)
        before = ticket_count(screen)
        for _ in range(SEED_SEATS):
            await to_free_seat(seat_map)
            await pilot.press("space", "right")
        await clock.settle(pilot, time.perf_counter())
        assert ticket_count(screen) == before + SEED_SEATS, (ticket_count(screen), before)
        out[f"{name}_cart_tickets"] = ticket_count(screen)
        timers = [timer for timer in list(screen._timers)]
        for timer in timers:
            timer.pause()
        moves: list[dict] = []
        toggles: list[dict] = []
        await pilot.press("right", "left")                 # warm-up
        for block in range(blocks):
            for kind in (("moves", "toggles") if block % 2 == 0 else ("toggles", "moves")):
                if kind == "moves":
                    moves.append(await clock.press_all(
                        pilot, [STEP_KEYS[i % 4] for i in range(presses)], settle=0.05))
                else:
                    await to_free_seat(seat_map)
                    toggles.append(await clock.press_all(
                        pilot, ["space"] * (presses + presses % 2), settle=0.05,
                        check=lambda: toggled(screen, seat_map)))
        for timer in timers:
            timer.resume()
        out[f"{name}_sale_moves"] = moves
        out[f"{name}_toggles"] = toggles
        out[f"{name}_cart_tickets_after"] = ticket_count(screen)

    async def press_enter() -> None:
        await pilot.press("enter")

    async def open_stadium() -> None:
        app.call_later(open_performance, app, stadium_id)

    async def hall() -> None:
        await timed(out, "hall_reopen", app, pilot, clock, SellScreen, press_enter)
        await sell_here("hall")
        await back(app, pilot, clock, PerformancesScreen)

    async def stadium() -> None:
        await timed(out, "overview_reopen", app, pilot, clock, SellOverviewScreen,
                    open_stadium)
        app.screen.query_one("OverviewMap").select(SECTION)
        await clock.settle(pilot, time.perf_counter())
        await timed(out, "section_in_sale", app, pilot, clock, SellScreen, press_enter)
        await sell_here("section")
        await back(app, pilot, clock, SellOverviewScreen)
        await back(app, pilot, clock, PerformancesScreen)

    for part in ((hall, stadium) if hall_first else (stadium, hall)):
        await part()
    if app.sale.cart_id is not None:
        carts.cancel_cart(app.db, app.seller, app.sale.cart_id, app.clock())
        app.sale.clear()
    return out


# ----------------------------------------------------------------------------------------
# in-process: drawings and widgets
# ----------------------------------------------------------------------------------------

def synthetic_drawing():  # type: ignore[no-untyped-def]
    """250 x 200 = 50,000 seats: row labels at both ends, an aisle every 25 seats, four
    zones; ranked front centre first."""
    from core.seatmap.layout import Drawing
    from core.seatmap.model import Seat

    seats = []
    lines = [f"Synthetic stadium section - {SYNTH_COLUMNS * SYNTH_ROWS:,} seats"]
    width = 5 + SYNTH_COLUMNS + (SYNTH_COLUMNS - 1) // 25 + 5
    for r in range(SYNTH_ROWS):
        y = r + 1
        label = f"R{r + 1}"
        zone = "ABCD"[r * 4 // SYNTH_ROWS]
        line = [" "] * width
        line[0:len(label)] = label
        for i in range(SYNTH_COLUMNS):
            x = 5 + i + i // 25
            seats.append(Seat("SYN", label, i + 1, zone, zone, x, y,
                              rank=r * 1000 + abs(2 * i - SYNTH_COLUMNS)))
        line[width - len(label):] = label
        lines.append("".join(line).rstrip())
    return Drawing("Synthetic", width, len(lines), tuple(lines), tuple(seats))


def filled_lines(drawing) -> list[str]:  # type: ignore[no-untyped-def]
    """The drawing's lines with every seat's glyph in place: what the bare widget draws."""
    rows = [list(line.ljust(drawing.width)) for line in drawing.lines]
    for seat in drawing.seats:
        rows[seat.y][seat.x] = seat.glyph
    return ["".join(row) for row in rows]


def widget_classes():  # type: ignore[no-untyped-def]
    from rich.segment import Segment
    from rich.style import Style
    from textual.app import App, ComposeResult
    from textual.binding import Binding
    from textual.geometry import Region, Size, Spacing
    from textual.screen import Screen
    from textual.scroll_view import ScrollView
    from textual.strip import Strip
    from textual.widgets import Footer, Static

    from tui.widgets.seatmap import SeatMap

    class BareLines(ScrollView, can_focus=True):
        """The floor for a line-API map: the same cells as plain strips, a cursor cell,
        the same bindings and scroll-to-cursor call; no seats, zones or caching."""

        DEFAULT_CSS = """
        BareLines {
            height: 1fr;
            background: $surface;
        }
        """
        BINDINGS = [
            Binding("up", "move(0, -1)", show=False, priority=True),
            Binding("down", "move(0, 1)", show=False, priority=True),
            Binding("left", "move(-1, 0)", show=False, priority=True),
            Binding("right", "move(1, 0)", show=False, priority=True),
        ]
        REVERSE = Style(reverse=True, bold=True)

        def __init__(self, lines: list[str], width: int, start: tuple[int, int]) -> None:
            super().__init__()
            self.lines = lines
            self.cx, self.cy = start
            self.virtual_size = Size(width, len(lines))

        def render_line(self, y: int) -> Strip:
            scroll_x, scroll_y = self.scroll_offset
            line_y = y + scroll_y
            width = self.scrollable_content_region.width
            base = self.rich_style
            if line_y >= len(self.lines):
                return Strip.blank(width, base)
            text = self.lines[line_y]
            if line_y == self.cy:
                segments = [Segment(text[:self.cx], base),
                            Segment(text[self.cx], base + self.REVERSE),
                            Segment(text[self.cx + 1:], base)]
            else:
                segments = [Segment(text, base)]
            return Strip(segments, len(text)).crop_extend(scroll_x, scroll_x + width, base)

        def action_move(self, dx: int, dy: int) -> None:
            self.move_to(self.cx + dx, self.cy + dy)

        def move_to(self, x: int, y: int) -> None:
            old = self.cy
            self.cx = max(0, min(len(self.lines[0]) - 1, x))
            self.cy = max(0, min(len(self.lines) - 1, y))
            self.refresh_line(old)
            self.refresh_line(self.cy)
            self.scroll_to_region(Region(self.cx, self.cy, 1, 1), spacing=Spacing(2, 6, 1, 6),
                                  animate=False, force=True, immediate=True)

    class BareMapScreen(Screen[None]):
        """The floor for SellScreen: its layout (heading, map, info, legend, and a Footer
        unless footer=False) with the bare widget and fixed texts; no cart panel, no
        Input, no seat lookups."""

        AUTO_FOCUS = "BareLines"
        BINDINGS = [Binding("escape", "app.pop_screen", "Back")]
        DEFAULT_CSS = """
        BareMapScreen #heading, BareMapScreen #info { height: 1; padding: 0 1; }
        BareMapScreen #legend { height: auto; max-height: 2; padding: 0 1; }
        """

        def __init__(self, case: dict, footer: bool = True) -> None:
            super().__init__()
            self.case = case
            self.footer = footer

        def compose(self) -> ComposeResult:
            drawing = self.case["drawing"]
            seat = drawing.seats[self.case["start"]]
            yield Static("Heading", id="heading")
            yield BareLines(self.case["lines"], drawing.width, (seat.x, seat.y))
            yield Static("Seat", id="info")
            yield Static("Legend", id="legend")
            if self.footer:
                yield Footer()

    class BenchSeatMap(SeatMap):
        """The real SeatMap; only notes when its first cursor placement ran."""

        started_at: float | None = None

        def _start(self) -> None:
            super()._start()
            self.started_at = time.perf_counter()

    class Host(App[None]):
        """An empty app: the widget is mounted into it while the clock runs."""

    return BareLines, BareMapScreen, BenchSeatMap, Host


def nearest_seat(drawing, x: int, y: int) -> int:  # type: ignore[no-untyped-def]
    return min(range(len(drawing.seats)),
               key=lambda i: (abs(drawing.seats[i].y - y), abs(drawing.seats[i].x - x)))


async def bench_widget(kind: str, case: dict, clock: FrameClock, presses: int,
                       scroll_presses: int) -> dict:
    """Mount one widget into a fresh app, then move its cursor with the pilot."""
    BareLines, _, BenchSeatMap, Host = widget_classes()
    drawing = case["drawing"]
    app = Host()
    out: dict = {}
    async with app.run_test(size=MAP_SIZE) as pilot:
        await clock.settle(pilot, time.perf_counter(), quiet=0.05)
        cpu0 = time.process_time()
        t0 = time.perf_counter()
        if kind == "map":
            widget = BenchSeatMap(drawing, case["zones"])
        else:
            seat = drawing.seats[case["start"]]
            widget = BareLines(case["lines"], drawing.width, (seat.x, seat.y))
        await app.mount(widget)
        mounted = time.perf_counter()
        widget.focus()
        await clock.settle(pilot, t0)
        frames = clock.frames_after(t0)
        out["construct_mount"] = mounted - t0
        out["first"] = frames[0] - t0
        out["settled"] = frames[-1] - t0
        out["mount_cpu"] = time.process_time() - cpu0
        if kind == "map":
            assert widget.started_at is not None and widget.cursor == case["start"], \
                (widget.cursor, case["start"])
        await pilot.press("right", "left")            # warm-up, not measured
        out["step"] = await clock.press_all(pilot,
                                            [STEP_KEYS[i % 4] for i in range(presses)])
        if scroll_presses and drawing.height > MAP_SIZE[1]:
            # park the cursor half-way down, then every Down scrolls the view one line:
            # a repaint of the whole widget each time
            mid = nearest_seat(drawing, drawing.width // 2, drawing.height // 2)
            if kind == "map":
                widget.cursor = mid
            else:
                widget.move_to(drawing.seats[mid].x, drawing.seats[mid].y)
            await clock.settle(pilot, time.perf_counter(), quiet=0.05)
            offset = widget.scroll_offset.y
            out["scroll"] = await clock.press_all(pilot, ["down"] * scroll_presses)
            out["scrolled_lines"] = widget.scroll_offset.y - offset
    return out


def map_cases() -> dict:
    from core.admin.demo import HALL_FILE, STADIUM_FILE, shipped_seatmap
    from core.seatmap import parse_seatmap, section_drawing, venue_drawing
    from tui.widgets.seatmap import SeatMap

    hall = parse_seatmap(*shipped_seatmap(HALL_FILE))
    stadium = parse_seatmap(*shipped_seatmap(STADIUM_FILE))
    cases = {
        "hall": {"title": f"Aldridge Hall, whole venue ({hall.seat_count:,} seats)",
                 "drawing": venue_drawing(hall), "zones": hall.zones},
        "section": {"title": f"Harbor Stadium section {SECTION} "
                             f"({stadium.section(SECTION).seat_count:,} seats)",
                    "drawing": section_drawing(stadium, SECTION), "zones": stadium.zones},
        "synthetic": {"title": f"synthetic {SYNTH_COLUMNS} x {SYNTH_ROWS} "
                               f"({SYNTH_COLUMNS * SYNTH_ROWS:,} seats)",
                      "drawing": synthetic_drawing(),
                      "zones": {code: stadium.zones[code] for code in "ABCD"}},
    }
    for case in cases.values():
        drawing = case["drawing"]
        case["lines"] = filled_lines(drawing)
        # where the real widget puts its cursor first; the bare one starts there too
        case["start"] = SeatMap._best_seat_index(  # type: ignore[arg-type]
            type("Probe", (), {"drawing": drawing})())
    return cases


async def bench_widgets(cases: dict, clock: FrameClock, runs: int, presses: int,
                        scroll_presses: int) -> dict:
    variants = [(name, kind) for name in cases for kind in ("map", "bare")]
    results: dict = {variant: [] for variant in variants}
    for name, kind in variants:                     # warm-up round, not counted
        await bench_widget(kind, cases[name], clock, 4, 0)
    for rep in range(runs):
        order = variants[rep % len(variants):] + variants[:rep % len(variants)]
        for name, kind in order:
            results[(name, kind)].append(
                await bench_widget(kind, cases[name], clock, presses, scroll_presses))
    return results


async def bench_open_warm(db_path: str, hall_case: dict, clock: FrameClock, runs: int,
                          moves: int, sale_blocks: int, sale_presses: int) -> dict:
    """Sign-in, the open sequence and the sale sequence repeated in one process, a fresh
    app each run: seat maps already parsed, modules imported, CSS parsed (run 0, which
    does that, is not counted). The sale sequence alternates which map comes first."""
    import gc

    from core.config import Config
    from core.store.schema import open_database
    from tui.app import BoxOfficeApp

    _, BareMapScreen, _, _ = widget_classes()
    db = open_database(db_path)
    hall_id, stadium_id = demo_performances(db)
    results: list[dict] = []
    gen2: list[float] = []          # automatic full collections while measuring
    started: list[float] = []

    def on_gc(phase: str, info: dict) -> None:
        if info["generation"] == 2:
            if phase == "start":
                started[:] = [time.perf_counter()]
            elif started:
                gen2.append(time.perf_counter() - started[0])

    for rep in range(runs + 1):
        if rep == 1:
            gc.callbacks.append(on_gc)
        app = BoxOfficeApp(db, Config())
        async with app.run_test(size=MAP_SIZE) as pilot:
            await clock.settle(pilot, time.perf_counter())
            signed = await sign_in(app, pilot, clock)
            floors = [("bare_screen", lambda: BareMapScreen(hall_case), True),
                      ("bare_screen_no_footer", lambda: BareMapScreen(hall_case, False),
                       False)]
            result = await open_sequence(app, pilot, clock, hall_id, stadium_id,
                                         moves=moves if rep else 0,
                                         bare_screens=floors[rep % 2:] + floors[:rep % 2])
            result["sign_in"] = signed
            result.update(await sale_sequence(app, pilot, clock, stadium_id,
                                              sale_blocks if rep else 1,
                                              sale_presses if rep else 2, rep % 2 == 1))
        if rep:
            results.append(result)
    gc.callbacks.remove(on_gc)
    db.close()
    return {name: [r[name] for r in results] for name in results[0]} | {"gc_gen2": gen2}


# ----------------------------------------------------------------------------------------
# parent: running and reporting
# ----------------------------------------------------------------------------------------

def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def median(values: list[float]) -> float:
    import statistics

    return statistics.median(values) if values else float("nan")


def ms(seconds: float | None) -> str:
    if seconds is None or seconds != seconds:
        return "n/a"
    value = seconds * 1000
    return f"{value:,.0f}" if value >= 100 else f"{value:.1f}" if value >= 10 else \
        f"{value:.2f}"


def run_child(mode: str, db_path: str) -> dict:
    import json
    import subprocess

    here = os.path.abspath(__file__)
    spawned = time.perf_counter()
    proc = subprocess.run([sys.executable, here, "--child", mode, db_path],
                          capture_output=True, text=True, timeout=300,
                          cwd=os.path.dirname(os.path.dirname(here)))
    lines = [line for line in proc.stdout.splitlines() if line.startswith(RESULT_TAG)]
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"child {mode} failed ({proc.returncode}):\n{proc.stdout}\n"
                           f"{proc.stderr}")
    result = json.loads(lines[-1][len(RESULT_TAG):])
    result["spawned"] = spawned
    return result


def build_demo_db(directory: str) -> str:
    from core import clock
    from core.admin.demo import build_demo
    from core.config import Config
    from core.people.users import authenticate
    from core.store.schema import open_database
    from core.till.shifts import current_shift, open_shift

    path = os.path.join(directory, "bench-demo.db")
    db = open_database(path)
    now = clock.now()
    config = Config()
    build_demo(db, now=now, zone=config.zone)
    # the demo seller's shift, so that signing in goes straight to the performance list
    # (the float modal is not what this measures)
    seller = authenticate(db, USERNAME, PIN)
    if current_shift(db, seller.id) is None:
        open_shift(db, seller, station="window-1", float_counts={2000: 10}, now=now,
                   rules=config.shifts)
    db.close()
    return path


def machine() -> list[str]:
    import platform
    import sqlite3
    from importlib.metadata import version

    cpu = "unknown"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            cpu = next((line.split(":", 1)[1].strip() for line in info
                        if line.startswith("model name")), cpu)
    except OSError:
        pass
    try:
        numpy = f", numpy {version('numpy')} (installed)"
    except Exception:
        numpy = ", numpy not installed"
    return [
        f"- nproc: {os.cpu_count()} ({cpu}); load average before: "
        f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}",
        f"- python: {platform.python_version()} ({platform.python_implementation()}), "
        f"{platform.system()} {platform.release()}",
        f"- textual {version('textual')}, rich {version('rich')}, "
        f"sqlite-utils {version('sqlite-utils')}, SQLite {sqlite3.sqlite_version}{numpy}",
        f"- date: {time.strftime('%Y-%m-%d %H:%M')}",
    ]


def bench_startup(db_path: str, runs: int) -> tuple[list[str], dict]:
    modes = ["python", "bare", "app", "imports"]
    results: dict[str, list[dict]] = {m: [] for m in modes}
    first_run: dict[str, dict] = {}
    for rep in range(runs + 1):                 # rep 0: the first run, reported apart
        order = modes[rep % len(modes):] + modes[:rep % len(modes)]
        for mode in order:
            result = run_child(mode, db_path)
            if rep == 0:
                first_run[mode] = result
            else:
                results[mode].append(result)
    names = {"python": "`python` running this script's top (no imports)",
             "bare": "bare Textual app (one Static)",
             "app": "**BoxOfficeApp** on the demo database"}
    out = [f"### 1. Cold start to first screen ({runs} fresh processes each, interleaved, "
           f"headless {START_SIZE[0]}x{START_SIZE[1]})", "",
           "| process | spawn to first screen, median / max (ms) | interpreter start | "
           "imports | DB open | run_test to first frame | peak RSS median / max (MB) | "
           "very first run (ms) |",
           "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for mode in ("python", "bare", "app"):
        rows = results[mode]
        total = [r["first_frame"] - r["spawned"] for r in rows]
        interp = [r["top"] - r["spawned"] for r in rows]
        if mode == "python":
            parts = ["-", "-", "-"]
        else:
            parts = [ms(median([r["imported"] - r["top"] for r in rows])),
                     ms(median([r["db"] - r["imported"] for r in rows])) if mode == "app"
                     else "-",
                     ms(median([r["first_frame"] - r["db"] for r in rows]))]
        rss = [r["rss_mb"] for r in rows]
        first = first_run[mode]
        out.append(f"| {names[mode]} | {ms(median(total))} / {ms(max(total))} | "
                   f"{ms(median(interp))} | {' | '.join(parts)} | "
                   f"{median(rss):.1f} / {max(rss):.1f} | "
                   f"{ms(first['first_frame'] - first['spawned'])} |")
    app_rows = results["app"]
    gap = [r["first_frame"] - r["first_any_frame"] for r in app_rows
           if r.get("first_any_frame")]
    out += ["", "First screen: the first frame of the sign-in screen (LoginScreen) with its "
            "form and the demo's users (the screen's very first frame came "
            f"{ms(median(gap))} ms before it, median). Interpreter start: spawn to the "
            "child's first line. Very first run: the first process of each kind, before "
            "the others (the OS file cache is warm by then anyway).", "",
            "Where the app's import time goes (fresh processes, imported one step after "
            "the other, median):", "",
            "| import step | ms |", "| --- | --- |"]
    labels = [label for label, _ in results["imports"][0]["steps"]]
    for index, label in enumerate(labels):
        out.append(f"| {label} | "
                   f"{ms(median([r['steps'][index][1] for r in results['imports']]))} |")
    out.append("")
    summary = {"start_median": median([r["first_frame"] - r["spawned"] for r in app_rows]),
               "start_max": max(r["first_frame"] - r["spawned"] for r in app_rows),
               "rss_max": max(r["rss_mb"] for r in app_rows)}
    return out, summary


def bench_open_cold(db_path: str, runs: int) -> dict:
    rows = [run_child("open", db_path) for _ in range(runs)]
    return {name: [r[name] for r in rows] for name in rows[0] if name != "spawned"}


def merge(runs: list[dict], key: str, field: str) -> list[float]:
    return [value for run in runs if key in run for value in run[key][field]]


def move_row(title: str, widget: str, rs: list[dict], key: str, bare_cpu: float) -> str:
    lat = merge(rs, key, "latency")
    last = merge(rs, key, "last")
    cpu = merge(rs, key, "cpu")
    frames = merge(rs, key, "frames")
    missing = sum(r[key]["missing"] for r in rs if key in r)
    note = f" ({missing} presses drew nothing)" if missing else ""
    return (f"| {title} | {widget} | {ms(median(lat))} / {ms(quantile(lat, 0.95))}{note} | "
            f"{ms(median(last))} / {ms(quantile(last, 0.95))} | "
            f"{sum(frames) / max(1, len(frames)):.1f} | "
            f"{ms(median(cpu))} | {ms(median(merge(rs, key, 'paint')))} | "
            f"{median(cpu) / bare_cpu:.2f}x |")


MOVE_HEADER = ["| drawing | widget | cursor drawn: latency median / p95 (ms) | screen "
               "complete: latency median / p95 (ms) | frames per move | CPU per move (ms) | "
               "paint CPU per move (ms) | CPU vs bare |",
               "| --- | --- | --- | --- | --- | --- | --- | --- |"]


def widget_tables(cases: dict, results: dict, runs: int, presses: int) -> list[str]:
    out = [f"### 2. Seat map widget alone: mount ({runs} mounts each, interleaved, a fresh "
           f"app each, {MAP_SIZE[0]}x{MAP_SIZE[1]})", "",
           "| drawing | widget | cells | construct + mount (ms) | to first frame (ms) | "
           "to rest, cursor placed (ms) | CPU (ms) | first frame vs bare |",
           "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for name, case in cases.items():
        bare_first = median([r["first"] for r in results[(name, "bare")]])
        for kind in ("map", "bare"):
            rs = results[(name, kind)]
            first = median([r["first"] for r in rs])
            out.append(
                f"| {case['title']} | {'SeatMap' if kind == 'map' else 'bare line widget'} | "
                f"{case['cells']} | "
                f"{ms(median([r['construct_mount'] for r in rs]))} | "
                f"{ms(first)} (max {ms(max(r['first'] for r in rs))}) | "
                f"{ms(median([r['settled'] for r in rs]))} | "
                f"{ms(median([r['mount_cpu'] for r in rs]))} | "
                f"{first / bare_first:.2f}x |")
    out += ["", "Construct + mount: from before the widget's constructor to the end of "
            "`await app.mount(widget)`. First frame: the first composed frame that shows it. "
            "To rest: the last frame before the app went quiet (SeatMap places its cursor on "
            "the best seat after its first refresh, which costs a second paint; the bare "
            "widget is focused after mount, which repaints it too). CPU: process time over "
            "the whole mount, pilot included.", "",
            f"### 3. Cursor moves, widget alone ({runs} x {presses} presses each through "
            "the pilot, alternating Right, Left, Down, Up)", "", *MOVE_HEADER]
    for name, case in cases.items():
        bare_cpu = median(merge(results[(name, "bare")], "step", "cpu"))
        for kind in ("map", "bare"):
            out.append(move_row(case["title"], "SeatMap" if kind == "map" else "bare",
                                results[(name, kind)], "step", bare_cpu))
    out += ["", "Scrolling: the cursor parked half-way down the 50,000-seat drawing, then "
            "Down pressed again and again, so that every move scrolls the view one line and "
            "repaints the whole widget:", "", *MOVE_HEADER]
    bare_cpu = median(merge(results[("synthetic", "bare")], "scroll", "cpu"))
    for kind in ("map", "bare"):
        out.append(move_row(cases["synthetic"]["title"], "SeatMap" if kind == "map" else
                            "bare", results[("synthetic", kind)], "scroll", bare_cpu))
    scrolled = [r.get("scrolled_lines") for r in results[("synthetic", "map")]]
    out += ["", "Cursor drawn: from the key press to the first frame composed after it. "
            "Screen complete: to the last frame the press caused (for SellScreen, the seat "
            "description under the map comes one or two frames after the cursor). Textual "
            "paints at most 60 times a second: the first paint after a quiet spell is "
            "immediate, a following one waits for the next 16.7 ms tick. CPU per move: "
            "process time of the whole `pilot.press` (key dispatch, action, repaint, and "
            "the pilot's own idle polling, which the bare widget pays as well). Paint CPU: "
            "the part spent in the screens' update tick (layout, compositor, render_line). "
            f"Lines scrolled per SeatMap scrolling run: {scrolled}.", ""]
    return out


def open_tables(cold: dict, warm: dict, cold_runs: int, runs: int, moves: int) -> list[str]:
    def cell(rows: list[dict], field: str) -> str:
        values = [r[field] for r in rows if r[field] is not None]
        return f"{ms(median(values))} / {ms(max(values))}" if values else "n/a"

    out = ["### 4. Opening maps in the real app (BoxOfficeApp on the demo database, "
           f"{MAP_SIZE[0]}x{MAP_SIZE[1]}; {cold_runs} fresh processes, {runs} warm runs in "
           "one process, floors interleaved)", "",
           "| action | when | to first frame, median / max (ms) | to rest, median / max "
           "(ms) | CPU (ms) |",
           "| --- | --- | --- | --- | --- |"]
    labels = [("sign_in", f"sign in: Enter on the PIN ({USERNAME}, shift already open) to "
                          "the performance list"),
              ("hall", "Aldridge Hall map: Enter on its performance"),
              ("bare_screen", "floor: a bare screen of the same layout (bare widget with "
                              "the hall's cells, Statics, Footer) pushed"),
              ("bare_screen_no_footer", "floor without the Footer"),
              ("overview", "Harbor Stadium overview: `open_performance`"),
              ("section", f"stadium section {SECTION}: Enter on the overview"),
              ("hall_reopen", "Aldridge Hall again in the same window (its installed "
                              "SellScreen resumed)"),
              ("overview_reopen", "Harbor Stadium overview again (installed screen "
                                  "resumed)"),
              ("section_in_sale", f"stadium section {SECTION} again, {SEED_SEATS} hall "
                                  "seats in the cart (a new SellScreen)")]
    for name, label in labels:
        for when, data in (("first in a fresh process", cold), ("again (warm)", warm)):
            if name not in data:
                continue
            rows = data[name]
            out.append(f"| {label} | {when} | {cell(rows, 'first')} | "
                       f"{cell(rows, 'settled')} | {ms(median([r['cpu'] for r in rows]))} |")
    out += ["", "First in a fresh process: the first open after start-up, which also imports "
            "the map screens, parses their CSS and parses the venue's seat map file "
            "(cached per process afterwards; the section is drawn from the already parsed "
            "stadium). To rest: the last frame before the app went quiet (cursor placed, "
            "seat or section described, footer built). CPU includes the pilot's idle "
            "polling (about 40-50 ms per Enter). Peak RSS of those fresh processes: "
            f"{median(cold['rss_first_screen_mb']):.0f} MB at the first screen, "
            f"{median(cold['rss_end_mb']):.0f} MB after opening both maps. Full (generation "
            f"2) garbage collections during the {runs} warm runs: {len(warm['gc_gen2'])}, "
            f"median {ms(median(warm['gc_gen2']))} ms, longest "
            f"{ms(max(warm['gc_gen2'], default=None))} ms each: they land on whatever the "
            "app is doing at the time.", "",
            f"Cursor moves on the real screens ({runs} x {moves} presses, alternating "
            "Right, Left, Down, Up; SellScreen also describes the seat under the map on "
            "every move; cart empty):", "", *MOVE_HEADER]
    bare_cpu = median([c for r in warm["bare_screen_moves"] for c in r["cpu"]])

    def wrapped(rows: list[dict]) -> list[dict]:
        return [{"m": r} for r in rows]

    out.append(move_row("Aldridge Hall", "SellScreen", wrapped(warm["hall_moves"]), "m",
                        bare_cpu))
    out.append(move_row("Aldridge Hall cells", "bare screen",
                        wrapped(warm["bare_screen_moves"]), "m", bare_cpu))
    out.append(move_row(f"stadium section {SECTION}", "SellScreen",
                        wrapped(warm["section_moves"]), "m", bare_cpu))
    out.append("")
    return out


SALE_HEADER = ["| map | variant | key | first frame after the key: median / p95 (ms) | "
               "last frame it caused (screen complete): median / p95 (ms) | frames per "
               "press | CPU per press (ms) | paint CPU per press (ms) | CPU vs bare widget |",
               "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]


def sale_row(title: str, variant: str, key: str, rows: list[dict], bare_cpu: float) -> str:
    """One line of the sale table from press_all results (a list of them)."""
    lat = [x for r in rows for x in r["latency"]]
    last = [x for r in rows for x in r["last"]]
    cpu = [x for r in rows for x in r["cpu"]]
    frames = [x for r in rows for x in r["frames"]]
    paint = [x for r in rows for x in r["paint"]]
    missing = sum(r["missing"] for r in rows)
    failed = sum(r.get("failed", 0) for r in rows)
    notes = ([f"{missing} of {len(frames)} drew nothing"] if missing else []) + \
        ([f"{failed} did not do what they should"] if failed else [])
    note = f" ({'; '.join(notes)})" if notes else ""
    return (f"| {title} | {variant} | {key} | {ms(median(lat))} / {ms(quantile(lat, 0.95))}"
            f"{note} | {ms(median(last))} / {ms(quantile(last, 0.95))} | "
            f"{sum(frames) / max(1, len(frames)):.1f} | {ms(median(cpu))} | "
            f"{ms(median(paint))} | {median(cpu) / bare_cpu:.2f}x |")


def sale_tables(results: dict, warm: dict, runs: int, blocks: int, presses: int) -> list[str]:
    def flat(name: str) -> list[dict]:
        return [d for rep in warm[name] for d in rep]

    out = [f"### 5. During a sale: cursor moves and seat toggles on the SellScreen ({runs} "
           f"warm runs; per map and run {blocks} blocks of {presses} moves and "
           f"{presses + presses % 2} toggles, alternating), next to the bare line-API widget",
           "", *SALE_HEADER]
    maps = (("hall", "Aldridge Hall", "hall_moves"),
            ("section", f"stadium section {SECTION}", "section_moves"))
    for case, title, empty_moves in maps:
        bare = [r["step"] for r in results[(case, "bare")]]
        bare_cpu = median([x for r in bare for x in r["cpu"]])
        counts = warm[f"{case}_cart_tickets"]
        tickets = f"{min(counts)}" if min(counts) == max(counts) else \
            f"{min(counts)}-{max(counts)}"
        out += [
            sale_row(title, "bare line-API widget alone (section 3)", "arrows", bare,
                     bare_cpu),
            sale_row(title, "SeatMap alone (section 3)", "arrows",
                     [r["step"] for r in results[(case, "map")]], bare_cpu),
            sale_row(title, "SellScreen, cart empty (section 4)", "arrows", warm[empty_moves],
                     bare_cpu),
            sale_row(title, f"SellScreen, {tickets} tickets in the cart", "arrows",
                     flat(f"{case}_sale_moves"), bare_cpu),
            sale_row(title, f"SellScreen, {tickets} tickets in the cart",
                     "space (seat in / out)", flat(f"{case}_toggles"), bare_cpu),
        ]
    out += ["", f"The sale: signed in as {USERNAME} (keys), {SEED_SEATS} seats put in the "
            "cart with space on each map (the cart also holds the other map's when that one "
            "came first: the maps alternate), so the "
            "cart panel, its countdown and the seats' states are live. A toggle is space on "
            "an available seat, then space again on the same seat (in the cart, out again): "
            "a core write (`carts.add_seats` / `carts.remove_item`, BEGIN IMMEDIATE, "
            "synchronous=FULL), then the screen repaints the seat states and the cart "
            "panel. After each press the bench waits until no frame came for 50 ms, so "
            "\"last frame\" is the screen complete (seat painted as in the cart, cart panel "
            "and key hints redrawn); every toggle is checked (seat state and ticket count). "
            "The once-a-second countdown repaint of the cart is paused while presses are "
            "timed. CPU vs bare widget: against the bare widget alone on the same cells.",
            ""]
    return out


def budget_table(startup: dict, results: dict, cold: dict, warm: dict) -> list[str]:
    def rest(rows: list[dict]) -> float:
        return median([r["settled"] for r in rows])

    def moves(rows: list[dict]) -> tuple[float, float, float]:
        """Screen complete (median, p95), cursor drawn (median)."""
        last = [x for r in rows for x in r["last"]]
        return median(last), quantile(last, 0.95), \
            median([x for r in rows for x in r["latency"]])

    def verdict(value: float, budget: float) -> str:
        if budget <= 0:              # no budget of its own: shown against a frame (16 ms)
            return "(no budget) " + ("under 16 ms" if value < 16 else "**over 16 ms**")
        return "within" if value < budget else "**OVER**"

    hall = moves(warm["hall_moves"])
    section = moves(warm["section_moves"])
    hall_sale = moves([d for rep in warm["hall_sale_moves"] for d in rep])
    section_sale = moves([d for rep in warm["section_sale_moves"] for d in rep])
    hall_toggle = moves([d for rep in warm["hall_toggles"] for d in rep])
    section_toggle = moves([d for rep in warm["section_toggles"] for d in rep])
    synthetic = moves([r["step"] for r in results[("synthetic", "map")]])
    scroll = moves([r["scroll"] for r in results[("synthetic", "map")] if "scroll" in r])
    synthetic_mount = median([r["settled"] for r in results[("synthetic", "map")]])

    def move_text(m: tuple[float, float, float]) -> str:
        return f"{ms(m[0])} (p95 {ms(m[1])}; cursor drawn after {ms(m[2])})"

    rows = [
        ("cold start to first screen, median (max)", startup["start_median"] * 1000, 1000,
         f"{ms(startup['start_median'])} ({ms(startup['start_max'])}) ms", "< 1 s"),
        ("peak RSS at the first screen, max", startup["rss_max"], 120,
         f"{startup['rss_max']:.1f} MB", "< 120 MB"),
        ("hall map open, first in a process (to rest)", rest(cold["hall"]) * 1000, 50,
         f"{ms(rest(cold['hall']))} ms", "< 50 ms"),
        ("hall map open, warm (to rest)", rest(warm["hall"]) * 1000, 50,
         f"{ms(rest(warm['hall']))} ms", "< 50 ms"),
        ("hall map open again in the same window (installed screen, to rest)",
         rest(warm["hall_reopen"]) * 1000, 50, f"{ms(rest(warm['hall_reopen']))} ms",
         "< 50 ms"),
        ("hall cursor move in SellScreen, cart empty: to screen complete", hall[0] * 1000,
         16, move_text(hall) + " ms", "< 16 ms"),
        ("hall cursor move in SellScreen during a sale: to screen complete",
         hall_sale[0] * 1000, 16, move_text(hall_sale) + " ms", "< 16 ms"),
        ("hall seat toggle (space) during a sale: to screen complete",
         hall_toggle[0] * 1000, 0, move_text(hall_toggle).replace("cursor drawn",
                                                                   "first frame") + " ms",
         "none (move: < 16 ms)"),
        ("stadium overview, first in a process (to rest)", rest(cold["overview"]) * 1000,
         300, f"{ms(rest(cold['overview']))} ms", "< 300 ms"),
        ("stadium overview, warm (to rest)", rest(warm["overview"]) * 1000, 300,
         f"{ms(rest(warm['overview']))} ms", "< 300 ms"),
        ("stadium section, Enter on the overview (to rest)", rest(warm["section"]) * 1000,
         300, f"{ms(rest(warm['section']))} ms", "< 300 ms"),
        ("stadium section, Enter on the overview during a sale (to rest)",
         rest(warm["section_in_sale"]) * 1000, 300,
         f"{ms(rest(warm['section_in_sale']))} ms", "< 300 ms"),
        ("stadium section cursor move in SellScreen, cart empty: to screen complete",
         section[0] * 1000, 16,
         move_text(section) + " ms", "< 16 ms"),
        ("stadium section cursor move in SellScreen during a sale: to screen complete",
         section_sale[0] * 1000, 16, move_text(section_sale) + " ms", "< 16 ms"),
        ("stadium section seat toggle (space) during a sale: to screen complete",
         section_toggle[0] * 1000, 0, move_text(section_toggle).replace(
             "cursor drawn", "first frame") + " ms", "none (move: < 16 ms)"),
        ("50,000-seat SeatMap alone: mount (to rest)", synthetic_mount * 1000, 300,
         f"{ms(synthetic_mount)} ms", "< 300 ms"),
        ("50,000-seat SeatMap alone: cursor move, to screen complete",
         synthetic[0] * 1000, 16,
         move_text(synthetic) + " ms", "< 16 ms"),
        ("50,000-seat SeatMap alone: move that scrolls", scroll[0] * 1000, 16,
         move_text(scroll) + " ms", "< 16 ms"),
    ]
    out = ["### Against the budgets (DESIGN.md; informational, nothing fails)", "",
           "| what | measured | budget | |", "| --- | --- | --- | --- |"]
    for what, value, budget, shown, budget_text in rows:
        out.append(f"| {what} | {shown} | {budget_text} | {verdict(value, budget)} |")
    out.append("")
    return out


def main() -> None:
    import argparse
    import asyncio
    import gc
    import tempfile

    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    args = parser.parse_args()
    start_runs, open_runs, warm_runs, widget_runs, presses, app_moves, scroll_presses, \
        sale_blocks, sale_presses = (3, 2, 2, 2, 20, 20, 10, 2, 8) if args.quick else \
        (10, 5, 6, 5, 40, 30, 20, 4, 8)
    began = time.perf_counter()
    out = ["## Window-app benchmark" + (" (--quick)" if args.quick else ""), "", *machine(),
           ""]

    def progress(text: str) -> None:
        print(f"[{time.perf_counter() - began:5.0f} s] {text} ...", file=sys.stderr)

    with tempfile.TemporaryDirectory(prefix="boxoffice-bench-") as directory:
        progress("building the demo database")
        db_path = build_demo_db(directory)
        progress("cold starts")
        startup_lines, startup = bench_startup(db_path, start_runs)
        progress("first opens in fresh processes")
        cold = bench_open_cold(db_path, open_runs)
        clock = FrameClock()
        clock.install()
        progress("widgets alone")
        cases = map_cases()
        results = asyncio.run(bench_widgets(cases, clock, widget_runs, presses,
                                            scroll_presses))
        hall_case = cases["hall"]
        report_cases = {name: {"title": case["title"], "cells": f"{case['drawing'].width}x"
                                                                 f"{case['drawing'].height}"}
                        for name, case in cases.items()}
        del cases                # 50,000 seats are not in the app's heap: keep GC realistic
        gc.collect()
        progress("warm opens and moves in the app")
        warm = asyncio.run(bench_open_warm(db_path, hall_case, clock, warm_runs, app_moves,
                                           sale_blocks, sale_presses))
    out += startup_lines
    out += widget_tables(report_cases, results, widget_runs, presses)
    out += open_tables(cold, warm, open_runs, warm_runs, app_moves)
    out += sale_tables(results, warm, warm_runs, sale_blocks, sale_presses)
    out += budget_table(startup, results, cold, warm)
    out.append(f"Benchmark wall time: {time.perf_counter() - began:.0f} s; load average "
               f"after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}.")
    print("\n".join(out))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        mode = sys.argv[2]
        if mode == "python":
            child_python()
        elif mode == "imports":
            child_imports()
        elif mode == "bare":
            child_bare_textual()
        elif mode == "app":
            child_app(sys.argv[3])
        elif mode == "open":
            child_open(sys.argv[3])
        else:
            raise SystemExit(f"unknown child mode {mode}")
    else:
        main()
