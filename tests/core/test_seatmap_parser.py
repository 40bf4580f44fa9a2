"""The seat map parser: what it builds, and every error kind with its line and column."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.seatmap import SeatMapInvalid, parse_seatmap, venue_drawing
from tests.support.seatmap_samples import HEAD


def section(rows: str, extra: str = "", code: str = "ORCH") -> str:
    return f'[[section]]\ncode = "{code}"\nname = "Orchestra"\n{extra}rows = \'\'\'\n{rows}\'\'\'\n'


def marked(text: str) -> tuple[str, int, int]:
    """Remove the § marker from text; return the text and the marker's line and column."""
    index = text.index("§")
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return text.replace("§", "", 1), line, column


def problems(text: str) -> list[tuple[str, int, int, str]]:
    with pytest.raises(SeatMapInvalid) as caught:
        parse_seatmap(text, "venue.toml")
    return [(p.code, p.line, p.column, p.message) for p in caught.value.problems]


def one_problem(text: str) -> tuple[str, int, int, str]:
    found = problems(text)
    assert len(found) == 1, found
    return found[0]


# -- what a good file gives ------------------------------------------------------------

def test_a_small_hall_parses_with_seats_flags_and_zones() -> None:
    seatmap = parse_seatmap(HEAD + section("A: AAoA\nB: wcBB\n"))
    assert seatmap.seat_count == 8
    seats = {seat.key: seat for seat in seatmap.seats}
    assert seats[("ORCH", "A", 3)].view == "obstructed"
    assert seats[("ORCH", "A", 3)].zone == "A"
    assert seats[("ORCH", "B", 1)].wheelchair and seats[("ORCH", "B", 1)].zone == "B"
    assert seats[("ORCH", "B", 2)].companion
    assert seats[("ORCH", "B", 2)].flags == ("companion",)


@pytest.mark.parametrize(("extra", "row", "numbers"), [
    ("", "A: AA.AA", [1, 2, 3, 4]),
    ('numbering = "right-to-left"\n', "A: AAAA", [4, 3, 2, 1]),
    ("first = 1\nstep = 2\n", "A: AAAA", [1, 3, 5, 7]),
    ('numbering = "right-to-left"\nfirst = 2\nstep = 2\n', "A: AAAA", [8, 6, 4, 2]),
    ('numbering = "blocks"\nblocks = [{ from = "right", first = 2, step = 2 }, '
     '{ from = "left", first = 101 }, { from = "left", first = 1, step = 2 }]\n',
     "A: AAA|AAAA|AAA", [6, 4, 2, 101, 102, 103, 104, 1, 3, 5]),
])
def test_numbering_schemes_of_real_houses(extra: str, row: str, numbers: list[int]) -> None:
    seatmap = parse_seatmap(HEAD + section(row + "\n", extra))
    assert [seat.number for seat in seatmap.section("ORCH").rows[0].seats] == numbers


def test_gaps_take_no_number_and_aisles_split_blocks_only_with_blocks_numbering() -> None:
    seatmap = parse_seatmap(HEAD + section("A: AA|AA\n"))
    assert [seat.number for seat in seatmap.seats] == [1, 2, 3, 4]


def test_drawing_keeps_the_file_columns_and_puts_the_stage_on_top() -> None:
    text = HEAD.replace('name = "Test Hall"', 'name = "Test Hall"\nstage = "STAGE"')
    seatmap = parse_seatmap(text + section(" A: AA|AA\nBB: AA|AA\n"))
    drawing = venue_drawing(seatmap)
    assert drawing.lines[0].strip() == "STAGE"
    row_a = next(i for i, line in enumerate(drawing.lines) if line.startswith(" A"))
    assert drawing.lines[row_a] == " A    |"  # the colon and the seats are blanks
    assert [(seat.x, seat.y) for seat in drawing.seats[:2]] == [(4, row_a), (5, row_a)]


def test_front_centre_seats_rank_first() -> None:
    seatmap = parse_seatmap(HEAD + section("A: AAAAA\nB: AAAAA\n"))
    best = min(seatmap.seats, key=lambda seat: seat.rank)
    assert (best.row, best.number) == ("A", 3)


def test_general_admission_area_and_overview_hotspots() -> None:
    text = HEAD + section("1: AAAA\n", code="101") + section("1: BBBB\n", code="102") + (
        '[[area]]\ncode = "FIELD"\nname = "Field"\nzone = "B"\ncapacity = 500\n'
        "[overview]\ndrawing = '''\n  101   102\n+-- FIELD --+\n'''\n")
    seatmap = parse_seatmap(text)
    assert seatmap.area("FIELD").capacity == 500
    assert seatmap.capacity == 8 + 500
    spots = {spot.code: (spot.x, spot.y) for spot in seatmap.overview.hotspots}
    assert spots == {"101": (2, 0), "102": (8, 0), "FIELD": (4, 1)}


def test_the_same_text_gives_the_same_map_and_hash() -> None:
    text = HEAD + section("A: AAAA\n")
    assert parse_seatmap(text).sha256 == parse_seatmap(text).sha256


# -- errors: kind, line, column --------------------------------------------------------

def test_unknown_seat_character() -> None:
    text, line, column = marked(HEAD + section("A: AAAA\nB: BB§QB\n"))
    code, at_line, at_column, message = one_problem(text)
    assert (code, at_line, at_column) == ("unknown-zone", line, column)
    assert "'Q'" in message and "row B" in message


def test_ragged_row() -> None:
    text, line, column = marked(HEAD + section("A: AAAA\n B§: BBBB\n"))
    code, at_line, at_column, _message = one_problem(text)
    assert (code, at_line, at_column) == ("ragged-row", line, column)


def test_unlabeled_row() -> None:
    text, line, column = marked(HEAD + section("A: AAAA\n§: BBBB\n"))
    assert one_problem(text)[:3] == ("unlabeled-row", line, column)


def test_row_without_a_colon_is_unlabeled() -> None:
    text, line, column = marked(HEAD + section("A: AAAA\n§BBBB\n"))
    assert one_problem(text)[:3] == ("unlabeled-row", line, column)


def test_duplicate_row_label() -> None:
    text, line, column = marked(HEAD + section("A: AAAA\n§A: BBBB\n"))
    code, at_line, at_column, message = one_problem(text)
    assert (code, at_line, at_column) == ("duplicate-row", line, column)
    assert f"line {line - 1}" in message


def test_duplicate_seat_numbers() -> None:
    extra = 'numbering = "blocks"\nblocks = [{ first = 1 }, { first = 2 }]\n'
    text, line, column = marked(HEAD + section("A: AA|§AA\n", extra))
    code, at_line, at_column, message = one_problem(text)
    assert (code, at_line, at_column) == ("duplicate-seat", line, column)
    assert "ORCH A-2" in message


def test_block_count_mismatch() -> None:
    extra = 'numbering = "blocks"\nblocks = [{ first = 1 }, { first = 101 }]\n'
    text, line, column = marked(HEAD + section("A: AA|AA\n§B: AAAA\n", extra))
    code, at_line, at_column, message = one_problem(text)
    assert (code, at_line, at_column) == ("block-count", line, column)
    assert "1 blocks" in message and "lists 2" in message


def test_area_without_capacity() -> None:
    text, line, column = marked(HEAD + section("A: AAAA\n")
                                + '§[[area]]\ncode = "FLOOR"\nname = "Floor"\nzone = "A"\n')
    assert one_problem(text)[:3] == ("no-capacity", line, column)


def test_unknown_key_is_named_at_its_line() -> None:
    text, line, column = marked(HEAD + section("A: AAAA\n", '§nmae = "x"\n'))
    code, at_line, at_column, message = one_problem(text)
    assert (code, at_line, at_column) == ("unknown-key", line, column)
    assert "'nmae'" in message


def test_not_toml_gives_tomllib_position() -> None:
    code, line, _column, message = one_problem(HEAD + "[[section]\n")
    assert code == "toml" and line == HEAD.count("\n") + 1
    assert "not valid TOML" in message


def test_bad_colour_and_unknown_legend_zone() -> None:
    text = HEAD.replace('"yellow"', '"chartreuse"').replace(
        'w = { zone = "B"', 'w = { zone = "Z"') + section("A: AAAA\n")
    codes = sorted(p[0] for p in problems(text))
    assert codes == ["bad-value", "unknown-zone"]


def test_section_without_seats() -> None:
    assert one_problem(HEAD + section("A: ....\n"))[0] == "empty-section"


def test_duplicate_section_code() -> None:
    text, line, _ = marked(HEAD + section("A: AAAA\n") + "[[section]]\n§code = \"ORCH\"\n"
                           "name = \"Again\"\nrows = '''\nA: AAAA\n'''\n")
    assert one_problem(text)[:2] == ("duplicate-section", line)


def test_overlapping_sections() -> None:
    text = HEAD + section("A: AAAA\n", "at = [0, 0]\n") + section(
        "A: AAAA\n", "§at = [2, 1]\n", code="MEZZ")
    text, line, column = marked(text)
    code, at_line, at_column, message = one_problem(text)
    assert (code, at_line, at_column) == ("overlap", line, column)
    assert "MEZZ overlaps ORCH" in message


def test_overview_missing_a_section_or_repeating_one() -> None:
    text = HEAD + section("1: AAAA\n", code="101") + section("1: AAAA\n", code="102") + (
        "[overview]\ndrawing = '''\n101   101\n'''\n")
    found = sorted((p[0], p[3]) for p in problems(text))
    assert [code for code, _ in found] == ["overview", "overview"]
    assert any("'102' does not appear" in message for _, message in found)
    assert any("'101' appears twice" in message for _, message in found)


def test_every_problem_is_reported_not_just_the_first() -> None:
    text = HEAD + section("A: AQAA\n B: AAAA\nA: AAAA\n", 'colour = "red"\n')
    assert {p[0] for p in problems(text)} == {"unknown-zone", "ragged-row", "duplicate-row",
                                             "unknown-key"}


# -- it never crashes -------------------------------------------------------------------

GOOD = HEAD + section(" A: AAAA|AAAA\n B: wcAA|AAoA\nAA: BBBB|BBBB\n") + (
    '[[area]]\ncode = "FLOOR"\nname = "Floor"\nzone = "B"\ncapacity = 50\n')


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=400))
def test_arbitrary_text_never_crashes_the_parser(text: str) -> None:
    try:
        parse_seatmap(text)
    except SeatMapInvalid as error:
        assert error.problems


@settings(max_examples=400, deadline=None)
@given(st.integers(min_value=0, max_value=len(GOOD) - 1),
       st.integers(min_value=0, max_value=40),
       st.text(alphabet=st.characters(codec="utf-8"), max_size=6))
def test_a_mangled_good_file_never_crashes_the_parser(start: int, length: int,
                                                      insert: str) -> None:
    text = GOOD[:start] + insert + GOOD[start + length:]
    try:
        parse_seatmap(text)
    except SeatMapInvalid as error:
        for problem in error.problems:
            assert problem.line >= 1 and problem.column >= 1 and problem.message


def test_best_seats_and_section_priority_shape_the_rank() -> None:
    rows = "A: AAAAAAA\nB: AAAAAAA\n"
    front = parse_seatmap(HEAD + section(rows))
    best = min(front.seats, key=lambda seat: seat.rank)
    assert (best.row, best.number) == ("A", 4)
    worst_front_row = max((s for s in front.seats if s.row == "A"), key=lambda s: s.rank)
    centre_second_row = next(s for s in front.seats if (s.row, s.number) == ("B", 4))
    assert worst_front_row.rank < centre_second_row.rank          # front first
    centre = parse_seatmap(HEAD.replace('name = "Test Hall"', 'name = "Test Hall"\n'
                                        'best_seats = "centre-front"') + section(rows))
    ranks = {(s.row, s.number): s.rank for s in centre.seats}
    assert ranks[("B", 4)] < ranks[("A", 1)]                         # centre first
    two = parse_seatmap(HEAD + section(rows, "priority = 1\n") + section(rows, code="MEZZ"))
    assert min(two.section("MEZZ").seats, key=lambda s: s.rank).rank < min(
        s.rank for s in two.section("ORCH").seats)
