"""The window-app benchmark in fresh processes: what each child measures from its first
statement (python alone, the imports, a bare Textual app, our app's start and its first
map), and the cold starts and first opens the parent runs them for."""

from __future__ import annotations

import time

from app_harness import (
    MAP_SIZE,
    START_SIZE,
    FrameClock,
    emit,
    median,
    ms,
    rss_mb,
    run_child,
)
from app_scenarios import demo_performances, open_sequence, sign_in


def child_python(top: float) -> None:
    emit({"top": top, "first_frame": time.perf_counter(), "rss_mb": rss_mb()})


def child_imports(top: float) -> None:
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
         ["core.config", "core.store.schema", "core.admin.demo", "core.venue.performances"]),
        ("tui.app", ["tui.app"]),
        ("tui.screens.login (the first screen)", ["tui.screens.login"]),
        ("tui.screens.performances and shift (after sign-in)",
         ["tui.screens.performances", "tui.screens.shift"]),
        ("tui.screens.sell and overview (at the first map open)",
         ["tui.screens.sell", "tui.screens.overview"]),
    ]
    out = {"top": top, "steps": []}
    for label, modules in steps:
        t = time.perf_counter()
        for module in modules:
            importlib.import_module(module)
        out["steps"].append((label, time.perf_counter() - t))
    emit(out)


def child_bare_textual(top: float) -> None:
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
        return {"top": top, "imported": imported, "db": imported, "ready": ready,
                "first_frame": first, "rss_mb": rss}

    emit(asyncio.run(run()))


def child_app(top: float, db_path: str) -> None:
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
        return {"top": top, "imported": imported, "db": opened, "ready": ready,
                "first_frame": first, "first_any_frame": any_first, "rss_mb": rss}

    emit(asyncio.run(run()))


def child_open(top: float, db_path: str) -> None:
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
