"""Dates for tests, always relative to the pinned instant: a literal date in a test goes off
the day it passes, a date written as "FIXED_NOW + 43 days" never does."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo

from tests.support.constants import FIXED_NOW


def day_at(days: int, clock_time: str, zone: tzinfo = UTC) -> datetime:
    """The wall-clock time `clock_time` ("19:30") in `zone`, `days` days after the pinned
    instant's date there."""
    day = (FIXED_NOW.astimezone(zone) + timedelta(days=days)).date()
    hour, minute = (int(part) for part in clock_time.split(":"))
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)


def typed(moment: datetime) -> str:
    """As a coordinator types a local time: YYYY-MM-DD HH:MM."""
    return moment.strftime("%Y-%m-%d %H:%M")


def stamp(moment: datetime) -> str:
    """As the database stores a time: UTC ISO 8601 to the second, with its +00:00."""
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def clock_change_time(zone: tzinfo, *, forward: bool) -> datetime:
    """A naive wall time at half past in the hour the next clock change after the pinned
    instant skips (`forward`: it does not exist in `zone`) or repeats (back: it happens
    twice), searched hour by hour, never written down."""
    moment = FIXED_NOW
    for _ in range(24 * 400):
        later = moment + timedelta(hours=1)
        before, after = moment.astimezone(zone).utcoffset(), later.astimezone(zone).utcoffset()
        assert before is not None and after is not None
        if before != after and (after > before) == forward:
            local = later.astimezone(zone).replace(tzinfo=None, minute=30)
            return local - timedelta(hours=1) if forward else local   # 02:30 or 01:30
        moment = later
    raise AssertionError("no clock change within 400 days")
