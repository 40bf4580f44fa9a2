"""Saved extracts: a report with its parameters under a name, exported by name (from a
cron job: `boxoffice extract run NAME --output FILE`).

The day can be fixed (YYYY-MM-DD) or move with the run (`today`, `yesterday`, in the
venue's zone), so a nightly job exports yesterday's sales without editing anything.
Saving, listing and running need `report_access`, like reading the report itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from core.errors import BoxOfficeError, NotFound
from core.free_text import clean_text
from core.people.models import User
from core.people.permissions import authorize
from core.report_model import Report, Scope
from core.reports import catalogue
from core.store import journal
from core.store.db import Database, insert, write
from core.times import stamp

FORMATS = ("table", "csv", "json", "pdf")
MOVING_DAYS = ("today", "yesterday")
_NAME = re.compile(r"[a-z0-9_-]{1,40}")


@dataclass(frozen=True)
class Extract:
    name: str
    report: str
    performance_id: int | None
    day: str
    shift_id: int | None
    format: str
    created_by: str

    def describe(self) -> str:
        parts = [self.report]
        if self.performance_id is not None:
            parts.append(f"performance {self.performance_id}")
        if self.day:
            parts.append(f"day {self.day}")
        if self.shift_id is not None:
            parts.append(f"shift {self.shift_id}")
        return ", ".join(parts) + f" as {self.format}"


def _day(text: str) -> str:
    text = text.strip().lower()
    if text in ("", *MOVING_DAYS):
        return text
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise BoxOfficeError(f"the day is today, yesterday or YYYY-MM-DD, not '{text[:20]}'",
                             code="bad_day") from None


def save_extract(db: Database, actor: User, name: str, report: str, *, fmt: str,
                 now: datetime, performance_id: int | None = None, day: str = "",
                 shift_id: int | None = None) -> Extract:
    """Save (or replace) an extract. Needs `report_access`. Raises BoxOfficeError
    (`bad_name`, `bad_format`, `bad_day`), ReportError `unknown_report`."""
    authorize(db, actor, "report_access")
    name = clean_text(name, "extract name", max_length=40).lower()
    if not _NAME.fullmatch(name):
        raise BoxOfficeError("an extract's name is 1 to 40 of a-z, 0-9, '-' and '_'",
                             code="bad_name")
    if fmt not in FORMATS:
        raise BoxOfficeError(f"the format is one of {', '.join(FORMATS)}", code="bad_format")
    known = {kind.name for kind in catalogue.report_names()}
    if report not in known:
        raise BoxOfficeError(f"there is no report '{report}' (reports: {', '.join(sorted(known))})",
                             code="unknown_report")
    day = _day(day)
    with write(db):
        db.execute("DELETE FROM extracts WHERE name = ?", [name])
        insert(db, "INSERT INTO extracts (name, report, performance_id, day, shift_id, format, "
               "created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
               [name, report, performance_id, day, shift_id, fmt, actor.id, stamp(now)])
        journal.append(db, actor=actor.username, action="extract.save",
                       subject=f"extract:{name}", data={"report": report, "format": fmt},
                       at=now)
    return get_extract(db, name)


def get_extract(db: Database, name: str) -> Extract:
    row = db.execute("SELECT e.name, e.report, e.performance_id, e.day, e.shift_id, "
                     "e.format, u.username FROM extracts e JOIN users u ON u.id = e.created_by "
                     "WHERE e.name = ?", [name.strip().lower()]).fetchone()
    if row is None:
        raise NotFound(f"there is no saved extract '{name}'")
    return Extract(*row)


def list_extracts(db: Database, actor: User) -> list[Extract]:
    """Every saved extract, by name. Needs `report_access`."""
    authorize(db, actor, "report_access")
    return [get_extract(db, row[0]) for row in
            db.execute("SELECT name FROM extracts ORDER BY name")]


def delete_extract(db: Database, actor: User, name: str, *, now: datetime) -> None:
    """Needs `report_access`. Raises NotFound."""
    authorize(db, actor, "report_access")
    with write(db):
        get_extract(db, name)
        db.execute("DELETE FROM extracts WHERE name = ?", [name.strip().lower()])
        journal.append(db, actor=actor.username, action="extract.delete",
                       subject=f"extract:{name.strip().lower()}", data={}, at=now)


def run_extract(db: Database, actor: User, name: str, *, zone: ZoneInfo,
                now: datetime) -> tuple[Report, str]:
    """Build the saved report for this run: (the report, its format). A moving day is
    taken in the venue's zone at `now`. Needs `report_access`; raises NotFound and what
    building the report raises."""
    extract = get_extract(db, name)
    today = now.astimezone(zone).date()
    moving = {"": None, "today": today, "yesterday": today - timedelta(days=1)}
    day = moving[extract.day] if extract.day in moving else date.fromisoformat(extract.day)
    scope = Scope(zone, now, performance_id=extract.performance_id, day=day,
                  shift_id=extract.shift_id)
    return catalogue.build_report(db, actor, extract.report, scope), extract.format
