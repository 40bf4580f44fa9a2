"""Time as the database keeps it: UTC ISO 8601 text, comparable as text."""

from __future__ import annotations

from datetime import UTC, datetime

from core.errors import BoxOfficeError


def stamp(moment: datetime) -> str:
    """Times as stored: UTC ISO 8601, comparable as text."""
    if moment.tzinfo is None:
        raise BoxOfficeError("internal: a naive time reached the database", code="naive_time")
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def parse_stamp(text: str) -> datetime:
    """A stored time back as an aware UTC datetime (a naive one is taken as UTC)."""
    moment = datetime.fromisoformat(text)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
