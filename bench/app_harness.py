"""The window-app benchmark's harness: a clock on every frame Textual composes, child
processes that report one JSON line, the demo database, quantiles, the machine."""

from __future__ import annotations

import os
import sys
import time

# perf_counter is CLOCK_MONOTONIC on Linux, one clock for the whole machine: a child's
# timestamps compare with the parent's spawn time.
SECTION = "201"               # the stadium's biggest section (1,006 seats)


SYNTH_COLUMNS = 250


SYNTH_ROWS = 200


MAP_SIZE = (120, 50)


START_SIZE = (80, 24)


RESULT_TAG = "BENCH_RESULT "


STEP_KEYS = ("right", "left", "down", "up")


USERNAME = "sam"              # the demo's seller


PIN = "1111"


SEED_SEATS = 3                # seats put in the cart on each map before the sale figures


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

    # the child is bench_app.py itself, so its clock starts at that script's first statement
    here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "bench_app.py")
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


def merge(runs: list[dict], key: str, field: str) -> list[float]:
    return [value for run in runs if key in run for value in run[key][field]]
