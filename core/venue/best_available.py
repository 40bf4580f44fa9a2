"""Best available: the best block of side-by-side free seats for one sale.

A pure module: no database, standard library only. The selling service hands in the seats
of one performance (as `Candidate`s) and the ids of the seats that are free right now, and
gets back the seat ids to put in the cart, or None.

What a block is
    `quantity` seats next to each other: same section, same row, and each seat's column `x`
    one more than the last. An aisle (`|`) or a gap (`.`) in the drawing takes a column, so
    a block never crosses one. Every seat of the block is available, in the `zone` and the
    `section` asked for (when given), and holds exactly `wheelchair` wheelchair spaces and
    exactly `companions` companion seats: with the defaults (0, 0) those seats are never
    chosen.

Which block is best (the objective)
    1. Fewest orphans. An orphan is a lone available seat the sale would strand between the
       block and an unavailable seat, an aisle, a gap or the row end (any free seat counts,
       whatever its zone or kind; a seat already alone before the sale does not). A block
       that leaves one is chosen only when every possible block leaves one (then the
       fewest).
    2. The lowest sum of the seats' ranks (the mean, as the quantity is fixed). The
       parser ranks by the zone's rank, then the section's priority, then the place in
       the section: by default "front row (or the section's ideal row) first, then the
       most central block in it"; a venue with `best_seats = "centre-front"` gets the
       centre first (docs/seatmap-format.md, "Which seats are best").
    3. Ties: the section that comes first in `section_order` (by default, the order in
       which sections first appear in `seats`: pass seats in map order), then the front-
       most row (lowest y, then label), then the block holding the lowest seat number.

Ranks are compared as given, across sections too: a better zone first, then a section's
`priority` (from the map file), so the orchestra comes before the mezzanine; sections of
equal priority meet row for row (the front row of each counts as a front row). See
`_rows` in core/seatmap/parser.py.

Speed: `BestAvailableIndex(seats)` splits every row into runs of adjacent seats once per
performance; a query visits the runs best rank first and stops as soon as no remaining run
can beat the orphan-free block already found. On the 37,000-seat stadium a query takes well
under a millisecond or a few milliseconds sold out (bench/bench_best_available.py); building
the index takes about 0.1 s, so keep it for the performance rather than per call.
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Sequence
from dataclasses import dataclass
from itertools import accumulate

from core.seatmap.model import Seat

MAX_QUANTITY = 20


@dataclass(frozen=True, slots=True)
class Candidate:
    """One seat as the selling code knows it (a row of the seats table)."""

    seat_id: int
    section: str
    row: str
    number: int
    zone: str
    x: int                # column in its drawing: adjacent = same section and row, x +/- 1
    y: int
    rank: int             # lower is better
    wheelchair: bool = False
    companion: bool = False

    @classmethod
    def from_seat(cls, seat_id: int, seat: Seat) -> Candidate:
        """A candidate for a parsed map's seat (tests, benchmarks, the demo)."""
        return cls(seat_id, seat.section, seat.row, seat.number, seat.zone, seat.x, seat.y,
                   seat.rank, seat.wheelchair, seat.companion)


@dataclass(frozen=True, slots=True)
class _Run:
    """Seats side by side with nothing between them, in one row of one section."""

    section: str
    order: tuple[int, int, str]         # section position, row y, row label: for ties
    ids: tuple[int, ...]                # along the row, left to right in the drawing
    numbers: tuple[int, ...]
    zones: tuple[str, ...]
    zone_set: frozenset[str]
    rank_sums: tuple[int, ...]          # prefix sums: sum of ranks[s:e] = [e] - [s]
    wheelchair_sums: tuple[int, ...]
    companion_sums: tuple[int, ...]
    min_rank: int


# (orphans, rank sum, section position, row y, row label, lowest number): lower is better.
_Key = tuple[int, int, int, int, str, int]


def _prefix(values: Iterable[int]) -> tuple[int, ...]:
    return tuple(accumulate(values, initial=0))


def check_request(quantity: int, wheelchair: int = 0, companions: int = 0) -> None:
    """Raise ValueError for a request no block could ever satisfy (a caller's mistake)."""
    for name, value in (("quantity", quantity), ("wheelchair", wheelchair),
                        ("companions", companions)):
        if not isinstance(value, int) or isinstance(value, bool):
            raise ValueError(f"{name} must be a whole number, not {value!r}")
    if not 1 <= quantity <= MAX_QUANTITY:
        raise ValueError(f"quantity must be 1 to {MAX_QUANTITY}, not {quantity}")
    if wheelchair < 0 or companions < 0:
        raise ValueError("wheelchair and companions cannot be negative")
    if wheelchair + companions > quantity:
        raise ValueError(f"{wheelchair} wheelchair spaces and {companions} companion seats "
                         f"do not fit in {quantity} seats")


class BestAvailableIndex:
    """The seats of one performance, split into runs of adjacent seats, ready to query.

    Build it once per performance (it does not change when seats sell) and call `find`
    with the seats available at that moment. It only caches each filter's run order, so
    one index can be shared by every window and thread selling that performance.
    """

    def __init__(self, seats: Iterable[Candidate], *,
                 section_order: Sequence[str] = ()) -> None:
        """`section_order` lists sections best first for ties; sections it leaves out
        follow in the order they first appear in `seats`."""
        positions = {code: index for index, code in enumerate(section_order)}
        rows: dict[tuple[str, str], list[Candidate]] = {}
        for seat in seats:
            positions.setdefault(seat.section, len(positions))
            rows.setdefault((seat.section, seat.row), []).append(seat)
        runs: list[_Run] = []
        for (section, row), row_seats in rows.items():
            row_seats.sort(key=lambda seat: seat.x)
            order = (positions[section], min(seat.y for seat in row_seats), row)
            start = 0
            for index in range(1, len(row_seats) + 1):
                if index == len(row_seats) or row_seats[index].x != row_seats[index - 1].x + 1:
                    runs.append(_run(section, order, row_seats[start:index]))
                    start = index
        self._runs = tuple(runs)
        self._ordered: dict[tuple[str | None, str | None], tuple[_Run, ...]] = {}

    def find(self, available: Container[int], quantity: int, *, zone: str | None = None,
             section: str | None = None, wheelchair: int = 0,
             companions: int = 0) -> list[int] | None:
        """The best block (see the module docstring) as seat ids in seat-number order, or
        None when no block fits. `available` should be a set: it is asked about each seat
        of the runs visited. Raises ValueError for a quantity outside 1..20, a negative
        wheelchair or companion count, or more of them than seats."""
        check_request(quantity, wheelchair, companions)
        best_key: _Key | None = None
        best_run: _Run | None = None
        best_start = 0
        for run in self._runs_for(zone, section):
            if (best_key is not None and best_key[0] == 0
                    and run.min_rank * quantity > best_key[1]):
                break   # runs come best rank first: nothing left can beat this block
            found = _best_in_run(run, available, quantity, zone, wheelchair, companions,
                                 best_key)
            if found is not None:
                best_key, best_start = found
                best_run = run
        if best_run is None:
            return None
        chosen = range(best_start, best_start + quantity)
        return [best_run.ids[i] for i in sorted(chosen, key=lambda i: best_run.numbers[i])]

    def _runs_for(self, zone: str | None, section: str | None) -> tuple[_Run, ...]:
        """The runs that could hold a block for this filter, best rank first (cached)."""
        key = (zone, section)
        cached = self._ordered.get(key)
        if cached is None:
            matching = [run for run in self._runs
                        if (zone is None or zone in run.zone_set)
                        and (section is None or run.section == section)]
            matching.sort(key=lambda run: (run.min_rank, run.order, run.numbers[0]))
            cached = self._ordered[key] = tuple(matching)
        return cached


def _run(section: str, order: tuple[int, int, str], seats: list[Candidate]) -> _Run:
    return _Run(
        section=section, order=order,
        ids=tuple(seat.seat_id for seat in seats),
        numbers=tuple(seat.number for seat in seats),
        zones=tuple(seat.zone for seat in seats),
        zone_set=frozenset(seat.zone for seat in seats),
        rank_sums=_prefix(seat.rank for seat in seats),
        wheelchair_sums=_prefix(seat.wheelchair for seat in seats),
        companion_sums=_prefix(seat.companion for seat in seats),
        min_rank=min(seat.rank for seat in seats))


def _best_in_run(run: _Run, available: Container[int], quantity: int, zone: str | None,
                 wheelchair: int, companions: int,
                 to_beat: _Key | None) -> tuple[_Key, int] | None:
    """The best block in this run if it beats `to_beat`: its key and its first index."""
    length = len(run.ids)
    if (length < quantity or run.wheelchair_sums[-1] < wheelchair
            or run.companion_sums[-1] < companions):
        return None
    free = [seat_id in available for seat_id in run.ids]
    best: tuple[_Key, int] | None = None
    streak = 0
    for end in range(1, length + 1):            # the block is [start, end)
        if not (free[end - 1] and (zone is None or run.zones[end - 1] == zone)):
            streak = 0
            continue
        streak += 1
        if streak < quantity:
            continue
        start = end - quantity
        # Exact counts: with none asked for, a wheelchair space or companion seat rules
        # the block out.
        if (run.wheelchair_sums[end] - run.wheelchair_sums[start] != wheelchair
                or run.companion_sums[end] - run.companion_sums[start] != companions):
            continue
        # A lone free seat just outside the block, with nothing free beyond it, is stranded.
        orphans = int(start >= 1 and free[start - 1] and (start == 1 or not free[start - 2]))
        orphans += int(end < length and free[end] and (end == length - 1 or not free[end + 1]))
        score = run.rank_sums[end] - run.rank_sums[start]
        current = best[0] if best is not None else to_beat
        if current is not None and (orphans, score) > current[:2]:
            continue
        lowest = min(run.numbers[start:end])
        key: _Key = (orphans, score, *run.order, lowest)
        if current is None or key < current:
            best = (key, start)
    return best


def best_available(seats: Sequence[Candidate], available: Container[int], quantity: int,
                   *, zone: str | None = None, section: str | None = None,
                   wheelchair: int = 0, companions: int = 0) -> list[int] | None:
    """The best block of `quantity` adjacent available seats, as seat ids in seat-number
    order, or None when there is none. One-off form of `BestAvailableIndex(seats).find`
    (it builds the index every call); the module docstring gives the rules. Raises
    ValueError for a bad quantity (1..20) or wheelchair/companion count."""
    check_request(quantity, wheelchair, companions)
    return BestAvailableIndex(seats).find(available, quantity, zone=zone, section=section,
                                          wheelchair=wheelchair, companions=companions)
