"""The shipped venues, and venue files in the database: import, re-import, stable seats."""

from __future__ import annotations

import pytest

from core.people.accounts import create_first_admin
from core.people.models import User
from core.sales import checkout
from core.sales.tenders import Tender
from core.seatmap import SeatMapInvalid, load_seatmap, section_drawing, venue_drawing
from core.store.db import Database
from core.venue import venues
from core.venue.inventory import SeatUnavailable
from tests.support.constants import FIXED_NOW, REPO
from tests.support.selling_helpers import STATION, cart_with, hall_performance, user

HALL = REPO / "seatmaps" / "aldridge-hall.toml"
STADIUM = REPO / "seatmaps" / "harbor-stadium.toml"


@pytest.fixture
def ada(db: Database) -> User:
    return create_first_admin(db, "ada", "Ada Admin", "4444")


def test_the_hall_loads_with_its_sections_and_seats() -> None:
    hall = load_seatmap(HALL)
    assert hall.kind == "hall" and hall.overview is None
    assert hall.seat_count == 1256
    counts = {section.code: section.seat_count for section in hall.sections}
    assert counts["ORCH"] == 758 and counts["MEZZ"] == 194
    assert sum(1 for section in hall.sections if section.kind == "box") >= 4
    seats = hall.seats
    assert sum(seat.wheelchair for seat in seats) >= 4
    assert sum(seat.companion for seat in seats) >= 4
    assert any(seat.view == "obstructed" for seat in seats)
    assert any(seat.view == "limited" for seat in seats)
    # centre house numbering in the orchestra, odd/even on the sides
    row_a = {seat.number for seat in hall.section("ORCH").seats if seat.row == "A"}
    assert 101 in row_a and 1 in row_a and 2 in row_a
    sides = {n % 2 for n in row_a if n < 100}
    assert sides == {0, 1}  # even numbers on house left, odd on house right


def test_the_hall_is_one_drawing_without_overlaps() -> None:
    drawing = venue_drawing(load_seatmap(HALL))
    assert len(drawing.seats) == 1256
    assert len({(seat.x, seat.y) for seat in drawing.seats}) == 1256


def test_the_stadium_loads_with_an_overview_of_every_section() -> None:
    stadium = load_seatmap(STADIUM)
    assert stadium.kind == "stadium"
    assert len(stadium.sections) >= 30
    assert 36_000 <= stadium.seat_count <= 42_000
    assert stadium.area("FIELD").capacity == 2500
    spots = {spot.code for spot in stadium.overview.hotspots}
    assert spots == {s.code for s in stadium.sections} | {"FIELD"}
    assert max(len(line) for line in stadium.overview.lines) <= 78


def test_a_stadium_section_draws_alone() -> None:
    stadium = load_seatmap(STADIUM)
    code = stadium.sections[0].code
    drawing = section_drawing(stadium, code)
    assert len(drawing.seats) == stadium.section(code).seat_count


def test_import_creates_the_venue_and_reimport_changes_nothing(db: Database, ada: User) -> None:
    text = HALL.read_text()
    first = venues.import_seatmap(db, ada, text, "hall.toml")
    assert first.seats_added == 1256 and first.version == 1
    again = venues.import_seatmap(db, ada, text, "hall.toml")
    assert again.unchanged and again.version == 1
    assert db.execute("SELECT count(*) FROM seats").fetchone()[0] == 1256
    assert venues.venue_seatmap(db, first.venue_id).seat_count == 1256


def test_an_edited_map_keeps_seat_ids_and_retires_removed_seats(db: Database, ada: User) -> None:
    text = HALL.read_text()
    venues.import_seatmap(db, ada, text, "hall.toml")
    seat_id = db.execute(
        "SELECT seats.id FROM seats JOIN sections ON sections.id = section_id "
        "WHERE code = 'MEZZ' AND row_label = 'A' AND number = 101").fetchone()[0]
    # Drop one box (its section) and change nothing else.
    edited = text.replace('code = "BOX-F"', 'code = "BOX-G"')
    second = venues.import_seatmap(db, ada, edited, "hall.toml")
    assert second.version == 2
    assert second.seats_retired == second.seats_added > 0
    same = db.execute(
        "SELECT seats.id FROM seats JOIN sections ON sections.id = section_id "
        "WHERE code = 'MEZZ' AND row_label = 'A' AND number = 101").fetchone()[0]
    assert same == seat_id
    retired = db.execute("SELECT count(*) FROM seats JOIN sections ON sections.id = "
                         "section_id WHERE sections.code = 'BOX-F' AND seats.active = 0")
    assert retired.fetchone()[0] == second.seats_retired


def test_a_bad_file_is_refused_and_writes_nothing(db: Database, ada: User) -> None:
    bad = (REPO / "tests" / "fixtures" / "seatmaps" / "bad-hall.toml").read_text()
    with pytest.raises(SeatMapInvalid):
        venues.import_seatmap(db, ada, bad, "bad.toml")
    assert db.execute("SELECT count(*) FROM venues").fetchone()[0] == 0
    assert db.execute("SELECT count(*) FROM journal").fetchone()[0] == 1   # ada's creation


def test_import_is_journaled(db: Database, ada: User) -> None:
    venues.import_seatmap(db, ada, HALL.read_text(), "hall.toml")
    row = db.execute("SELECT actor, action FROM journal ORDER BY id DESC").fetchone()
    assert tuple(row) == ("ada", "seatmap.import")


def test_an_edited_map_may_not_drop_a_sold_seat(demo_db: Database) -> None:
    sam = user(demo_db, "sam")
    show = hall_performance(demo_db)
    checkout.checkout(demo_db, sam, cart_with(demo_db, sam, show, ["BOX-F-A-1"], FIXED_NOW),
                    [Tender("cash", 16524)], station=STATION, now=FIXED_NOW)
    text = (REPO / "seatmaps" / "aldridge-hall.toml").read_text()
    edited = text.replace('code = "BOX-F"', 'code = "BOX-G"')
    with pytest.raises(SeatMapInvalid, match="BOX-F A-1"):
        venues.import_seatmap(demo_db, user(demo_db, "ada"), edited, "hall.toml")
    with pytest.raises(SeatUnavailable):   # still sold, still there
        cart_with(demo_db, sam, show, ["BOX-F-A-1"], FIXED_NOW)
