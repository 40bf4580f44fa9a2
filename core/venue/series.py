"""Series and packages: a set of performances sold together, and what is sold on it.

A series is a named set of performances, possibly at different venues (a season). A
fixed package on it is one seat, the same seat (section, row, number) at every
performance. A package has a price per price zone (by its code) and price type, with a
fee and tax, as single tickets have (`core.venue.pricing`).

The allocation rule: a package's price is spread evenly over the series' performances in
start order, base, fee and tax each on its own; the cents that do not divide go one each
to the earliest performances. Tax is computed once on the package's base + fee (rounded
half up), then spread the same way. Every ticket of a subscription carries its share, so
the shares of one subscription add up to exactly what was paid, and each performance's
settlement counts its share under the channel `subscription`.

Defining a series or a package needs `event_setup`; a package's prices need
`price_change`. Each change is journaled.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from core.config import PricingConfig
from core.errors import BoxOfficeError, NotFound
from core.free_text import clean_text
from core.people.models import User
from core.people.permissions import authorize
from core.store import journal
from core.store.db import Database, insert, write
from core.times import stamp
from core.venue.pricing import price_type_id, tax_on

MAX_PERFORMANCES = 100


class SeriesError(BoxOfficeError):
    code = "series"


@dataclass(frozen=True)
class Series:
    id: int
    name: str
    season: str
    performance_ids: tuple[int, ...]     # in start order
    follows_id: int | None


# a flex pass's price is one for any seat: its zone is this
ANY_ZONE = "ANY"
MAX_ADMISSIONS = 100


@dataclass(frozen=True)
class Package:
    id: int
    series_id: int
    code: str
    name: str
    kind: str                            # fixed, flex
    admissions: int | None = None        # flex: how many admissions a pass holds
    per_performance: int | None = None   # flex: at most this many at one performance


@dataclass(frozen=True)
class PackagePrice:
    package_id: int
    zone: str
    price_type: str
    base_cents: int
    fee_cents: int
    tax_basis_points: int

    @property
    def tax_cents(self) -> int:
        return tax_on(self.base_cents + self.fee_cents, self.tax_basis_points)

    @property
    def total_cents(self) -> int:
        return self.base_cents + self.fee_cents + self.tax_cents


def _performances_of(db: Database, series_id: int) -> tuple[int, ...]:
    return tuple(row[0] for row in db.execute(
        "SELECT p.id FROM series_performances s JOIN performances p ON "
        "p.id = s.performance_id WHERE s.series_id = ? ORDER BY p.starts_at, p.id",
        [series_id]))


def get_series(db: Database, series_id: int) -> Series:
    """One series with its performances in start order. Raises NotFound
    `unknown_series`."""
    row = db.execute("SELECT id, name, season, follows_id FROM series WHERE id = ?",
                     [series_id]).fetchone()
    if row is None:
        raise NotFound(f"there is no series {series_id}", code="unknown_series")
    return Series(row[0], row[1], row[2], _performances_of(db, row[0]), row[3])


def list_series(db: Database) -> list[Series]:
    """Every series, newest first."""
    return [get_series(db, row[0])
            for row in db.execute("SELECT id FROM series ORDER BY id DESC").fetchall()]


def create_series(db: Database, actor: User, name: str, performance_ids: list[int], *,
                  season: str = "", now: datetime) -> Series:
    """A series of scheduled performances (at least one, each once, any venues). Needs
    `event_setup`. Raises SeriesError `no_performances`, `duplicate_performance`,
    `too_many_performances`, `performance_cancelled`; NotFound `unknown_performance`;
    TextError for a bad name; PermissionDenied."""
    name = clean_text(name, "series name", required=True)
    season = clean_text(season, "season")
    if not performance_ids:
        raise SeriesError("a series needs at least one performance", code="no_performances")
    if len(set(performance_ids)) != len(performance_ids):
        raise SeriesError("a performance was named twice", code="duplicate_performance")
    if len(performance_ids) > MAX_PERFORMANCES:
        raise SeriesError(f"a series has at most {MAX_PERFORMANCES} performances",
                          code="too_many_performances")
    with write(db):
        authorize(db, actor, "event_setup")
        for performance_id in performance_ids:
            row = db.execute("SELECT status FROM performances WHERE id = ?",
                             [performance_id]).fetchone()
            if row is None:
                raise NotFound(f"there is no performance {performance_id}",
                               code="unknown_performance")
            if row[0] == "cancelled":
                raise SeriesError(f"performance {performance_id} is cancelled",
                                  code="performance_cancelled")
        series_id = insert(db, "INSERT INTO series (name, season, created_at) "
                               "VALUES (?, ?, ?)", [name, season, stamp(now)])
        db.executemany("INSERT INTO series_performances (series_id, performance_id) "
                            "VALUES (?, ?)", [(series_id, p) for p in performance_ids])
        journal.append(db, actor=actor.username, action="series.create",
                       subject=f"series:{series_id}",
                       data={"name": name, "season": season,
                             "performances": sorted(performance_ids)})
        return get_series(db, series_id)


_PACKAGE = "SELECT id, series_id, code, name, kind, admissions, per_performance FROM packages"


def _package(row: tuple[int, int, str, str, str, int | None, int | None]) -> Package:
    return Package(row[0], row[1], row[2], row[3], row[4], row[5], row[6])


def get_package(db: Database, package_id: int) -> Package:
    """One package. Raises NotFound `unknown_package`."""
    row = db.execute(_PACKAGE + " WHERE id = ?", [package_id]).fetchone()
    if row is None:
        raise NotFound(f"there is no package {package_id}", code="unknown_package")
    return _package(tuple(row))


def list_packages(db: Database, series_id: int | None = None) -> list[Package]:
    """Packages, of one series or of all, in the order they were made."""
    sql = _PACKAGE
    args: list[object] = []
    if series_id is not None:
        sql += " WHERE series_id = ?"
        args.append(series_id)
    return [_package(tuple(row)) for row in db.execute(sql + " ORDER BY id", args)]


def create_package(db: Database, actor: User, series_id: int, code: str, name: str, *,
                   now: datetime, admissions: int | None = None,
                   per_performance: int | None = None) -> Package:
    """A package on a series. Without `admissions`, a fixed package: one seat, the same
    at every performance. With it, a flex pass of that many admissions on any of the
    series' performances, at most `per_performance` at one (default: all of them).
    `code` is short (letters and digits), unique within the series. Needs `event_setup`.
    Raises SeriesError `bad_code`, `duplicate_package`, `bad_admissions`; NotFound
    `unknown_series`; TextError."""
    code = clean_text(code, "package code", required=True).upper()
    name = clean_text(name, "package name", required=True)
    if not code.isalnum() or len(code) > 12:
        raise SeriesError("a package code is 1 to 12 letters and digits", code="bad_code")
    if admissions is None and per_performance is not None:
        raise SeriesError("at most per performance is for a flex pass: give its admissions",
                          code="bad_admissions")
    if admissions is not None:
        per_performance = admissions if per_performance is None else per_performance
        if not (1 <= admissions <= MAX_ADMISSIONS and 1 <= per_performance <= admissions):
            raise SeriesError(f"a flex pass holds 1 to {MAX_ADMISSIONS} admissions, and at "
                              "most that many at one performance", code="bad_admissions")
    kind = "fixed" if admissions is None else "flex"
    with write(db):
        authorize(db, actor, "event_setup")
        get_series(db, series_id)
        if db.execute("SELECT 1 FROM packages WHERE series_id = ? AND code = ?",
                      [series_id, code]).fetchone():
            raise SeriesError(f"series {series_id} already has a package {code}",
                              code="duplicate_package")
        package_id = insert(db, "INSERT INTO packages (series_id, code, name, kind, "
                                "admissions, per_performance, created_at) VALUES "
                                "(?, ?, ?, ?, ?, ?, ?)",
                            [series_id, code, name, kind, admissions, per_performance,
                             stamp(now)])
        journal.append(db, actor=actor.username, action="package.create",
                       subject=f"package:{package_id}",
                       data={"series_id": series_id, "code": code, "name": name,
                             "kind": kind, "admissions": admissions,
                             "per_performance": per_performance})
        return get_package(db, package_id)


def set_package_price(db: Database, actor: User, package_id: int, zone: str,
                      price_type: str, base_cents: int, *, defaults: PricingConfig,
                      fee_cents: int | None = None,
                      tax_basis_points: int | None = None) -> PackagePrice:
    """Set (or change) a package's price for a zone and price type: the whole package,
    every performance together. Fee and tax default to the config's, as single prices.
    A subscription already sold keeps what it cost. Needs `price_change`. Raises
    BoxOfficeError `bad_amount`; NotFound `unknown_package`, `unknown_zone` (the zone
    must be a price zone at every venue of the series), `unknown_price_type`."""
    fee = defaults.fee_cents if fee_cents is None else fee_cents
    tax = defaults.tax_basis_points if tax_basis_points is None else tax_basis_points
    if min(base_cents, fee, tax) < 0:
        raise BoxOfficeError("prices, fees and taxes cannot be negative", code="bad_amount")
    zone = zone.strip().upper()
    with write(db):
        authorize(db, actor, "price_change")
        package = get_package(db, package_id)
        type_id, _ = price_type_id(db, price_type)
        venues_without = db.execute(
            "SELECT count(DISTINCT p.venue_id) FROM series_performances s JOIN performances "
            "p ON p.id = s.performance_id WHERE s.series_id = ? AND NOT EXISTS (SELECT 1 "
            "FROM price_zones z WHERE z.venue_id = p.venue_id AND z.code = ?)",
            [package.series_id, zone]).fetchone()[0]
        if package.kind == "flex" and zone != ANY_ZONE:
            raise NotFound(f"a flex pass has one price for any seat: its zone is {ANY_ZONE}",
                           code="unknown_zone")
        if package.kind == "fixed" and venues_without:
            raise NotFound(f"'{zone[:12]}' is not a price zone at every venue of the series",
                           code="unknown_zone")
        db.execute(
            "INSERT INTO package_prices (package_id, zone, price_type_id, base_cents, "
            "fee_cents, tax_basis_points) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT "
            "(package_id, zone, price_type_id) DO UPDATE SET base_cents = "
            "excluded.base_cents, fee_cents = excluded.fee_cents, "
            "tax_basis_points = excluded.tax_basis_points",
            [package_id, zone, type_id, base_cents, fee, tax])
        journal.append(db, actor=actor.username, action="package.price",
                       subject=f"package:{package_id}",
                       data={"zone": zone, "price_type": price_type.upper(),
                             "base_cents": base_cents, "fee_cents": fee,
                             "tax_basis_points": tax})
    return PackagePrice(package_id, zone, price_type.upper(), base_cents, fee, tax)


def package_prices(db: Database, package_id: int) -> list[PackagePrice]:
    """A package's prices by zone, then price type."""
    return [PackagePrice(package_id, row[0], row[1], row[2], row[3], row[4])
            for row in db.execute(
                "SELECT p.zone, t.code, p.base_cents, p.fee_cents, p.tax_basis_points "
                "FROM package_prices p JOIN price_types t ON t.id = p.price_type_id "
                "WHERE p.package_id = ? ORDER BY p.zone, t.id", [package_id])]


def get_package_price(db: Database, package_id: int, zone: str,
                      price_type_id_: int) -> PackagePrice:
    """A package's price for a zone and price type. Raises NotFound `no_price`."""
    row = db.execute(
        "SELECT t.code, p.base_cents, p.fee_cents, p.tax_basis_points FROM package_prices p "
        "JOIN price_types t ON t.id = p.price_type_id WHERE p.package_id = ? AND "
        "p.zone = ? AND p.price_type_id = ?", [package_id, zone, price_type_id_]).fetchone()
    if row is None:
        names = db.execute("SELECT (SELECT code FROM packages WHERE id = ?), "
                           "(SELECT code FROM price_types WHERE id = ?)",
                           [package_id, price_type_id_]).fetchone()
        raise NotFound(f"package {names[0]} has no {names[1]} price for zone {zone}",
                       code="no_price")
    return PackagePrice(package_id, zone, row[0], row[1], row[2], row[3])


def spread(amount_cents: int, parts: int, index: int) -> int:
    """Part `index` (0-based) of `amount_cents` spread evenly over `parts`: the cents that
    do not divide go one each to the first parts, so the parts add up exactly."""
    share, left = divmod(amount_cents, parts)
    return share + (1 if index < left else 0)


def package_share(db: Database, package_id: int, performance_id: int, zone: str,
                  price_type_id_: int) -> tuple[int, int, int]:
    """(base, fee, tax) cents of one performance's ticket in a package, by the allocation
    rule above. Raises NotFound `no_price`, SeriesError `not_in_series`."""
    price = get_package_price(db, package_id, zone, price_type_id_)
    series_id = get_package(db, package_id).series_id
    shows = _performances_of(db, series_id)
    if performance_id not in shows:
        raise SeriesError(f"performance {performance_id} is not in series {series_id}",
                          code="not_in_series")
    index, parts = shows.index(performance_id), len(shows)
    return (spread(price.base_cents, parts, index), spread(price.fee_cents, parts, index),
            spread(price.tax_cents, parts, index))
