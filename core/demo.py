"""The demo database: both shipped venues, an event in the hall, a game in the stadium,
and four demo users whose PINs the first screen shows."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from importlib import resources
from zoneinfo import ZoneInfo

import sqlite_utils

from core import performances, users, venues
from core.db import write

HALL_FILE = "aldridge-hall.toml"
STADIUM_FILE = "harbor-stadium.toml"

# The demo's PINs are shown on its first screen on purpose: it is a demo.
DEMO_USERS = (
    ("sam", "Sam Seller", "seller", "1111"),
    ("gia", "Gia Gate", "gate", "2222"),
    ("cora", "Cora Coordinator", "coordinator", "3333"),
    ("ada", "Ada Admin", "admin", "4444"),
)


@dataclass(frozen=True)
class DemoUser:
    username: str
    display_name: str
    role: str
    pin: str


def shipped_seatmap(name: str) -> tuple[str, str]:
    """(text, name) of a venue file shipped in the seatmaps package."""
    resource = resources.files("seatmaps").joinpath(name)
    return resource.read_text(encoding="utf-8"), f"seatmaps/{name}"


def is_demo(db: sqlite_utils.Database) -> bool:
    return db.execute("SELECT 1 FROM settings WHERE key = 'demo_users'").fetchone() is not None


def demo_users(db: sqlite_utils.Database) -> list[DemoUser]:
    row = db.execute("SELECT value FROM settings WHERE key = 'demo_users'").fetchone()
    return [DemoUser(**item) for item in json.loads(row[0])] if row else []


def build_demo(db: sqlite_utils.Database, *, now: datetime, zone: ZoneInfo) -> bool:
    """Fill an empty database with the demo; returns False (and changes nothing) when the
    database already holds the demo. Performances are dated from `now` in `zone`."""
    if is_demo(db):
        return False
    today = now.astimezone(zone).date()

    def local(days: int, hour: int, minute: int = 0) -> datetime:
        return datetime.combine(today + timedelta(days=days), time(hour, minute), zone)

    with write(db):  # all of the demo or none of it
        hall = venues.import_seatmap(db, *shipped_seatmap(HALL_FILE), actor="demo")
        stadium = venues.import_seatmap(db, *shipped_seatmap(STADIUM_FILE), actor="demo")
        opera = performances.create_event(db, "The Marriage of Figaro", actor="demo",
                                          producer="Harbor City Opera")
        performances.create_performance(db, opera, hall.venue_id, local(1, 19, 30),
                                        doors_at=local(1, 18, 45), actor="demo")
        performances.create_performance(db, opera, hall.venue_id, local(3, 14, 0),
                                        doors_at=local(3, 13, 15), actor="demo")
        game = performances.create_event(db, "Harbor City FC v Riverside United",
                                         actor="demo", producer="Harbor City FC")
        performances.create_performance(db, game, stadium.venue_id, local(5, 15, 0),
                                        doors_at=local(5, 13, 0), actor="demo")
        shown = []
        for username, display_name, role, pin in DEMO_USERS:
            users.create_user(db, username, display_name, role, pin, actor="demo")
            shown.append({"username": username, "display_name": display_name,
                          "role": role, "pin": pin})
        db.execute("INSERT INTO settings (key, value) VALUES ('demo_users', ?)",
                   [json.dumps(shown)])
    return True
