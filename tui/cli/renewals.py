"""`boxoffice renewal ...`: rolling a series forward to the next season with its
subscribers' seats held until a deadline, the renewal letters, renewing at the window in
one step, seat change requests, releasing the unrenewed seats, and the renewal rate.
A refusal exits 1 with the error's code and changes nothing."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import click

from core import clock, times
from core.errors import BoxOfficeError
from core.reports.letters import renewal_letters
from core.reports.renewal_emails import email_renewal_notices
from core.sales import online, orders, renewal_notices, renewals
from core.venue import series as series_service
from tui.cli.context import (
    cli_context,
    done,
    money_text,
    open_db,
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
from tui.cli.subscriptions import performance_ids
from tui.cli.types import ID


def _deadline(text: str) -> datetime:
    try:
        naive = datetime.strptime(text.strip(), "%Y-%m-%d %H:%M")
    except ValueError:
        raise BoxOfficeError(f"'{text[:30]}' is not a time such as 2027-08-31 17:00",
                             code="bad_time") from None
    return times.local_time(naive, cli_context().config.zone)


@click.group("renewal")
def renewal() -> None:
    """Renewals: next season's series, subscribers' seats held until a deadline."""


@renewal.command("roll-forward")
@click.argument("series_id", type=ID)
@click.argument("name")
@click.option("--performances", "performances_text", required=True,
              help="Next season's performance numbers, e.g. 21,22,23.")
@click.option("--season", default="")
@click.option("--deadline", required=True, help="Renew by, in the venue's time: "
              "YYYY-MM-DD HH:MM.")
@signed_in_options
def renewal_roll_forward(series_id: int, name: str, performances_text: str, season: str,
                         deadline: str, db_path: str | None, username: str, pin: str,
                         as_json: bool) -> None:
    """Next season's series, with each live subscriber's seat held until the deadline.
    Needs event_setup, price_change and hold."""
    db = open_db(db_path)
    with reported(as_json):
        actor = sign_in(db, username, pin)
        result = renewals.roll_forward(db, actor, series_id, name,
                                       performance_ids(performances_text), season=season,
                                       deadline=_deadline(deadline), now=clock.now())
    message = (f"series #{result.series.id} {result.series.name}: {result.offered} "
               "renewal(s) held")
    if result.unseated:
        message += "; no seat to hold for " + ", ".join(result.unseated)
    done(as_json, message, series_id=result.series.id, offered=result.offered,
         unseated=list(result.unseated))


@renewal.command("list")
@click.argument("series_id", type=ID)
@click.option("--db", "db_path", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True)
def renewal_list(series_id: int, db_path: str | None, as_json: bool) -> None:
    """The renewals of a (new) series: code, subscriber, seat, price, status."""
    db = open_db(db_path)
    with reported(as_json):
        series_service.get_series(db, series_id)
        found = renewals.list_renewals(db, series_id)
    if as_json:
        click.echo(json.dumps([{"id": r.id, "code": r.hold_code, "customer": r.customer_name,
                                "package": r.package_code, "seat": r.seat_label,
                                "zone": r.zone, "price_cents": r.price_cents,
                                "status": r.status, "deadline": r.deadline.isoformat(),
                                "change_request": r.change_request} for r in found],
                              indent=2))
        return
    zone = cli_context().config.zone
    for r in found:
        price = money_text(r.price_cents) if r.price_cents is not None else "-"
        click.echo(f"{r.hold_code or '-':<7} {r.customer_name[:22]:<22} {r.package_code:<8} "
                   f"{r.seat_label:<14} {price:>8} {r.status:<9} by "
                   f"{r.deadline.astimezone(zone):%Y-%m-%d %H:%M}"
                   + (f"  wants: {r.change_request[:30]}" if r.change_request else ""))


@renewal.command("letters")
@click.argument("series_id", type=ID)
@click.option("--out", "out_path", type=click.Path(dir_okay=False), default=None,
              help="Write the letters (one a page) to this PDF.")
@click.option("--email", "by_email", is_flag=True,
              help="Also email each notice through [mail] to the subscribers who agreed "
                   "to email, with a link to the storefront's renewal page.")
@signed_in_options
def renewal_letters_command(series_id: int, out_path: str | None, by_email: bool,
                            db_path: str | None, username: str, pin: str,
                            as_json: bool) -> None:
    """A renewal notice per subscriber whose seat is held: one PDF, and/or by email."""
    if not out_path and not by_email:
        raise click.UsageError("give --out FILE, --email, or both")
    db = open_db(db_path)
    config = cli_context().config
    today = clock.now().astimezone(config.zone).date()
    mailing = None
    with reported(as_json):
        actor = sign_in(db, username, pin)
        made = series_service.get_series(db, series_id)
        found = renewals.list_renewals(db, series_id)
        if out_path:
            pdf = renewal_letters(found, house=config.venue.house_name,
                                  house_address=config.venue.house_address, today=today,
                                  zone=config.zone, series_name=made.name)
            try:
                Path(out_path).write_bytes(pdf)
            except OSError as error:
                raise BoxOfficeError(f"cannot write {out_path}: {error.strerror}",
                                     code="cannot_write") from None
        if by_email:
            mailing = email_renewal_notices(
                db, actor, series_id, mail=config.mail, house=config.venue.house_name,
                house_address=config.venue.house_address, zone=config.zone, today=today,
                base_url=config.web.base_url,
                secret=config.web.secret or online.site_secret(db), now=clock.now())
    count = sum(1 for r in found if r.status == "offered")
    if mailing is None:
        done(as_json, f"{count} renewal letter(s) written to {out_path}", letters=count)
        return
    if as_json:
        click.echo(json.dumps({
            "letters": count if out_path else 0,
            "emailed": [r.hold_code for r in mailing.sent],
            "skipped": [{"code": r.hold_code, "why": why} for r, why in mailing.skipped],
            "failed": [{"code": r.hold_code, "why": why} for r, why in mailing.failed]}))
        return
    for r in mailing.sent:
        click.echo(f"{r.hold_code:<7} {r.customer_name[:24]:<24} emailed to "
                   f"{r.customer_email}")
    for r, why in mailing.skipped:
        click.echo(f"{r.hold_code:<7} {r.customer_name[:24]:<24} not emailed: {why}")
    for r, why in mailing.failed:
        click.echo(f"{r.hold_code:<7} {r.customer_name[:24]:<24} FAILED: {why}")
    if out_path:
        click.echo(f"{count} renewal letter(s) written to {out_path}")
    if not config.web.base_url:
        click.echo("note: [web] base_url is not set, so the emails carry the renewal code "
                   "but no link to the renewal page")
    click.echo(f"{len(mailing.sent)} emailed, {len(mailing.skipped)} skipped, "
               f"{len(mailing.failed)} failed")
    if mailing.failed:
        raise SystemExit(1)


@renewal.command("notices")
@click.argument("series_id", type=ID)
@click.option("--db", "db_path", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True)
def renewal_notices_log(series_id: int, db_path: str | None, as_json: bool) -> None:
    """The renewal notices emailed for a series, newest first, failures included."""
    db = open_db(db_path)
    with reported(as_json):
        series_service.get_series(db, series_id)
        logged = renewal_notices.notices_sent(db, series_id)
    if as_json:
        click.echo(json.dumps([{"code": n.code, "customer": n.customer, "status": n.status,
                                "error": n.error, "by": n.sent_by,
                                "at": n.sent_at.isoformat()} for n in logged], indent=2))
        return
    for n in logged:
        click.echo(f"{n.sent_at:%Y-%m-%d %H:%M} UTC  {n.code:<7} {n.customer[:24]:<24} "
                   f"{n.status:<6} by {n.sent_by}" + (f"  {n.error[:60]}" if n.error else ""))
    if not logged:
        click.echo("no renewal notice emailed yet")


@renewal.command("renew")
@click.argument("code")
@click.option("--tender", "tender_specs", multiple=True, required=True,
              help="cash:HANDED | card:BRAND:LAST4:APPROVAL | check:NUMBER, with @AMOUNT.")
@click.option("--will-call", is_flag=True, help="Hold the tickets for pickup.")
@click.option("--station", default="cli", show_default=True)
@click.option("--printer", "printer_spec", help="Print on this printer instead of the "
              "config's.")
@click.option("--no-print", is_flag=True, help="Do not print the tickets now.")
@signed_in_options
def renewal_renew(code: str, tender_specs: tuple[str, ...], will_call: bool, station: str,
                  printer_spec: str | None, no_print: bool, db_path: str | None,
                  username: str, pin: str, as_json: bool) -> None:
    """Renew by the renewal code (RN12): the held seats become the new subscription."""
    config = cli_context().config
    db = open_db(db_path)
    now = clock.now()
    with reported(as_json):
        actor = sign_in(db, username, pin)
        if not (no_print or will_call):
            check_printer(printer_spec)
        found = renewals.find_renewal(db, code)
        if found.price_cents is None:
            raise BoxOfficeError(f"package {found.package_code} has no {found.price_type} "
                                 f"price for zone {found.zone}", code="no_price")
        signer = ticket_signer(db)
        order, made = renewals.renew(
            db, actor, found.id, tenders_from_specs(tender_specs, found.price_cents),
            station=station, now=now,
            hold=timedelta(minutes=config.sales.cart_hold_minutes),
            delivery="will_call" if will_call else "print")
    failure = None if no_print or will_call else print_on_paper(
        db, order, signer, printer_spec, seller=actor.display_name, now=now, kick=True)
    if not as_json:
        click.echo(f"{found.hold_code} renewed: subscription #{made} for "
                   f"{found.customer_name}")
    echo_order(orders.get_order(db, order.id), signer, as_json, db)
    report_printer_failure(order, failure)


@renewal.command("change")
@click.argument("code")
@click.argument("text")
@signed_in_options
def renewal_change(code: str, text: str, db_path: str | None, username: str, pin: str,
                   as_json: bool) -> None:
    """Record a subscriber's seat change request on their renewal."""
    db = open_db(db_path)
    with reported(as_json):
        actor = sign_in(db, username, pin)
        found = renewals.request_change(db, actor, renewals.find_renewal(db, code).id, text)
    done(as_json, f"{found.hold_code}: change request recorded", renewal_id=found.id)


@renewal.command("release")
@click.argument("series_id", type=ID)
@signed_in_options
def renewal_release(series_id: int, db_path: str | None, username: str, pin: str,
                    as_json: bool) -> None:
    """Put the seats of every renewal past its deadline back on sale. Needs hold."""
    db = open_db(db_path)
    with reported(as_json):
        actor = sign_in(db, username, pin)
        count = renewals.release_unrenewed(db, actor, series_id, clock.now())
        left = sum(1 for r in renewals.list_renewals(db, series_id) if r.status == "offered")
    done(as_json, f"{count} unrenewed subscription(s) released"
                  + (f"; {left} still before their deadline" if left else ""),
         released=count, still_open=left)


@renewal.command("rates")
@click.argument("series_id", type=ID)
@click.option("--db", "db_path", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True)
def renewal_rates(series_id: int, db_path: str | None, as_json: bool) -> None:
    """The renewal rate of a (new) series by package and zone."""
    db = open_db(db_path)
    rates = renewals.renewal_rates(db, series_id)
    if as_json:
        click.echo(json.dumps([{"package": r.package, "zone": r.zone, "offered": r.offered,
                                "renewed": r.renewed, "released": r.released,
                                "open": r.open, "unseated": r.unseated,
                                "rate_percent": round(r.rate_percent, 1)} for r in rates],
                              indent=2))
        return
    click.echo(f"{'package':<9} {'zone':<5} {'offered':>7} {'renewed':>7} {'open':>5} "
               f"{'released':>8} {'no seat':>7} {'rate':>6}")
    for r in rates:
        click.echo(f"{r.package:<9} {r.zone:<5} {r.offered:>7} {r.renewed:>7} {r.open:>5} "
                   f"{r.released:>8} {r.unseated:>7} {r.rate_percent:>5.1f}%")
