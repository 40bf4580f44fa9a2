"""Best available: front and centre, never across an aisle, no orphans, access seats on request.

Rows are drawn as in a seat map file. In the small maps here `x` (zone A) and `y` (zone B)
are seats that are already sold, so a test's drawing shows the house as the seller sees it.
"""

from __future__ import annotations

import random
from collections.abc import Container, Sequence
from dataclasses import replace
from functools import cache
from itertools import pairwise
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.seatmap import SeatMap, load_seatmap, parse_seatmap
from core.venue.best_available import BestAvailableIndex, Candidate, best_available
from tests.support.constants import REPO
from tests.support.seatmap_samples import HEAD as SAMPLE_HEAD

SOLD = "xy"
HEAD = SAMPLE_HEAD + """\
x = { zone = "A" }
y = { zone = "B" }
"""


def section(code: str, rows: str, extra: str = "") -> str:
    return f'[[section]]\ncode = "{code}"\nname = "{code}"\n{extra}rows = \'\'\'\n{rows}\'\'\'\n'


class House:
    """A parsed map as the selling code sees it: candidates, what is free, and names."""

    def __init__(self, seatmap: SeatMap) -> None:
        self.seats = [Candidate.from_seat(i, seat) for i, seat in enumerate(seatmap.seats, 1)]
        self.glyphs = {i: seat.glyph for i, seat in enumerate(seatmap.seats, 1)}
        self.by_id = {seat.seat_id: seat for seat in self.seats}
        self.free = {i for i, glyph in self.glyphs.items() if glyph not in SOLD}
        self.sections = len({seat.section for seat in self.seats})

    def best(self, quantity: int, **request: int | str) -> list[str] | None:
        found = best_available(self.seats, self.free, quantity, **request)  # type: ignore[arg-type]
        return None if found is None else [self.name(i) for i in found]

    def name(self, seat_id: int) -> str:
        seat = self.by_id[seat_id]
        label = f"{seat.row}-{seat.number}"
        return label if self.sections == 1 else f"{seat.section} {label}"


def house(rows: str, *more: str, extra: str = "") -> House:
    return House(parse_seatmap(HEAD + section("ORCH", rows, extra) + "".join(more)))


@cache
def hall() -> House:
    return House(load_seatmap(REPO / "seatmaps" / "aldridge-hall.toml"))


@cache
def stadium() -> House:
    return House(load_seatmap(REPO / "seatmaps" / "harbor-stadium.toml"))


# -- the reference: every block of every row, checked the slow, obvious way ----------------

def reference(seats: Sequence[Candidate], available: Container[int], quantity: int, *,
              zone: str | None = None, section: str | None = None, wheelchair: int = 0,
              companions: int = 0) -> tuple[list[int] | None, bool]:
    """The best block by the documented objective, and whether an orphan-free block exists."""
    positions: dict[str, int] = {}
    rows: dict[tuple[str, str], list[Candidate]] = {}
    for seat in seats:
        positions.setdefault(seat.section, len(positions))
        rows.setdefault((seat.section, seat.row), []).append(seat)

    def stranded(row: list[Candidate], edge: int, step: int) -> bool:
        """Is row[edge + step] a lone free seat right beside the block's edge seat?"""
        i = edge + step
        if not (0 <= i < len(row) and abs(row[i].x - row[edge].x) == 1
                and row[i].seat_id in available):
            return False
        j = i + step
        return not (0 <= j < len(row) and abs(row[j].x - row[i].x) == 1
                    and row[j].seat_id in available)

    best: tuple[tuple[int, int, int, int, str, int], list[int]] | None = None
    orphan_free = False
    for row in rows.values():
        row.sort(key=lambda seat: seat.x)
        for start in range(len(row) - quantity + 1):
            block = row[start:start + quantity]
            if any(b.x - a.x != 1 for a, b in pairwise(block)):
                continue
            if not all(s.seat_id in available and zone in (None, s.zone)
                       and section in (None, s.section) for s in block):
                continue
            if (sum(s.wheelchair for s in block) != wheelchair
                    or sum(s.companion for s in block) != companions):
                continue
            orphans = (stranded(row, start, -1)
                       + stranded(row, start + quantity - 1, 1))
            orphan_free = orphan_free or orphans == 0
            key = (orphans, sum(s.rank for s in block), positions[block[0].section],
                   min(s.y for s in row), block[0].row, min(s.number for s in block))
            if best is None or key < best[0]:
                ids = [s.seat_id for s in sorted(block, key=lambda s: s.number)]
                best = (key, ids)
    return (None if best is None else best[1]), orphan_free


# -- front and centre ------------------------------------------------------------------------

@pytest.mark.parametrize(("quantity", "expected"), [
    (1, ["A-4"]),
    (2, ["A-4", "A-5"]),
    (3, ["A-3", "A-4", "A-5"]),          # a tie with 4-6: the lower seat numbers win
    (8, ["A-1", "A-2", "A-3", "A-4", "A-5", "A-6", "A-7", "A-8"]),
    (9, ["B-1", "B-2", "B-3", "B-4", "B-5", "B-6", "B-7", "B-8", "B-9"]),
])
def test_an_empty_house_gets_the_front_centre_block(quantity: int,
                                                   expected: list[str]) -> None:
    assert house("A:  AAAAAAAA\nB: AAAAAAAAAA\n").best(quantity) == expected


def test_a_front_row_block_beats_a_more_central_one_further_back() -> None:
    assert house("A: xxAAxxxx\nB: AAAAAAAA\n").best(2) == ["A-3", "A-4"]


def test_the_empty_hall_sells_the_premium_centre_of_its_ideal_row() -> None:
    # the hall ranks Premium (A) over Prime (B) and names orchestra row F its ideal row:
    # row AA (all Prime) no longer comes first (docs/seatmap-format.md)
    assert hall().best(2, section="ORCH") == ["ORCH F-107", "ORCH F-108"]
    assert hall().best(4, section="ORCH") == ["ORCH F-106", "ORCH F-107", "ORCH F-108",
                                              "ORCH F-109"]
    # Prime only: row F's side block, from the centre aisle out (odd numbers, house right)
    assert hall().best(2, zone="B") == ["ORCH F-1", "ORCH F-3"]


def test_anywhere_in_the_empty_hall_means_the_orchestra_by_zone_then_priority() -> None:
    # Premium is in the orchestra and the mezzanine: the orchestra's priority 0 beats the
    # mezzanine's 1, so the whole first choice is orchestra row F
    for quantity in range(1, 8):
        found = hall().best(quantity)
        assert found is not None and all(name.startswith("ORCH F-") for name in found)
    assert hall().best(2, zone="A") == ["ORCH F-107", "ORCH F-108"]
    found = hall().best(4, zone="A", section="MEZZ")
    assert found == ["MEZZ A-107", "MEZZ A-108", "MEZZ A-109", "MEZZ A-110"]


def test_seats_come_in_seat_number_order_whichever_way_the_row_is_numbered() -> None:
    numbered = house("A: AAAAAA\n", extra='numbering = "right-to-left"\n')
    assert numbered.best(2) == ["A-3", "A-4"]      # A-4 is the left one in the drawing
    blocks = hall().best(3, section="ORCH", zone="C")
    assert blocks is not None
    numbers = [int(name.rsplit("-", 1)[1]) for name in blocks]
    assert numbers == sorted(numbers) and numbers[1] - numbers[0] == 2


# -- aisles and gaps --------------------------------------------------------------------------

@pytest.mark.parametrize(("rows", "quantity", "expected"), [
    ("A: AAA|AAA\n", 4, None),
    ("A: AAA.AAA\n", 4, None),
    ("A: AAA|AAA\nB: AAAAAAA\n", 4, ["B-1", "B-2", "B-3", "B-4"]),
    ("A: AA.AAAA\n", 3, ["A-3", "A-4", "A-5"]),
])
def test_a_block_never_crosses_an_aisle_or_a_gap(rows: str, quantity: int,
                                                 expected: list[str] | None) -> None:
    assert house(rows).best(quantity) == expected


@pytest.mark.parametrize("quantity", [2, 5, 11, 15, 18, 20])
def test_in_the_hall_every_block_is_side_by_side(quantity: int) -> None:
    found = best_available(hall().seats, hall().free, quantity)
    assert found is not None
    block = sorted((hall().by_id[i] for i in found), key=lambda seat: seat.x)
    assert len({(seat.section, seat.row) for seat in block}) == 1
    assert [seat.x for seat in block] == list(range(block[0].x, block[0].x + quantity))


# -- orphans ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("rows", "quantity", "expected"), [
    # The centred 3-5 would strand 2 beside the sold seat; 2-4 strands nobody.
    ("A: xAAAAAA\n", 3, ["A-2", "A-3", "A-4"]),
    # The centred 2-6 strands a seat at each row end; 1-5 and 3-7 tie, lower numbers win.
    ("A: AAAAAAA\n", 5, ["A-1", "A-2", "A-3", "A-4", "A-5"]),
    # Beside an aisle: 4-5 would strand 6 against it.
    ("A: AAAAAA|AA\n", 2, ["A-5", "A-6"]),
    # ... and beside a gap.
    ("A: AAAAAA.AA\n", 2, ["A-5", "A-6"]),
])
def test_a_block_that_strands_a_single_seat_is_avoided(rows: str, quantity: int,
                                                       expected: list[str]) -> None:
    assert house(rows).best(quantity) == expected


def test_when_every_block_strands_a_seat_the_best_one_is_sold_anyway() -> None:
    assert house("A: AAAAAA|AAAAAA\n").best(5) == ["A-2", "A-3", "A-4", "A-5", "A-6"]
    assert house("A: xAAx\n").best(1) == ["A-2"]
    assert house("A: AwcwcA\n").best(4, wheelchair=2, companions=2) == [
        "A-2", "A-3", "A-4", "A-5"]


def test_a_lone_seat_that_was_already_alone_is_not_counted() -> None:
    # Seat 1 is stranded already; selling 3-4 next to it changes nothing.
    assert house("A: AxAAxxx\n").best(2) == ["A-3", "A-4"]


# -- wheelchair spaces and companion seats ------------------------------------------------

ACCESS = "A: AwcwcA\nB: AAAAAA\n"


@pytest.mark.parametrize(("request_", "quantity", "expected"), [
    ({}, 2, ["B-3", "B-4"]),                       # row A's plain seats are single
    ({}, 1, ["A-1"]),                              # a plain seat, not a wheelchair space
    ({"wheelchair": 1, "companions": 1}, 2, ["A-3", "A-4"]),
    ({"wheelchair": 1, "companions": 1}, 3, ["A-1", "A-2", "A-3"]),
    ({"wheelchair": 1}, 2, ["A-1", "A-2"]),        # exactly 0 companions: only 1-2 fits
    ({"wheelchair": 1}, 1, ["A-4"]),
    ({"companions": 1}, 1, ["A-3"]),
    ({"wheelchair": 2}, 2, None),
    ({"wheelchair": 1, "companions": 1}, 6, None),
    ({"wheelchair": 2, "companions": 2}, 6, ["A-1", "A-2", "A-3", "A-4", "A-5", "A-6"]),
])
def test_access_seats_are_chosen_only_when_asked_for_in_exact_numbers(
        request_: dict[str, int], quantity: int, expected: list[str] | None) -> None:
    assert house(ACCESS).best(quantity, **request_) == expected


def test_the_hall_sells_wheelchair_places_in_row_p_with_a_companion() -> None:
    found = best_available(hall().seats, hall().free, 2, wheelchair=1, companions=1)
    assert found is not None
    seats = [hall().by_id[i] for i in found]
    assert {seat.row for seat in seats} == {"P"}
    assert sorted((s.wheelchair, s.companion) for s in seats) == [(False, True), (True, False)]
    # Row P's five plain seats between its companion seats fit 5, not 6.
    for quantity, row in ((5, "P"), (6, "Q")):
        plain = best_available(hall().seats, hall().free, quantity, section="ORCH", zone="C")
        assert plain is not None
        assert {hall().by_id[i].row for i in plain} == {row}
        assert not any(hall().by_id[i].wheelchair or hall().by_id[i].companion for i in plain)


# -- filters, impossible requests, bad requests ----------------------------------------------

FILTERED = ("A: BBAABB\nB: AAAAAA\n",
            section("BALC", "A: AAAAAA\nB: BBBBBB\n", 'numbering = "right-to-left"\n'))


@pytest.mark.parametrize(("request_", "quantity", "expected"), [
    ({"zone": "A"}, 2, ["ORCH A-3", "ORCH A-4"]),
    ({"zone": "A", "section": "ORCH"}, 3, ["ORCH B-1", "ORCH B-2", "ORCH B-3"]),  # not B-2-4:
    # that strands B-1. Without the section, BALC's row A wins: it is that section's front.
    ({"zone": "A"}, 3, ["BALC A-1", "BALC A-2", "BALC A-3"]),
    ({"zone": "B"}, 2, ["ORCH A-1", "ORCH A-2"]),
    ({"section": "BALC"}, 2, ["BALC A-3", "BALC A-4"]),
    ({"section": "BALC", "zone": "B"}, 4, ["BALC B-1", "BALC B-2", "BALC B-3", "BALC B-4"]),
    ({"section": "BALC", "zone": "A"}, 7, None),
    ({"zone": "Q"}, 1, None),
    ({"section": "NOPE"}, 1, None),
])
def test_zone_and_section_filters(request_: dict[str, str], quantity: int,
                                  expected: list[str] | None) -> None:
    assert house(*FILTERED).best(quantity, **request_) == expected


def test_no_block_when_the_house_cannot_seat_the_party() -> None:
    assert house("A: xxxx\nB: yyyy\n").best(1) is None
    assert house("A: AAxAAxAA\n").best(3) is None
    assert house("A: AAAAAAAAAA\n").best(11) is None
    assert best_available([], set(), 1) is None


@pytest.mark.parametrize(("quantity", "request_"), [
    (0, {}), (21, {}), (-1, {}), (True, {}), (2.0, {}),
    (2, {"wheelchair": -1}), (2, {"companions": -1}),
    (2, {"wheelchair": 2, "companions": 1}),
])
def test_a_request_no_block_could_meet_is_a_value_error(quantity: object,
                                                       request_: dict[str, int]) -> None:
    index = BestAvailableIndex(hall().seats)
    with pytest.raises(ValueError):
        index.find(hall().free, quantity, **request_)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        best_available(hall().seats, hall().free, quantity, **request_)  # type: ignore[arg-type]


# -- determinism --------------------------------------------------------------------------

def test_the_same_question_gets_the_same_answer_in_any_seat_order() -> None:
    seats = hall().seats
    order = list(dict.fromkeys(seat.section for seat in seats))
    free = set(random.Random(7).sample(sorted(hall().free), 700))
    index = BestAvailableIndex(seats)
    shuffled = list(seats)
    random.Random(8).shuffle(shuffled)
    other = BestAvailableIndex(shuffled, section_order=order)
    requests: list[dict[str, Any]] = [{}, {"zone": "B"}, {"zone": "C"}, {"section": "MEZZ"}]
    for quantity in (1, 2, 3, 4, 6, 10):
        for request_ in requests:
            first = index.find(free, quantity, **request_)
            assert first == index.find(free, quantity, **request_)
            assert first == other.find(free, quantity, **request_)
            assert first == best_available(seats, free, quantity, **request_)
            assert first == reference(seats, free, quantity, **request_)[0]


def test_section_order_breaks_ties_between_sections() -> None:
    twins = house("A: AAAAAA\n", section("SIDE", "A: AAAAAA\n"))
    assert twins.best(2) == ["ORCH A-3", "ORCH A-4"]
    index = BestAvailableIndex(twins.seats, section_order=["SIDE"])
    found = index.find(twins.free, 2)
    assert found is not None and [twins.name(i) for i in found] == ["SIDE A-3", "SIDE A-4"]


def test_the_stadium_matches_the_reference_with_a_third_sold() -> None:
    seats = stadium().seats
    free = set(random.Random(3).sample(sorted(stadium().free), len(seats) * 7 // 10))
    index = BestAvailableIndex(seats)
    requests: list[tuple[int, dict[str, Any]]] = [
        (4, {"zone": "A"}), (2, {"wheelchair": 1, "companions": 1})]
    for quantity, request_ in requests:
        found = index.find(free, quantity, **request_)
        assert found is not None
        assert found == reference(seats, free, quantity, **request_)[0]


# -- property: any availability, any request ---------------------------------------------

PROPERTY_MAP = (
    "A: BBwcAAAA|AAAAcwBB\n"
    "B: BBAAA.AAAAAAA|BBB\n"
    "C:  AAAAAAAAAAAAAAA\n"
    "D: BBBBBBBBBBBBBBBBB\n",
    section("BALC", "A: AAAAAA\nB: BBwcBBB\nC: B.BB.BBB\nD: AAAABBBB\n",
            'numbering = "right-to-left"\n'),
)
PROPERTY_SEATS = 90


@cache
def property_house() -> House:
    return house(*PROPERTY_MAP)


@st.composite
def availability(draw: st.DrawFn) -> list[bool]:
    """Which seats are free. Up to half the seats are listed, as the sold ones (a thin to
    busy house) or as the free ones (busy to sold out): quick to draw, and a failure
    shrinks to a short list."""
    listed = draw(st.sets(st.integers(0, PROPERTY_SEATS - 1), max_size=PROPERTY_SEATS // 2))
    listed_are_free = draw(st.booleans())
    return [(seat in listed) == listed_are_free for seat in range(PROPERTY_SEATS)]


@settings(max_examples=250, deadline=None)
@given(free=availability(),
       quantity=st.integers(1, 6),
       zone=st.sampled_from([None, "A", "B"]),
       section_=st.sampled_from([None, "ORCH", "BALC"]),
       wheelchair=st.sampled_from([0, 0, 0, 1, 2]),
       companions=st.sampled_from([0, 0, 0, 1, 2]),
       ranks=st.none() | st.lists(st.integers(0, 40), min_size=PROPERTY_SEATS,
                                  max_size=PROPERTY_SEATS))
def test_any_answer_is_free_adjacent_filtered_and_strands_no_seat_needlessly(
        free: list[bool], quantity: int, zone: str | None, section_: str | None,
        wheelchair: int, companions: int, ranks: list[int] | None) -> None:
    """With the map's ranks, or with a house's own (here random, with many ties)."""
    if wheelchair + companions > quantity:
        return
    seats = property_house().seats
    if ranks is not None:
        seats = [replace(seat, rank=rank) for seat, rank in zip(seats, ranks, strict=True)]
    assert len(seats) == len(free)
    available = {seat.seat_id for seat, is_free in zip(seats, free, strict=True) if is_free}
    found = best_available(seats, available, quantity, zone=zone, section=section_,
                           wheelchair=wheelchair, companions=companions)
    expected, orphan_free_exists = reference(
        seats, available, quantity, zone=zone, section=section_, wheelchair=wheelchair,
        companions=companions)
    assert found == expected
    if found is None:
        return
    block = [property_house().by_id[i] for i in found]
    assert len(block) == quantity and all(seat.seat_id in available for seat in block)
    assert [seat.number for seat in block] == sorted(seat.number for seat in block)
    assert len({(seat.section, seat.row) for seat in block}) == 1
    xs = sorted(seat.x for seat in block)
    assert xs == list(range(xs[0], xs[0] + quantity))
    assert all(zone in (None, seat.zone) and section_ in (None, seat.section)
               for seat in block)
    assert sum(seat.wheelchair for seat in block) == wheelchair
    assert sum(seat.companion for seat in block) == companions
    row = {seat.x: seat for seat in seats
           if (seat.section, seat.row) == (block[0].section, block[0].row)}

    def lone(x: int, step: int) -> bool:
        beside = row.get(x)
        beyond = row.get(x + step)
        return (beside is not None and beside.seat_id in available
                and (beyond is None or beyond.seat_id not in available))

    if lone(xs[0] - 1, -1) or lone(xs[-1] + 1, 1):
        assert not orphan_free_exists
