"""Which seats are "best": the order a venue states in its seat map file (a zone's rank,
a section's ideal row), and today's front-then-centre order where it states nothing."""

from __future__ import annotations

import pytest

from core.seatmap import SeatMap, SeatMapInvalid, parse_seatmap
from core.venue.best_available import BestAvailableIndex, Candidate
from tests.support.constants import REPO

HEAD = """\
format = 1
[venue]
code = "T"
name = "Test Hall"
[zones]
"""


def hall(zones: str, rows: str, extra: str = "") -> SeatMap:
    return parse_seatmap(HEAD + zones + '[[section]]\ncode = "ORCH"\nname = "Orchestra"\n'
                         + extra + "rows = '''\n" + rows + "'''\n")


def best(seatmap: SeatMap, quantity: int, sold: frozenset[tuple[str, int]] | set[
        tuple[str, int]] = frozenset()) -> list[tuple[str, int]]:
    """Best available's block as (row, number), with the `sold` seats taken."""
    seats = seatmap.seats
    index = BestAvailableIndex([Candidate.from_seat(i, s) for i, s in enumerate(seats)])
    free = {i for i, s in enumerate(seats) if (s.row, s.number) not in sold}
    found = index.find(free, quantity)
    assert found is not None
    return [(seats[i].row, seats[i].number) for i in found]


ZONES = ('A = { name = "Premium", color = "yellow", rank = 0 }\n'
         'B = { name = "Prime", color = "green", rank = 1 }\n')
# a front row all Prime, then Premium in the centre of the rows behind it
ROWS = "AA: BBBBBB\n A: BAAAAB\n B: BAAAAB\n"


def test_a_better_zone_comes_before_a_nearer_row() -> None:
    assert best(hall(ZONES, ROWS), 2) == [("A", 3), ("A", 4)]
    # with the Premium seats gone, the front row's Prime seats are next
    premium = {(row, n) for row in "AB" for n in range(2, 6)}
    assert best(hall(ZONES, ROWS), 2, premium) == [("AA", 3), ("AA", 4)]


def test_without_zone_ranks_the_front_row_comes_first_as_before() -> None:
    plain = ('A = { name = "Premium", color = "yellow" }\n'
             'B = { name = "Prime", color = "green" }\n')
    assert best(hall(plain, ROWS), 2) == [("AA", 3), ("AA", 4)]


def test_the_ideal_row_first_then_the_rows_either_side_front_one_first() -> None:
    rows = "".join(f"{label}: AAAA\n" for label in "ABCDEFG")
    seatmap = hall('A = { name = "All", color = "yellow" }\n', rows, 'ideal_row = "D"\n')
    order = []
    sold: set[tuple[str, int]] = set()
    for _ in range(7):
        block = best(seatmap, 4, sold)
        order.append(block[0][0])
        sold.update(block)
    assert order == ["D", "C", "E", "B", "F", "A", "G"]


def test_a_wrong_rank_or_ideal_row_is_refused_with_its_place() -> None:
    with pytest.raises(SeatMapInvalid) as caught:
        hall('A = { name = "P", color = "yellow", rank = -1 }\n', "A: AAA\n",
             'ideal_row = "Q"\n')
    found = {problem.code: problem.message for problem in caught.value.problems}
    assert set(found) == {"bad-value"} and len(caught.value.problems) == 2
    messages = " ".join(problem.message for problem in caught.value.problems)
    assert "rank" in messages and "ideal_row 'Q' is not one of its rows (A)" in messages


@pytest.mark.parametrize(("venue", "zone"), [("aldridge-hall", "A"), ("harbor-stadium", "A")])
def test_the_demo_venues_offer_their_best_zone_first(venue: str, zone: str) -> None:
    seatmap = parse_seatmap((REPO / "seatmaps" / f"{venue}.toml").read_text())
    index = BestAvailableIndex([Candidate.from_seat(i, s) for i, s in enumerate(seatmap.seats)])
    for quantity in (1, 2, 4, 8):
        found = index.find(set(range(len(seatmap.seats))), quantity)
        assert found is not None
        assert {seatmap.seats[i].zone for i in found} == {zone}


def test_the_hall_starts_at_its_ideal_row_in_the_premium_centre() -> None:
    seatmap = parse_seatmap((REPO / "seatmaps" / "aldridge-hall.toml").read_text())
    assert best(seatmap, 2) == [("F", 107), ("F", 108)]
