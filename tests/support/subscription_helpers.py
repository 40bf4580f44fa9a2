"""Helpers for the subscription tests: a series of hall performances and a fixed package
priced in every zone."""

from __future__ import annotations

from core.config import PricingConfig
from core.store.db import Database
from core.venue import series as series_service
from core.venue.performances import copy_performance
from core.venue.series import Package, Series
from tests.support.constants import FIXED_NOW, ZONE
from tests.support.dates import day_at
from tests.support.selling_helpers import hall_performance, keep_on_sale, user

# the package price of zone A for an adult: $300.00 + $12.00 fee, 8 % tax on both
PACKAGE_A = (30000, 1200, 800)
PRICING = PricingConfig(fee_cents=1200, tax_basis_points=800)


def hall_series(db: Database, count: int = 6, *, name: str = "Opera season",
                code: str = "FULL") -> tuple[Series, Package]:
    """`count` performances of the demo hall's first event (the first, then weekly copies)
    in a series with one fixed package, priced for adults in every zone (zone A at
    PACKAGE_A, each later zone $30 less) and for seniors in zone A ($250)."""
    cora = user(db, "cora")
    first = hall_performance(db)
    shows = [first] + [copy_performance(db, cora, first, day_at(7 * week, "19:30", ZONE))
                       for week in range(1, count)]
    keep_on_sale(db)
    made = series_service.create_series(db, cora, name, shows, season="2027",
                                        now=FIXED_NOW)
    package = series_service.create_package(db, cora, made.id, code, "Full season",
                                            now=FIXED_NOW)
    for step, zone in enumerate("ABCDEF"):
        series_service.set_package_price(db, cora, package.id, zone, "ADULT",
                                         PACKAGE_A[0] - 3000 * step, defaults=PRICING)
    series_service.set_package_price(db, cora, package.id, "A", "SENIOR", 25000,
                                     defaults=PRICING)
    return made, package


# a flex pass of 4 admissions, at most 2 at one performance: $200.00 + $8.00 fee + 8 %
FLEX_PRICE = (20000, 800)


def flex_package(db: Database, made: Series, *, admissions: int = 4,
                 per_performance: int = 2, code: str = "FLEX4") -> Package:
    """A flex package on `made`, priced for adults at FLEX_PRICE."""
    cora = user(db, "cora")
    package = series_service.create_package(db, cora, made.id, code, "Flex four", now=FIXED_NOW,
                                            admissions=admissions,
                                            per_performance=per_performance)
    series_service.set_package_price(db, cora, package.id, series_service.ANY_ZONE, "ADULT",
                                     FLEX_PRICE[0], defaults=PRICING, fee_cents=FLEX_PRICE[1])
    return package
