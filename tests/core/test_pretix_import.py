"""The pretix seating plan importer (core/seatmap/pretix.py)."""

from __future__ import annotations

import ast
import copy
import itertools
import json
import math
import sys
import tomllib
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from core.seatmap import SeatMapInvalid, parse_seatmap
from core.seatmap.pretix import (
    PretixConversion,
    PretixImportError,
    convert_pretix,
    convert_pretix_json,
    convert_pretix_plan,
    nearest_terminal_color,
)
from tests.support.constants import FIXTURES, REPO

PRETIX = FIXTURES / "pretix"
PLAN_FILE = PRETIX / "kleines-haus.json"
MALFORMED_FILE = PRETIX / "malformed-no-position.json"
MODULE = REPO / "core" / "seatmap" / "pretix.py"


def load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def pretix_seats(plan: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """(zone name, row_number, seat_number, category) of every seat of a pretix plan."""
    return [(zone.get("name", ""), row["row_number"], seat["seat_number"], seat["category"])
            for zone in plan["zones"] for row in zone["rows"] for seat in row["seats"]]


def parsed(conversion: PretixConversion) -> Any:
    try:
        return parse_seatmap(conversion.toml, "<pretix>")
    except SeatMapInvalid as exc:  # show every problem and the file, not just the first
        problems = "\n".join(str(p) for p in exc.problems)
        pytest.fail(f"the parser rejects the converted map:\n{problems}\n\n{conversion.toml}")


def assert_round_trip(conversion: PretixConversion) -> Any:
    """Every pretix seat is exactly one seat of the parsed map, where the converter says."""
    seatmap = parsed(conversion)
    keys = Counter(seat.key for seat in seatmap.seats)
    assert all(n == 1 for n in keys.values())
    assert seatmap.seat_count == len(conversion.seats)
    by_key = {seat.key: seat for seat in seatmap.seats}
    claimed = Counter((s.section, s.row, s.number) for s in conversion.seats)
    assert all(n == 1 for n in claimed.values()), "two pretix seats share a map seat"
    for imported in conversion.seats:
        seat = by_key[(imported.section, imported.row, imported.number)]
        assert seat.zone == imported.zone_letter
    return seatmap


def plan_of(*zones: dict[str, Any], categories: list[dict[str, Any]] | None = None
            ) -> dict[str, Any]:
    return {
        "name": "Test Hall",
        "categories": categories if categories is not None
        else [{"name": "Stalls", "color": "#ff0000"}],
        "zones": list(zones),
        "size": {"width": 1000, "height": 1000},
    }


def zone_of(name: str, rows: list[dict[str, Any]], x: float = 0, y: float = 0
            ) -> dict[str, Any]:
    return {"name": name, "position": {"x": x, "y": y}, "rows": rows}


def row_of(number: str, seat_numbers: list[str], y: float = 0, pitch: float = 20,
           x: float = 0, category: str = "Stalls", xs: list[float] | None = None
           ) -> dict[str, Any]:
    positions = xs if xs is not None else [x + i * pitch for i in range(len(seat_numbers))]
    return {
        "row_number": number,
        "position": {"x": 0, "y": y},
        "seats": [{"seat_guid": f"{number}-{i}-{n}", "seat_number": n,
                   "position": {"x": px, "y": 0}, "category": category}
                  for i, (n, px) in enumerate(zip(seat_numbers, positions, strict=True))],
    }


def numbers(count: int, first: int = 1, step: int = 1) -> list[str]:
    return [str(first + i * step) for i in range(count)]


# --------------------------------------------------------------------- the fixture


def test_fixture_converts_and_is_toml() -> None:
    conversion = convert_pretix(load(PLAN_FILE))
    data = tomllib.loads(conversion.toml)
    assert data["format"] == 1
    assert data["venue"] == {"code": "STADTTHEATER-KLEINES-HAUS",
                             "name": "Stadttheater Kleines Haus", "kind": "hall"}
    assert [s["code"] for s in data["section"]] == [
        "PARKETT", "RANG-LINKS", "RANG-RECHTS", "BALKON"]
    assert "rows = '''" in conversion.toml          # literal multi-line strings
    assert convert_pretix_plan(load(PLAN_FILE)) == conversion.toml


def test_fixture_seat_count_preserved() -> None:
    plan = load(PLAN_FILE)
    conversion = convert_pretix(plan)
    expected = len(pretix_seats(plan))
    assert expected == 100
    assert conversion.seat_count == expected
    data = tomllib.loads(conversion.toml)
    drawn = sum(sum(ch.isalpha() for ch in line.split(":", 1)[1])
                for section in data["section"] for line in section["rows"].splitlines()
                if ":" in line)
    assert drawn == expected


def test_fixture_zone_letters_and_categories() -> None:
    plan = load(PLAN_FILE)
    conversion = convert_pretix(plan)
    zones = tomllib.loads(conversion.toml)["zones"]
    assert zones == {
        "A": {"name": "Parkett I", "color": "red"},        # #e48e4b, an orange
        "B": {"name": "Parkett II", "color": "bright_blue"},
        "C": {"name": "Rang", "color": "green"},           # #57a639
        "D": {"name": "Balkon", "color": "magenta"},       # #9b59b6
        "E": {"name": "Rollstuhl", "color": "bright_white"},
    }
    letters = {name["name"]: letter for letter, name in zones.items()}
    for imported in conversion.seats:
        assert imported.zone_letter == letters[imported.category]
    wheelchair = [s for s in conversion.seats if s.category == "Rollstuhl"]
    assert [(s.row, s.number) for s in wheelchair] == [("B", 1), ("B", 10)]


def test_fixture_numbering_mapped() -> None:
    sections = {s["code"]: s for s in tomllib.loads(convert_pretix_plan(
        load(PLAN_FILE)))["section"]}
    assert (sections["PARKETT"]["numbering"], sections["PARKETT"]["first"],
            sections["PARKETT"]["step"]) == ("left-to-right", 1, 1)
    # house left: 10, 8, 6, 4, 2 from left to right
    assert (sections["RANG-LINKS"]["numbering"], sections["RANG-LINKS"]["first"],
            sections["RANG-LINKS"]["step"]) == ("right-to-left", 2, 2)
    assert (sections["RANG-RECHTS"]["numbering"], sections["RANG-RECHTS"]["first"],
            sections["RANG-RECHTS"]["step"]) == ("left-to-right", 1, 2)


def test_fixture_warnings() -> None:
    conversion = convert_pretix(load(PLAN_FILE))
    assert any("zones[0]" in w and "Bühne" in w and "no seats" in w
               for w in conversion.warnings)
    assert any("area" in w for w in conversion.warnings)
    for warning in conversion.warnings:
        assert f"# - {warning}" in conversion.toml


def test_fixture_parses_and_every_seat_maps_once() -> None:
    plan = load(PLAN_FILE)
    conversion = convert_pretix(plan)
    seatmap = assert_round_trip(conversion)
    letters = {z.name: code for code, z in seatmap.zones.items()}
    codes = {"Parkett": "PARKETT", "Rang links": "RANG-LINKS",
             "Rang rechts": "RANG-RECHTS", "Balkon": "BALKON"}
    expected = Counter((codes[zone], row, int(number), letters[category])
                       for zone, row, number, category in pretix_seats(plan))
    got = Counter((s.section, s.row, s.number, s.zone) for s in seatmap.seats)
    assert got == expected
    assert all(n == 1 for n in got.values())
    # and the converter's own record agrees with pretix's fields
    for imported in conversion.seats:
        assert imported.row == imported.row_number
        assert imported.number == int(imported.seat_number)


def test_fixture_geometry() -> None:
    plan = load(PLAN_FILE)
    seatmap = parsed(convert_pretix(plan))
    sections = {s.code: s for s in seatmap.sections}
    parkett, left, right, balkon = (sections[c] for c in
                                    ("PARKETT", "RANG-LINKS", "RANG-RECHTS", "BALKON"))
    # front to back as in pretix (the stage is at the top of the pretix plan)
    assert parkett.y + parkett.height <= left.y
    assert left.y == right.y
    assert max(left.y + left.height, right.y + right.height) <= balkon.y
    assert left.x + left.width <= right.x
    # within a row seats stay in pretix's left-to-right order, and the aisle stays a gap
    row1 = sorted((s for s in parkett.seats if s.row == "1"), key=lambda s: s.x)
    assert [s.number for s in row1] == list(range(1, 13))
    assert row1[6].x - row1[5].x == 2
    assert all(b.x - a.x == 1 for a, b in itertools.pairwise(row1[:6]))
    # row 5 is one seat wider on each side
    row5 = sorted((s for s in parkett.seats if s.row == "5"), key=lambda s: s.x)
    assert row5[0].x == row1[0].x - 1 and row5[-1].x == row1[-1].x + 1


def test_malformed_fixture() -> None:
    with pytest.raises(PretixImportError) as info:
        convert_pretix(load(MALFORMED_FILE))
    assert str(info.value) == "zones[1].rows[2].seats[0]: no position"
    assert isinstance(info.value, ValueError)


def test_malformed_fixture_as_json_text() -> None:
    with pytest.raises(PretixImportError, match=r"zones\[1\]\.rows\[2\]\.seats\[0\]"):
        convert_pretix_json(MALFORMED_FILE.read_text(encoding="utf-8"))


# --------------------------------------------------------------------- bad input


def _bad(mutate: Any) -> dict[str, Any]:
    plan: dict[str, Any] = load(PLAN_FILE)
    mutate(plan)
    return plan


@pytest.mark.parametrize(("plan", "message"), [
    ([], "plan: expected an object, got a list"),
    (None, "plan: expected an object, got null"),
    ("{}", "plan: expected an object, got a string"),
    ({}, "plan: no name"),
    ({"name": "X", "categories": []}, "plan: no zones"),
    ({"name": "X", "zones": []}, "plan: no categories"),
    ({"name": "X", "categories": [], "zones": []}, "zones: the plan has no zones"),
    ({"name": "X", "categories": [], "zones": {}}, "zones: expected a list, got an object"),
    ({"name": 3, "categories": [], "zones": []}, "name: expected a string, got a number"),
    ({"name": "X", "categories": [],
      "zones": [{"name": "Z", "position": {"x": 0, "y": 0}, "rows": []}]},
     "zones: the plan has no seats"),
    (_bad(lambda p: p["zones"][1].pop("rows")), "zones[1]: no rows"),
    (_bad(lambda p: p["zones"][1].pop("position")), "zones[1]: no position"),
    (_bad(lambda p: p["zones"][2]["rows"][0].update(seats=None)),
     "zones[2].rows[0].seats: expected a list, got null"),
    (_bad(lambda p: p["zones"][1]["rows"][3].pop("row_number")),
     "zones[1].rows[3]: no row_number"),
    (_bad(lambda p: p["zones"][1]["rows"][3]["seats"][4]["position"].update(x="40")),
     "zones[1].rows[3].seats[4].position.x: expected a number, got a string"),
    (_bad(lambda p: p["zones"][1]["rows"][3]["seats"][4]["position"].update(y=True)),
     "zones[1].rows[3].seats[4].position.y: expected a number, got a boolean"),
    (_bad(lambda p: p["zones"][1]["rows"][3]["seats"][4]["position"].update(x=math.nan)),
     "zones[1].rows[3].seats[4].position.x: expected a finite number, got nan"),
    (_bad(lambda p: p["zones"][1]["rows"][0]["position"].pop("y")),
     "zones[1].rows[0].position: no y"),
    (_bad(lambda p: p["zones"][1]["rows"][0]["seats"][0].update(seat_number=["1"])),
     "zones[1].rows[0].seats[0].seat_number: expected a string, got a list"),
    (_bad(lambda p: p["zones"][1]["rows"][0]["seats"][0].pop("category")),
     "zones[1].rows[0].seats[0]: no category"),
    (_bad(lambda p: p["zones"][1]["rows"][0]["seats"][0].pop("seat_guid")),
     "zones[1].rows[0].seats[0]: no seat_guid"),
    (_bad(lambda p: p["zones"][1]["rows"][0]["seats"].__setitem__(0, 7)),
     "zones[1].rows[0].seats[0]: expected an object, got a number"),
    (_bad(lambda p: p["categories"][1].pop("name")), "categories[1]: no name"),
    (_bad(lambda p: p["categories"][1].update(color=255)),
     "categories[1].color: expected a string, got a number"),
    (_bad(lambda p: p["categories"][1].update(name="Parkett I")),
     "categories[1].name: 'Parkett I' is already the name of categories[0]"),
    (_bad(lambda p: p.update(size=[800, 600])), "size: expected an object, got a list"),
])
def test_bad_input(plan: Any, message: str) -> None:
    with pytest.raises(PretixImportError) as info:
        convert_pretix(plan)
    assert str(info.value) == message


def test_bad_json_text() -> None:
    with pytest.raises(PretixImportError, match="not JSON"):
        convert_pretix_json("{\"name\": ")


def test_too_many_categories() -> None:
    categories = [{"name": f"C{i}"} for i in range(27)]
    plan = plan_of(zone_of("Z", [row_of("1", numbers(3), category="C0")]),
                   categories=categories)
    with pytest.raises(PretixImportError, match="27 categories"):
        convert_pretix(plan)


def test_stray_coordinate_is_an_error_not_a_huge_drawing() -> None:
    plan = plan_of(zone_of("Z", [row_of("1", numbers(5), xs=[0, 10, 20, 30, 1e9])]))
    with pytest.raises(PretixImportError, match="cell_width"):
        convert_pretix(plan)


def test_far_apart_zones_are_an_error_not_a_huge_drawing() -> None:
    plan = plan_of(zone_of("Near", [row_of("1", numbers(3)), row_of("2", numbers(3), y=20)]),
                   zone_of("Far", [row_of("1", numbers(3))], y=1e9))
    with pytest.raises(PretixImportError, match=r"^zones: the plan would be drawn"):
        convert_pretix(plan)


@pytest.mark.parametrize("bad", [0, -5, math.inf, "10"])
def test_bad_cell_width(bad: Any) -> None:
    with pytest.raises(PretixImportError, match="cell_width"):
        convert_pretix(load(PLAN_FILE), cell_width=bad)


def test_bad_venue_code() -> None:
    with pytest.raises(PretixImportError, match="venue_code"):
        convert_pretix(load(PLAN_FILE), venue_code="kleines haus")


# --------------------------------------------------------------------- conversion rules


def test_unmappable_row_is_noted_and_numbered() -> None:
    plan = plan_of(zone_of("Stalls", [
        row_of("1", numbers(5)),
        row_of("2", ["1", "2", "4", "5", "6"], y=20),      # a number skipped
        row_of("3", ["0-0", "0-1", "0-2"], y=40),          # not numbers at all
        row_of("4", numbers(5), y=60),
    ]))
    conversion = convert_pretix(plan)
    assert_round_trip(conversion)
    assert sum("rows[1]" in w and "'2'" in w for w in conversion.warnings) == 1
    assert sum("rows[2]" in w and "0-0" in w for w in conversion.warnings) == 1
    assert "# row 2: the pretix seat numbers (1, 2, 4, 5, 6) could not be mapped" \
        in conversion.toml
    assert len(tomllib.loads(conversion.toml)["section"]) == 1
    by_row: dict[str, list[int]] = {}
    for seat in conversion.seats:
        by_row.setdefault(seat.row, []).append(seat.number)
    assert by_row == {"1": [1, 2, 3, 4, 5], "2": [1, 2, 3, 4, 5], "3": [1, 2, 3],
                      "4": [1, 2, 3, 4, 5]}


def test_rows_numbered_differently_split_the_zone() -> None:
    plan = plan_of(zone_of("Parterre", [
        row_of("1", numbers(4)),
        row_of("2", numbers(4), y=20),
        row_of("3", numbers(4, first=101), y=40),
        row_of("4", numbers(4)[::-1], y=60),
        row_of("5", ["7"], y=80),
    ]))
    conversion = convert_pretix(plan)
    assert_round_trip(conversion)
    for seat in conversion.seats:
        assert seat.number == int(seat.seat_number)
    sections = tomllib.loads(conversion.toml)["section"]
    assert [(s["code"], s["numbering"], s["first"], s["step"]) for s in sections] == [
        ("PARTERRE", "left-to-right", 1, 1),
        ("PARTERRE-2", "left-to-right", 101, 1),
        ("PARTERRE-3", "right-to-left", 1, 1),
        ("PARTERRE-4", "left-to-right", 7, 1),
    ]
    assert sections[0]["name"] == "Parterre, rows 1-2"
    assert any("split into 4 sections" in w for w in conversion.warnings)


def test_single_seat_rows_join_a_matching_section() -> None:
    plan = plan_of(zone_of("Loge", [
        row_of("1", ["1"]), row_of("2", numbers(3), y=20), row_of("3", ["1"], y=40)]))
    conversion = convert_pretix(plan)
    assert len(tomllib.loads(conversion.toml)["section"]) == 1
    assert_round_trip(conversion)


def test_seats_on_the_same_column_are_shifted_not_dropped() -> None:
    plan = plan_of(zone_of("Z", [
        row_of("1", numbers(6), xs=[0, 20, 20, 21, 40, 60]),
        row_of("2", numbers(6), y=20),
    ]))
    conversion = convert_pretix(plan)
    seatmap = assert_round_trip(conversion)
    row1 = sorted((s for s in seatmap.seats if s.row == "1"), key=lambda s: s.x)
    assert len(row1) == 6
    assert len({s.x for s in row1}) == 6
    assert [s.number for s in row1] == [1, 2, 3, 4, 5, 6]


def test_cell_width() -> None:
    plan = plan_of(zone_of("Z", [row_of("1", numbers(4), pitch=20)]))
    narrow = tomllib.loads(convert_pretix_plan(plan))["section"][0]["rows"]
    wide = tomllib.loads(convert_pretix_plan(plan, cell_width=10))["section"][0]["rows"]
    assert narrow.strip() == "1:AAAA"
    assert wide.strip() == "1:A A A A"


def test_row_labels_sanitized_and_unique() -> None:
    plan = plan_of(zone_of("Z", [
        row_of("Reihe 1", numbers(3)),
        row_of("Ü-2", numbers(3), y=20),
        row_of("Reihe1", numbers(3), y=40),
        row_of("***", numbers(3), y=60),
    ]))
    conversion = convert_pretix(plan)
    seatmap = assert_round_trip(conversion)
    assert [r.label for r in seatmap.sections[0].rows] == ["Reihe1", "U2", "Reihe1B", "R"]
    assert sum("is labelled" in w for w in conversion.warnings) == 4


def test_row_split_in_two_pretix_rows_on_one_line_is_one_row() -> None:
    left = row_of("1", numbers(4), x=0)
    right = row_of("1", numbers(4, first=5), x=100)
    plan = plan_of(zone_of("Z", [left, right, row_of("2", numbers(9), y=20)]))
    conversion = convert_pretix(plan)
    seatmap = assert_round_trip(conversion)
    assert [r.label for r in seatmap.sections[0].rows] == ["1", "2"]
    row1 = seatmap.sections[0].rows[0]
    assert sorted(s.number for s in row1.seats) == list(range(1, 9))
    assert not conversion.warnings


def test_same_row_number_on_different_lines_gets_a_new_label() -> None:
    plan = plan_of(zone_of("Z", [row_of("1", numbers(3)), row_of("1", numbers(3), y=20)]))
    conversion = convert_pretix(plan)
    assert [r.label for r in assert_round_trip(conversion).sections[0].rows] == ["1", "1B"]


def test_overlapping_zones_are_separated() -> None:
    # two zones drawn on top of each other in pretix
    plan = plan_of(zone_of("North", [row_of("1", numbers(5)), row_of("2", numbers(5), y=20)]),
                   zone_of("South", [row_of("1", numbers(5)), row_of("2", numbers(5), y=20)],
                           x=10, y=10))
    assert_round_trip(convert_pretix(plan))


def test_side_by_side_zones_stay_side_by_side() -> None:
    rows = [row_of(str(n), numbers(8), y=20 * n) for n in range(1, 6)]
    plan = plan_of(zone_of("Links", copy.deepcopy(rows)),
                   zone_of("Rechts", copy.deepcopy(rows), x=8 * 20 + 40))
    seatmap = assert_round_trip(convert_pretix(plan))
    left, right = seatmap.sections
    assert left.y == right.y
    assert left.x + left.width <= right.x


def test_section_codes_unique() -> None:
    plan = plan_of(zone_of("Rang 1", [row_of("1", numbers(3))]),
                   zone_of("rang-1", [row_of("1", numbers(3))], y=100),
                   zone_of("Straße", [row_of("1", numbers(3))], y=200),
                   zone_of("", [row_of("1", numbers(3))], y=300),
                   {"zone_id": "loge", "position": {"x": 0, "y": 400},
                    "rows": [row_of("1", numbers(3))]})
    data = tomllib.loads(convert_pretix_plan(plan))
    assert [(s["code"], s["name"]) for s in data["section"]] == [
        ("RANG-1", "Rang 1"), ("RANG-1-2", "rang-1"), ("STRASSE", "Straße"),
        ("ZONE-4", "Zone 4"), ("LOGE", "loge")]


def test_unknown_and_empty_categories_become_zones() -> None:
    plan = plan_of(zone_of("Z", [row_of("1", numbers(3)),
                                 row_of("2", numbers(3), y=20, category="VIP"),
                                 row_of("3", numbers(3), y=40, category="")]),
                   categories=[{"name": "Stalls", "color": "green"},
                               {"name": "Unused"}])
    conversion = convert_pretix(plan)
    zones = tomllib.loads(conversion.toml)["zones"]
    assert [z["name"] for z in zones.values()] == [
        "Stalls", "Unused", "VIP", "Uncategorised seats"]
    assert any("'VIP' is not in the plan's categories" in w for w in conversion.warnings)
    assert any("category 'Unused' has no seats" in w for w in conversion.warnings)
    assert_round_trip(conversion)


@pytest.mark.parametrize(("color", "expected"), [
    ("#ff0000", "bright_red"), ("#f00", "bright_red"), ("#CD0000", "red"),
    ("#00cd00", "green"), ("#0000ee80", "blue"), ("rgb(255, 255, 0)", "bright_yellow"),
    ("red", "bright_red"), ("navy", "bright_blue"), ("#000", "black"), ("white", "bright_white"),
    ("#808080", "bright_black"), ("#cccccc", "white"), ("#57a639", "green"),
])
def test_colors(color: str, expected: str) -> None:
    plan = plan_of(zone_of("Z", [row_of("1", numbers(2))]),
                   categories=[{"name": "Stalls", "color": color}])
    assert tomllib.loads(convert_pretix_plan(plan))["zones"]["A"]["color"] == expected


def test_unreadable_color_warns_and_uses_a_default() -> None:
    plan = plan_of(zone_of("Z", [row_of("1", numbers(2))]),
                   categories=[{"name": "Stalls", "color": "var(--brand)"}])
    conversion = convert_pretix(plan)
    assert tomllib.loads(conversion.toml)["zones"]["A"]["color"] == "yellow"
    assert any("categories[0].color" in w for w in conversion.warnings)


def test_nearest_terminal_color_exact() -> None:
    assert nearest_terminal_color((205, 0, 205)) == "magenta"
    assert nearest_terminal_color((92, 92, 255)) == "bright_blue"


def test_rest_resource_wrapper_and_venue_code() -> None:
    plan = load(PLAN_FILE)
    wrapped = {"id": 2, "name": "Main plan", "layout": plan}
    conversion = convert_pretix(wrapped, venue_code="KLEINES_HAUS")
    data = tomllib.loads(conversion.toml)
    assert data["venue"]["code"] == "KLEINES_HAUS"
    assert conversion.seat_count == 100


def test_strings_are_escaped() -> None:
    plan = plan_of(zone_of('Stalls "east" \\ new\nline', [row_of("1", numbers(2))]),
                   categories=[{"name": 'The "best"', "color": "#fff"}])
    plan["zones"][0]["rows"][0]["seats"][0]["category"] = 'The "best"'
    plan["zones"][0]["rows"][0]["seats"][1]["category"] = 'The "best"'
    plan["name"] = "Hall\twith 'quotes'"
    conversion = convert_pretix(plan)
    data = tomllib.loads(conversion.toml)
    assert data["section"][0]["name"] == 'Stalls "east" \\ new\nline'
    assert data["zones"]["A"]["name"] == 'The "best"'
    assert data["venue"]["name"] == "Hall\twith 'quotes'"
    assert_round_trip(conversion)


def test_integer_numbers_accepted() -> None:
    plan = plan_of(zone_of("Z", [row_of("1", numbers(3))]))
    for seat in plan["zones"][0]["rows"][0]["seats"]:
        seat["seat_number"] = int(seat["seat_number"])
    plan["zones"][0]["rows"][0]["row_number"] = 1
    assert_round_trip(convert_pretix(plan))


def test_row_without_position() -> None:
    row = row_of("1", numbers(3))
    del row["position"]
    assert convert_pretix(plan_of(zone_of("Z", [row]))).seat_count == 3


def test_only_stdlib_imports() -> None:
    tree = ast.parse(MODULE.read_text(encoding="utf-8"))
    imported: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    assert imported <= set(sys.stdlib_module_names) | {"__future__"}
    assert not imported & {"textual", "rich", "escpos", "cv2"}
