"""The window-app benchmark's report: Markdown tables of the figures, beside their bare
baselines and the budgets."""

from __future__ import annotations

from app_harness import MAP_SIZE, SECTION, SEED_SEATS, USERNAME, median, merge, ms, quantile


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
    out = ["### Against the budgets (bench/README.md; informational, nothing fails)", "",
           "| what | measured | budget | |", "| --- | --- | --- | --- |"]
    for what, value, budget, shown, budget_text in rows:
        out.append(f"| {what} | {shown} | {budget_text} | {verdict(value, budget)} |")
    out.append("")
    return out
