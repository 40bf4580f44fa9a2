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
