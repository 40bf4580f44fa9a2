"""Time as the database keeps it (UTC ISO 8601 text, comparable as text), and a time a
person types in the venue's zone made aware, refusing one the zone's clocks skip or
repeat."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo

from core.errors import BoxOfficeError


def stamp(moment: datetime) -> str:
    """Times as stored: UTC ISO 8601, comparable as text."""
    if moment.tzinfo is None:
        raise BoxOfficeError("internal: a naive time reached the database", code="naive_time")
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def parse_stamp(text: str) -> datetime:
    """A stored time back as an aware UTC datetime (a naive one is taken as UTC)."""
    moment = datetime.fromisoformat(text)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


class AmbiguousTime(BoxOfficeError):
    """A typed wall time that happens twice in the zone (the clocks go back): `choices`
    holds both, the first and the second, so a front end can ask which is meant."""

    code = "ambiguous_time"

    def __init__(self, message: str, choices: tuple[datetime, datetime]) -> None:
        super().__init__(message)
        self.choices = choices


def written_with_offset(moment: datetime) -> str:
    """'2027-11-07 01:30-04:00': a local time with its offset, as `local_time` (and the
    CLI's and the window's time fields) read it back without asking."""
    return moment.isoformat(sep=" ", timespec="minutes")


def local_time(naive: datetime, zone: tzinfo) -> datetime:
    """A wall-clock time typed in the venue's zone, as an aware time; one that already
    carries an offset is taken as it is. Refuses one that does not exist there (the hour
    skipped when clocks go forward: BoxOfficeError `nonexistent_time`) and asks which is
    meant for one that happens twice (the hour repeated when clocks go back:
    AmbiguousTime `ambiguous_time`, naming both offsets to write and carrying both
    times). Every front end's start, doors and on-sale times go through it."""
    if naive.tzinfo is not None:
        return naive
    first, second = naive.replace(tzinfo=zone, fold=0), naive.replace(tzinfo=zone, fold=1)
    if first.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != naive:
        raise BoxOfficeError(f"{naive:%Y-%m-%d %H:%M} does not exist in {zone}: the clocks "
                             "skip that hour", code="nonexistent_time")
    if first.utcoffset() != second.utcoffset():
        options = " or ".join(f"'{written_with_offset(moment)}' ({moment.tzname()})"
                              for moment in (first, second))
        raise AmbiguousTime(f"{naive:%Y-%m-%d %H:%M} happens twice in {zone} (the clocks "
                            f"go back): write {options}", (first, second))
    return first
