"""Waiting on worker processes by polling against the monotonic clock.

multiprocessing's timed waits (Event.wait, Queue.get, Barrier.wait with a timeout) end at a
deadline on the wall clock that the kernel checks: on a machine whose clock was set back
(or in CI's shifted-clock run) they return at once. Polling with a monotonic deadline waits
the time it says, whatever the date.
"""

from __future__ import annotations

import queue
import time
from typing import Any

POLL_S = 0.01


def wait_set(event: Any, seconds: float) -> bool:
    """Wait until a multiprocessing Event is set; False after `seconds`."""
    deadline = time.monotonic() + seconds
    while not event.is_set():
        if time.monotonic() >= deadline:
            return False
        time.sleep(POLL_S)
    return True


def next_result(results: Any, seconds: float) -> Any:
    """The next item of a multiprocessing Queue; queue.Empty after `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            return results.get_nowait()
        except queue.Empty:
            if time.monotonic() >= deadline:
                raise
            time.sleep(POLL_S)
