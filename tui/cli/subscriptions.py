"""`boxoffice series ...` and `boxoffice subscription ...`: series of performances, their
fixed packages and prices, and selling subscriptions, headless. Every command that
changes something signs in with --user/--pin; core checks the permission and journals
it; a refusal exits 1 with the error's code and changes nothing."""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from datetime import timedelta

import click

from core import clock
from core.errors import BoxOfficeError
from core.free_text import clean_text
from core.money import parse_money
from core.sales import carts, customers, orders, subscription_exchange, subscriptions
from core.store.db import Database
from core.venue import performances
from core.venue import series as series_service
from core.venue.series import Series
from tui.cli.context import (
    cli_context,
    done,
    money_text,
    open_db,
    override_of,
    reported,
    sign_in,
    signed_in_options,
    ticket_signer,
)
from tui.cli.sales import (
    check_printer,
    echo_order,
    print_on_paper,
    report_printer_failure,
    tenders_from_specs,
)
from tui.cli.types import BASIS_POINTS, COUNT, ID


def performance_ids(text: str) -> list[int]:
    """--performances 1,4,5 as ids. Raises BoxOfficeError `bad_performances`."""
    try:
        ids = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise BoxOfficeError(f"cannot read '{text[:40]}': performance numbers separated "
                             "by commas, e.g. 1,4,5", code="bad_performances") from None
    if any(not 0 < number < 10 ** 9 for number in ids):
        raise BoxOfficeError("performance numbers are positive", code="bad_performances")
    return ids


def _series_json(db: Database, made: Series) -> dict[str, object]:
    return {"id": made.id, "name": made.name, "season": made.season,
            "performances": list(made.performance_ids),
            "packages": [{"id": p.id, "code": p.code, "name": p.name, "kind": p.kind,
                          "exchange_fee_cents": subscription_exchange.exchange_fee(db, p.id),
                          "prices": [{"zone": x.zone, "price_type": x.price_type,
                                      "base_cents": x.base_cents, "fee_cents": x.fee_cents,
                                      "tax_cents": x.tax_cents, "total_cents": x.total_cents}
                                     for x in series_service.package_prices(db, p.id)]}
                         for p in series_service.list_packages(db, made.id)]}


@click.group("series")
def series() -> None:
    """Series of performances sold together, and their fixed packages."""


@series.command("create")
@click.argument("name")
@click.option("--performances", "performances_text", required=True,
              help="Performance numbers, e.g. 1,4,5,6 (any venues).")
@click.option("--season", default="", help="e.g. 2027")
@signed_in_options
def series_create(name: str, performances_text: str, season: str, db_path: str | None,
                  username: str, pin: str, as_json: bool) -> None:
    """A new series. Needs event_setup."""
    db = open_db(db_path)
    with reported(as_json):
        actor = sign_in(db, username, pin)
        made = series_service.create_series(db, actor, name, performance_ids(performances_text),
                                            season=season, now=clock.now())
    done(as_json, f"series #{made.id} {made.name}: {len(made.performance_ids)} "
                  "performance(s)", series_id=made.id)


@series.command("list")
@click.option("--db", "db_path", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True)
def series_list(db_path: str | None, as_json: bool) -> None:
    """Every series with its performances and packages."""
    db = open_db(db_path)
    made = series_service.list_series(db)
    if as_json:
        click.echo(json.dumps([_series_json(db, s) for s in made], indent=2))
        return
    for one in made:
        codes = ", ".join(p.code for p in series_service.list_packages(db, one.id))
        click.echo(f"#{one.id:<4} {one.name:<28} {one.season:<8} "
                   f"{len(one.performance_ids)} performance(s)  packages: {codes or '-'}")


@series.command("show")
@click.argument("series_id", type=ID)
@click.option("--db", "db_path", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True)
def series_show(series_id: int, db_path: str | None, as_json: bool) -> None:
    """A series: its performances, packages and their prices."""
    db = open_db(db_path)
    with reported(as_json):
        made = series_service.get_series(db, series_id)
    if as_json:
        click.echo(json.dumps(_series_json(db, made), indent=2))
        return
    zone = cli_context().config.zone
    click.echo(f"Series #{made.id} {made.name} {made.season}")
    for performance_id in made.performance_ids:
        show = performances.get_performance(db, performance_id)
        click.echo(f"  #{show.id:<4} {show.starts_at.astimezone(zone):%a %d %b %Y %H:%M}  "
                   f"{show.event_name} ({show.venue_name})  {show.status}")
    for package in series_service.list_packages(db, made.id):
        fee = subscription_exchange.exchange_fee(db, package.id)
        click.echo(f"  package #{package.id} {package.code} {package.name} ({package.kind})"
                   + (f"  exchange fee {money_text(fee)}" if package.kind == "fixed" else ""))
        for price in series_service.package_prices(db, package.id):
            click.echo(f"    zone {price.zone} {price.price_type:<8} "
                       f"{money_text(price.base_cents):>8} + fee {money_text(price.fee_cents)}"
                       f" + tax {money_text(price.tax_cents)} = "
                       f"{money_text(price.total_cents)}")


@series.command("package")
@click.argument("series_id", type=ID)
@click.argument("code")
@click.argument("name")
@click.option("--flex", "admissions", type=COUNT,
              help="A flex pass of this many admissions (default: a fixed package).")
@click.option("--per-performance", type=COUNT,
              help="With --flex: at most this many at one performance.")
@signed_in_options
def series_package(series_id: int, code: str, name: str, admissions: int | None,
                   per_performance: int | None, db_path: str | None, username: str,
                   pin: str, as_json: bool) -> None:
    """A package on a series: fixed (one seat, the same at every performance) or, with
    --flex N, a flex pass (its price's zone is ANY). Needs event_setup."""
    db = open_db(db_path)
    with reported(as_json):
        actor = sign_in(db, username, pin)
        made = series_service.create_package(db, actor, series_id, code, name,
                                             now=clock.now(), admissions=admissions,
                                             per_performance=per_performance)
    done(as_json, f"package #{made.id} {made.code} on series #{series_id}",
         package_id=made.id)


@series.command("price")
@click.argument("package_id", type=ID)
@click.argument("zone")
@click.argument("price_type")
@click.argument("amount")
@click.option("--fee", help="The package's fee (default: [pricing] fee_cents).")
@click.option("--tax-basis-points", type=BASIS_POINTS,
              help="Default: [pricing] tax_basis_points.")
@signed_in_options
def series_price(package_id: int, zone: str, price_type: str, amount: str,
                 fee: str | None, tax_basis_points: int | None, db_path: str | None,
                 username: str, pin: str, as_json: bool) -> None:
    """A package's price for a zone and price type, for the whole series, e.g.
    `series price 1 A ADULT 300.00`. Needs price_change."""
    db = open_db(db_path)
    with reported(as_json):
        result = series_service.set_package_price(
            db, sign_in(db, username, pin), package_id, zone, price_type,
            parse_money(amount), defaults=cli_context().config.pricing,
            fee_cents=parse_money(fee) if fee else None, tax_basis_points=tax_basis_points)
    done(as_json, f"package #{package_id} zone {result.zone} {result.price_type}: "
                  f"{money_text(result.total_cents)} with fee and tax",
         total_cents=result.total_cents)


@series.command("exchange-fee")
@click.argument("package_id", type=ID)
@click.argument("amount")
@signed_in_options
def series_exchange_fee(package_id: int, amount: str, db_path: str | None, username: str,
                        pin: str, as_json: bool) -> None:
    """What a subscriber of a fixed package pays to exchange one performance, on top of
    any difference in price, e.g. `series exchange-fee 1 10.00` (0: none). Needs
    price_change."""
    db = open_db(db_path)
    with reported(as_json):
        fee = subscription_exchange.set_exchange_fee(db, sign_in(db, username, pin),
                                                     package_id, parse_money(amount))
    done(as_json, f"package #{package_id}: exchange fee {money_text(fee)}", fee_cents=fee)


@click.group("subscription")
def subscription() -> None:
    """Subscriptions: a package's seat at every performance of its series."""


@subscription.command("sell")
@click.option("--db", "db_path", type=click.Path(dir_okay=False))
@click.option("--user", "username", required=True)
@click.option("--pin", required=True)
@click.option("--package", "package_id", type=ID, required=True)
@click.option("--seats", help="SECTION-ROW-NUMBER, ranges FIRST..LAST, e.g. ORCH-A-101..102")
@click.option("--best", type=COUNT, help="The best N adjacent seats free at every "
              "performance.")
@click.option("--zone", help="With --best: a price zone.")
@click.option("--price-type", default="ADULT", show_default=True)
@click.option("--customer", "customer_id", type=ID,
              help="The subscriber (boxoffice customer search NAME).")
@click.option("--new-customer", "new_customer", help="Or a new subscriber's name ...")
@click.option("--phone", default="", help="... with their phone ...")
@click.option("--email", default="", help="... and email.")
@click.option("--tender", "tender_specs", multiple=True, required=True,
              help="cash:HANDED | card:BRAND:LAST4:APPROVAL | check:NUMBER, with "
                   "@AMOUNT to split; repeat for a split tender.")
@click.option("--will-call", is_flag=True, help="Hold the tickets for pickup.")
@click.option("--station", default="cli", show_default=True)
@click.option("--printer", "printer_spec", help="Print on this printer instead of the "
              "config's (preview:DIR, file:PATH, ...).")
@click.option("--no-print", is_flag=True, help="Do not print the tickets now.")
@click.option("--json", "as_json", is_flag=True)
def subscription_sell(db_path: str | None, username: str, pin: str, package_id: int,
                      seats: str | None, best: int | None, zone: str | None,
                      price_type: str, customer_id: int | None, new_customer: str | None,
                      phone: str, email: str, tender_specs: tuple[str, ...],
                      will_call: bool, station: str, printer_spec: str | None,
                      no_print: bool, as_json: bool) -> None:
    """Sell a subscription: the seats at every performance of the package's series, one
    order, a ticket per performance, paid in the seller's open shift."""
    if (seats is None) == (best is None):
        click.echo("boxoffice: give one of --seats or --best", err=True)
        sys.exit(2)
    if (customer_id is None) == (new_customer is None):
        click.echo("boxoffice: give one of --customer or --new-customer", err=True)
        sys.exit(2)
    hold = timedelta(minutes=cli_context().config.sales.cart_hold_minutes)
    db = open_db(db_path)
    now = clock.now()
    with reported(as_json):
        actor = sign_in(db, username, pin)
        if not (no_print or will_call):
            check_printer(printer_spec)
        subscriber: int | subscriptions.NewSubscriber
        if customer_id is not None:
            subscriber = customers.get_customer(db, customer_id).id
        else:
            subscriber = subscriptions.NewSubscriber(new_customer or "", phone, email)
        station = clean_text(station, "station", required=True)
        signer = ticket_signer(db)
        cart_id = carts.open_cart(db, actor, station, now, hold)
        try:
            if seats is not None:
                cart = subscriptions.add_package_seats(db, actor, cart_id, package_id, seats,
                                                       price_type, now, hold)
            else:
                cart = subscriptions.add_package_best(db, actor, cart_id, package_id,
                                                      best or 1, price_type, now, hold,
                                                      zone=zone)
            order, made = subscriptions.sell_subscription(
                db, actor, cart_id, tenders_from_specs(tender_specs, cart.total_cents),
                customer_id=subscriber, station=station, now=now,
                delivery="will_call" if will_call else "print")
        except BaseException:   # a refusal, or a bug: either way nothing stays locked
            if carts.view_cart(db, cart_id).status == "open":
                carts.cancel_cart(db, actor, cart_id, now)
            raise
    failure = None if no_print or will_call else print_on_paper(
        db, order, signer, printer_spec, seller=actor.display_name, now=now, kick=True)
    if not as_json:
        click.echo(f"Subscription(s) {', '.join(f'#{n}' for n in made)} for customer "
                   f"#{orders.get_order(db, order.id).customer_id}")
    echo_order(orders.get_order(db, order.id), signer, as_json, db)
    report_printer_failure(order, failure)


@subscription.command("list")
@click.option("--package", "package_id", type=ID)
@click.option("--customer", "customer_id", type=ID)
@click.option("--db", "db_path", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True)
def subscription_list(package_id: int | None, customer_id: int | None, db_path: str | None,
                      as_json: bool) -> None:
    """Subscriptions with their seat, subscriber, order and live tickets."""
    db = open_db(db_path)
    found = subscriptions.list_subscriptions(db, package_id=package_id,
                                             customer_id=customer_id)
    if as_json:
        click.echo(json.dumps([{"id": s.id, "package": s.package_code,
                                "series_id": s.series_id, "customer_id": s.customer_id,
                                "customer": s.customer_name, "order": s.order_number,
                                "seat": s.seat_label, "zone": s.zone,
                                "price_type": s.price_type, "live_tickets": s.live_tickets}
                               for s in found], indent=2))
        return
    for s in found:
        click.echo(f"#{s.id:<5} {s.package_code:<8} {s.seat_label:<14} zone {s.zone} "
                   f"{s.price_type:<7} {s.customer_name[:24]:<24} order {s.order_number} "
                   f"{s.live_tickets} live")


@subscription.command("exchange")
@click.argument("number")
@click.option("--ticket", "serial", required=True, help="The ticket given up (its serial).")
@click.option("--performance", "performance_id", type=ID, required=True,
              help="Another performance of the series.")
@click.option("--seat", help="SECTION-ROW-NUMBER (default: the best free in the "
              "subscription's zone).")
@click.option("--tender", "tender_specs", multiple=True,
              help="What is due: cash:HANDED | card:BRAND:LAST4:APPROVAL | check:NUMBER.")
@click.option("--reason", required=True)
@click.option("--supervisor", help="A supervisor approving it (their user name).")
@click.option("--supervisor-pin")
@click.option("--station", default="cli", show_default=True)
@click.option("--printer", "printer_spec", help="Print on this printer instead of the "
              "config's.")
@click.option("--no-print", is_flag=True, help="Do not print the new ticket now.")
@signed_in_options
def subscription_exchange_command(number: str, serial: str, performance_id: int,
                                  seat: str | None, tender_specs: tuple[str, ...],
                                  reason: str, supervisor: str | None,
                                  supervisor_pin: str | None, station: str,
                                  printer_spec: str | None, no_print: bool,
                                  db_path: str | None, username: str, pin: str,
                                  as_json: bool) -> None:
    """Exchange a subscriber's ticket (order NUMBER) for a seat at another performance of
    the series, under the package's rules: the same zone for the package's exchange fee,
    another zone for the difference and the fee. Needs exchange."""
    hold = timedelta(minutes=cli_context().config.sales.cart_hold_minutes)
    db = open_db(db_path)
    now = clock.now()
    with reported(as_json):
        actor = sign_in(db, username, pin)
        if not no_print:
            check_printer(printer_spec)
        found = orders.find_order(db, number)
        ticket = next((t for t in found.tickets if t.serial == serial.strip().upper()), None)
        if ticket is None:
            raise BoxOfficeError(f"ticket {serial[:12]} is not in order {found.number}",
                                 code="unknown_ticket")
        station = clean_text(station, "station", required=True)
        signer = ticket_signer(db)
        offer = subscription_exchange.offer(db, actor, ticket.id, performance_id, seat=seat,
                                            station=station, now=now, hold=hold)
        try:
            if offer.due_cents <= 0 and tender_specs:
                raise BoxOfficeError("nothing is due on this exchange: no --tender",
                                     code="overpaid")
            tenders = (tenders_from_specs(tender_specs, offer.due_cents)
                       if offer.due_cents > 0 else [])
            order = subscription_exchange.exchange_ticket(
                db, actor, offer, tenders, reason=reason, station=station, now=now,
                override=override_of(supervisor, supervisor_pin))
        except BaseException:   # a refusal, or a bug: either way the new seat is let go
            if carts.view_cart(db, offer.cart_id).status == "open":
                carts.cancel_cart(db, actor, offer.cart_id, now)
            raise
    new = [t for t in order.tickets if t.status == "live" and t.id not in
           {x.id for x in found.tickets}]
    failure = None if no_print else print_on_paper(
        db, replace(order, tickets=tuple(new)), signer, printer_spec,
        seller=actor.display_name, now=now, kick=offer.due_cents != 0)
    if not as_json:
        what = (f"paid {money_text(offer.due_cents)}" if offer.due_cents > 0 else
                f"paid back {money_text(-offer.due_cents)} in cash" if offer.due_cents < 0
                else "nothing due")
        click.echo(f"{ticket.serial} exchanged for {offer.seat_label} at "
                   f"#{offer.performance_id} ({what}; exchange fee "
                   f"{money_text(offer.exchange_fee_cents)})")
    echo_order(orders.get_order(db, order.id), signer, as_json, db)
    report_printer_failure(order, failure)
