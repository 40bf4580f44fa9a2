"""Lanes for the online-gate tests: a box office with sold stadium tickets, their codes,
and a coordinator to issue tokens."""

from __future__ import annotations

from datetime import datetime, timedelta

from core.sales import models
from core.store.db import Database
from tests.support.constants import ZONE
from tests.support.dates import day_at

# The demo's stadium match kicks off five days after the pinned instant at 15:00 in New
# York; an hour before, its gates admit.
KICK_OFF = day_at(5, "15:00", ZONE)
AT_GATE = KICK_OFF - timedelta(hours=1)


def stadium_labels(count: int, section: str = "101") -> list[str]:
    """`count` seat labels of a stadium section, row by row (20 seats a row)."""
    return [f"{section}-{1 + i // 20}-{1 + i % 20}" for i in range(count)]


def ticket_ids(order: models.Order) -> list[int]:
    return [ticket.id for ticket in order.tickets]


def scans_of(db: Database, sql: str, params: list[object] | None = None) -> int:
    return int(db.execute(sql, params or []).fetchone()[0])


def at(moment: datetime, seconds: float) -> datetime:
    return moment + timedelta(seconds=seconds)
