"""The window's screens driven by Textual's Pilot."""

from __future__ import annotations

import asyncio
import time

import textual.app

IDLE_STEP_S = 1 / 500


async def _idle_between_keys(min_sleep: float = 0.0, max_sleep: float = 1.0) -> None:
    """Textual's wait_for_idle (textual/_wait.py) in steps of 2 ms, not 20: wait until
    a step used under 5% of its time in CPU (the process's CPU clock: worker threads
    count). Pilot waits so twice after every key it presses, which made the screen tests
    mostly sleep (a 100-key test slept 5 s). `pilot.pause()` keeps Textual's own."""
    start = time.monotonic()
    while True:
        cpu = time.process_time()
        await asyncio.sleep(IDLE_STEP_S)
        elapsed = time.monotonic() - start
        if elapsed >= max_sleep:
            return
        if elapsed > min_sleep and time.process_time() - cpu < IDLE_STEP_S / 20:
            return


textual.app.wait_for_idle = _idle_between_keys  # type: ignore[attr-defined]
