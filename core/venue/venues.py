"""Venues in the database: importing a seat map file, and reading it back for drawing."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from core import clock
from core.errors import NotFound
from core.free_text import LONG, PATH, clean_text
from core.people.models import User
from core.people.permissions import authorize
from core.seatmap import SeatMap, SeatMapInvalid, SeatMapProblem, parse_seatmap
from core.store import journal
from core.store.db import Database, insert, write


@dataclass(frozen=True)
class ImportResult:
    venue_id: int
    version: int
    seats_added: int
    seats_updated: int
    seats_retired: int
    unchanged: bool


def import_seatmap(db: Database, actor: User, source: str,
                   source_name: str) -> ImportResult:
    """Load a seat map file's text into the database, creating or updating its venue.

    Seats keep their ids across re-imports as long as section, row and number stay the
    same; seats no longer in the file are retired (kept, marked inactive), never deleted.
    Importing the same text again changes nothing. Needs `event_setup`. Raises
    PermissionDenied, SeatMapInvalid on a bad file or one that drops a sold seat (nothing
    is written). To validate without importing, call `core.seatmap.parse_seatmap`.
    """
    seatmap = parse_seatmap(source, source_name)
    clean_text(source_name, "file name", max_length=PATH)
    for field, value in (("venue name", seatmap.name),
                         *((f"zone {z.code}", z.name) for z in seatmap.zones.values()),
                         *((f"section {s.code}", s.name) for s in seatmap.sections),
                         *((f"area {a.code}", a.name) for a in seatmap.areas)):
        clean_text(value, field, max_length=LONG)
    with write(db):
        authorize(db, actor, "event_setup")
        venue = db.execute("SELECT id FROM venues WHERE code = ?", [seatmap.code]).fetchone()
        if venue is None:
            inserted = insert(db, "INSERT INTO venues (code, name, kind) VALUES (?, ?, ?)",
                [seatmap.code, seatmap.name, seatmap.kind])
            assert inserted is not None
            venue_id: int = inserted
        else:
            venue_id = venue[0]
            db.execute("UPDATE venues SET name = ?, kind = ? WHERE id = ?",
                       [seatmap.name, seatmap.kind, venue_id])
        latest = db.execute("SELECT version, sha256 FROM seat_maps WHERE venue_id = ? "
                            "ORDER BY version DESC LIMIT 1", [venue_id]).fetchone()
        if latest is not None and latest[1] == seatmap.sha256:
            return ImportResult(venue_id, latest[0], 0, 0, 0, unchanged=True)
        version = (latest[0] + 1) if latest else 1
        db.execute(
            "INSERT INTO seat_maps (venue_id, version, sha256, source_name, source, "
            "imported_at) VALUES (?, ?, ?, ?, ?, ?)",
            [venue_id, version, seatmap.sha256, source_name, source,
             clock.now().isoformat(timespec="seconds")])
        zone_ids = _upsert_zones(db, venue_id, seatmap)
        added, updated, retired = _upsert_sections_and_seats(db, venue_id, seatmap, zone_ids)
        journal.append(db, actor=actor.username, action="seatmap.import",
                       subject=f"venue:{venue_id}",
                       data={"venue": seatmap.code, "version": version,
                             "sha256": seatmap.sha256, "added": added,
                             "updated": updated, "retired": retired})
    return ImportResult(venue_id, version, added, updated, retired, unchanged=False)


def _upsert_zones(db: Database, venue_id: int, seatmap: SeatMap
                  ) -> dict[str, int]:
    for zone in seatmap.zones.values():
        db.execute(
            "INSERT INTO price_zones (venue_id, code, name, color) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (venue_id, code) DO UPDATE SET name = excluded.name, "
            "color = excluded.color", [venue_id, zone.code, zone.name, zone.color])
    return {code: zone_id for zone_id, code in db.execute(
        "SELECT id, code FROM price_zones WHERE venue_id = ?", [venue_id])}


def _upsert_sections_and_seats(db: Database, venue_id: int, seatmap: SeatMap,
                               zone_ids: dict[str, int]) -> tuple[int, int, int]:
    for section in seatmap.sections:
        db.execute(
            "INSERT INTO sections (venue_id, code, name, kind, active) VALUES (?, ?, ?, ?, 1) "
            "ON CONFLICT (venue_id, code) DO UPDATE SET name = excluded.name, "
            "kind = excluded.kind, capacity = NULL, zone_id = NULL, active = 1",
            [venue_id, section.code, section.name, section.kind])
    for area in seatmap.areas:
        db.execute(
            "INSERT INTO sections (venue_id, code, name, kind, capacity, zone_id, active) "
            "VALUES (?, ?, ?, 'ga', ?, ?, 1) ON CONFLICT (venue_id, code) DO UPDATE SET "
            "name = excluded.name, kind = 'ga', capacity = excluded.capacity, "
            "zone_id = excluded.zone_id, active = 1",
            [venue_id, area.code, area.name, area.capacity, zone_ids[area.zone]])
    codes = [s.code for s in seatmap.sections] + [a.code for a in seatmap.areas]
    placeholders = ",".join("?" * len(codes))
    db.execute(f"UPDATE sections SET active = 0 WHERE venue_id = ? AND code NOT IN "
               f"({placeholders})", [venue_id, *codes])
    section_ids = {code: section_id for section_id, code in db.execute(
        "SELECT id, code FROM sections WHERE venue_id = ?", [venue_id])}
    existing = {(section_id, row, number): seat_id for seat_id, section_id, row, number in
                db.execute("SELECT seats.id, section_id, row_label, number FROM seats "
                           "JOIN sections ON sections.id = section_id WHERE venue_id = ?",
                           [venue_id])}
    fresh, changed, kept = [], [], set()
    for seat in seatmap.seats:
        key = (section_ids[seat.section], seat.row, seat.number)
        values = [zone_ids[seat.zone], int(seat.wheelchair), int(seat.companion), seat.view,
                  seat.x, seat.y, seat.rank]
        if key in existing:
            kept.add(existing[key])
            changed.append([*values, existing[key]])
        else:
            fresh.append([*key, *values])
    db.executemany(
        "INSERT INTO seats (section_id, row_label, number, zone_id, wheelchair, companion, "
        "view, x, y, rank) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", fresh)
    db.executemany(
        "UPDATE seats SET zone_id = ?, wheelchair = ?, companion = ?, view = ?, x = ?, "
        "y = ?, rank = ?, active = 1 WHERE id = ?", changed)
    retired = [[seat_id] for seat_id in existing.values() if seat_id not in kept]
    if retired:
        marks = ",".join("?" * len(retired))
        sold = db.execute(
            f"SELECT c.code, s.row_label, s.number FROM tickets t JOIN seats s ON s.id = "
            f"t.seat_id JOIN sections c ON c.id = s.section_id WHERE t.status = 'live' AND "
            f"t.seat_id IN ({marks}) ORDER BY c.code, s.row_label, s.number LIMIT 6",
            [r[0] for r in retired]).fetchall()
        if sold:

            names = ", ".join(f"{c} {r}-{n}" for c, r, n in sold)
            raise SeatMapInvalid([SeatMapProblem(
                seatmap.source_name, 1, 1, "sold-seat-dropped",
                f"the edited map drops seats that have live tickets ({names}); refund or "
                "exchange those tickets first, or keep the seats in the map")])
    db.executemany("UPDATE seats SET active = 0 WHERE id = ? AND active = 1", retired)
    return len(fresh), len(changed), len(retired)


@functools.lru_cache(maxsize=8)
def _parse_cached(sha256: str, source: str, source_name: str) -> SeatMap:
    del sha256  # part of the cache key only
    return parse_seatmap(source, source_name)


def venue_seatmap(db: Database, venue_id: int) -> SeatMap:
    """The current seat map of a venue (parsed once per process and version)."""
    row = db.execute("SELECT sha256, source, source_name FROM seat_maps WHERE venue_id = ? "
                     "ORDER BY version DESC LIMIT 1", [venue_id]).fetchone()
    if row is None:
        raise NotFound(f"venue {venue_id} has no seat map", code="no_seatmap")
    return _parse_cached(row[0], row[1], row[2])


def current_sources(db: Database) -> list[tuple[str, str, str]]:
    """(sha256, source, name) of every venue's current map, for `warm_cache`."""
    return [(row[0], row[1], row[2]) for row in db.execute(
        "SELECT m.sha256, m.source, m.source_name FROM seat_maps m WHERE m.version = "
        "(SELECT max(version) FROM seat_maps n WHERE n.venue_id = m.venue_id)")]


def warm_cache(sources: list[tuple[str, str, str]]) -> None:
    """Parse maps ahead of need (no database access: safe in a worker thread)."""
    for sha256, source, name in sources:
        _parse_cached(sha256, source, name)


@dataclass(frozen=True)
class Venue:
    id: int
    code: str
    name: str
    kind: str
    version: int             # of its current seat map


def list_venues(db: Database) -> list[Venue]:
    """Every venue with its current map version, by name."""
    return [Venue(*row) for row in db.execute(
        "SELECT v.id, v.code, v.name, v.kind, coalesce((SELECT max(version) FROM seat_maps "
        "m WHERE m.venue_id = v.id), 0) FROM venues v ORDER BY v.name")]
