"""Issue 24: a start time that does not exist in the venue's zone is refused; one that
happens twice is refused with both offsets to choose from (core.times.local_time). The
transitions are found from FIXED_NOW, not written down."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest

from core import times
from core.errors import BoxOfficeError
from tests.support.constants import ZONE
from tests.support.dates import clock_change_time


def test_a_time_in_the_skipped_hour_is_refused() -> None:
    skipped = clock_change_time(ZONE, forward=True)
    with pytest.raises(BoxOfficeError) as refused:
        times.local_time(skipped, ZONE)
    assert refused.value.code == "nonexistent_time"


def test_a_time_in_the_repeated_hour_asks_which() -> None:
    repeated = clock_change_time(ZONE, forward=False)
    with pytest.raises(BoxOfficeError) as refused:
        times.local_time(repeated, ZONE)
    assert refused.value.code == "ambiguous_time"
    assert "-04:00" in refused.value.message and "-05:00" in refused.value.message
    ordinary = repeated + timedelta(days=2)
    assert times.local_time(ordinary, ZONE).utcoffset() is not None


def test_an_explicit_offset_settles_the_repeated_hour() -> None:
    repeated = clock_change_time(ZONE, forward=False)
    first = times.local_time(repeated.replace(tzinfo=ZONE, fold=0), ZONE)
    second = times.local_time(repeated.replace(tzinfo=ZONE, fold=1), ZONE)
    assert first.utcoffset() != second.utcoffset()   # the same wall time, an hour apart
    assert abs(first.astimezone(UTC) - second.astimezone(UTC)) == timedelta(hours=1)
