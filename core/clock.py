"""The one source of the current time.

Services never read the wall clock: they take `now` from their caller. The callers (the
`boxoffice` commands, the window app, the gate) ask this function, and nothing else in
core/, tui/ or hardware/ calls `datetime.now()`, `date.today()` or `time.time()`
(tests/test_clock.py enforces it). Tests pin this clock (time-machine), so a date written
in a test is always relative to the pinned instant and never goes stale. Monotonic timers
for timeouts and debounces are not the wall clock and stay where they are.
"""

from __future__ import annotations

from datetime import UTC, datetime


def now() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)
