"""Issue 24: a performance with no off-sale time stops selling once it is over, unless a
coordinator sets an off-sale time that says otherwise."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.people.users import get_user
from core.store.db import Database
from core.venue import performances
from core.venue.performances import ENDS_AFTER, NotOnSale


def test_a_past_performance_is_off_sale_without_an_off_sale_time(demo_db: Database) -> None:
    show = performances.get_performance(demo_db, 1)
    assert show.off_sale_at is None
    performances.check_on_sale(demo_db, 1, show.starts_at + ENDS_AFTER - timedelta(minutes=1))
    with pytest.raises(NotOnSale) as refused:
        performances.check_on_sale(demo_db, 1, show.starts_at + timedelta(days=365))
    assert refused.value.code == "off_sale"


def test_the_coordinator_can_keep_it_on_sale_longer(demo_db: Database) -> None:
    show = performances.get_performance(demo_db, 1)
    performances.set_on_sale_window(demo_db, get_user(demo_db, "cora"), 1, None,
                                    show.starts_at + timedelta(days=2))
    performances.check_on_sale(demo_db, 1, show.starts_at + timedelta(days=1))
