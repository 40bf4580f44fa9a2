"""Window-app benchmarks: cold start, seat map open, cursor moves and seat toggles during a
sale (the budgets in bench/README.md).

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

from app_children import (  # noqa: E402
    bench_open_cold,
    bench_startup,
    child_app,
    child_bare_textual,
    child_imports,
    child_open,
    child_python,
)
from app_harness import (  # noqa: E402
    FrameClock,
    build_demo_db,
    machine,
)
from app_report import budget_table, open_tables, sale_tables, widget_tables  # noqa: E402
from app_scenarios import bench_open_warm, bench_widgets, map_cases  # noqa: E402


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
            child_python(T_TOP)
        elif mode == "imports":
            child_imports(T_TOP)
        elif mode == "bare":
            child_bare_textual(T_TOP)
        elif mode == "app":
            child_app(T_TOP, sys.argv[3])
        elif mode == "open":
            child_open(T_TOP, sys.argv[3])
        else:
            raise SystemExit(f"unknown child mode {mode}")
    else:
        main()
