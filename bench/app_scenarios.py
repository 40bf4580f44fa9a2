"""The window-app benchmark's scenarios: what a child process measures (python, imports, a
bare Textual app, our app's start and first map), the drawings and widgets raced against
bare line-API widgets, and the warm opens, moves and seat toggles during a sale."""

from __future__ import annotations

import time

from app_harness import (
    MAP_SIZE,
    PIN,
    SECTION,
    SEED_SEATS,
    STEP_KEYS,
    SYNTH_COLUMNS,
    SYNTH_ROWS,
    USERNAME,
    FrameClock,
)


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
    from tui.screens.overview import SellOverviewScreen, open_performance
    from tui.screens.performances import PerformancesScreen
    from tui.screens.sell import SellScreen

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
    from tui.screens.overview import SellOverviewScreen, open_performance
    from tui.screens.performances import PerformancesScreen
    from tui.screens.sell import SellScreen
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


