"""`boxoffice plan ...`: payment plans (sell on one with `boxoffice sell ... --plan`):
an order's schedule, a payment toward it at any window, the overdue ones, a default,
and the instalment reminders (letters and emails)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from core import clock
from core.errors import BoxOfficeError
from core.money import format_cents
from core.reports.letters import email_instalment_reminders, instalment_letters
from core.sales import notices, plans
from core.sales.orders import find_order
from tui.cli.context import (
    cli_context,
    done,
    open_db,
    reported,
    sign_in,
    signed_in_options,
)
from tui.cli.sales import parse_plan, tenders_from_specs


@click.group("plan")
def plan_group() -> None:
    """Payment plans: an order paid in instalments."""


def _show(found: plans.Plan) -> None:
    today = clock.now().astimezone(cli_context().config.zone).date()
    click.echo(f"order {found.order_number}  {found.customer_name}  {found.status}  "
               f"{plans.due_soon(found, today)}")
    for due, amount, paid in plans.plan_timeline(found):
        click.echo(f"  {due}  {amount:>10}  {paid}")
    click.echo(f"  defaults {found.default_after_days} day(s) overdue, keeping what was "
               f"paid as {'credit' if found.on_default == 'credit' else 'a refund'}")
    click.echo(f"  {plans.RULE_WORDS[found.tickets]}"
               + ("; not issued yet" if found.tickets_withheld else ""))


@plan_group.command("show")
@click.argument("number")
@click.option("--db", "db_path", type=click.Path(dir_okay=False))
def plan_show(number: str, db_path: str | None) -> None:
    """The order's instalments and what is paid of each."""
    db = open_db(db_path)
    with reported(False):
        found = plans.get_plan(db, find_order(db, number).id)
    _show(found)


@plan_group.command("pay")
@click.argument("number")
@click.option("--tender", "tender_specs", multiple=True, required=True,
              help="cash[:HANDED] | card:BRAND:LAST4:APPROVAL | check:NUMBER, with @AMOUNT "
                   "(default: the next instalment).")
@click.option("--station", default="cli", show_default=True)
@signed_in_options
def plan_pay(number: str, tender_specs: tuple[str, ...], station: str, db_path: str | None,
             username: str, pin: str, as_json: bool) -> None:
    """Take a payment toward the plan of order NUMBER (in your open shift)."""
    db = open_db(db_path)
    with reported(as_json):
        actor = sign_in(db, username, pin)
        order_id = find_order(db, number).id
        before = plans.get_plan(db, order_id)
        upcoming = before.next_due()
        due = (upcoming.amount_cents - upcoming.paid_cents) if upcoming else 0
        found = plans.pay_instalment(db, actor, order_id,
                                     tenders_from_specs(tender_specs, due), station=station,
                                     now=clock.now())
    today = clock.now().astimezone(cli_context().config.zone).date()
    issued = before.tickets_withheld and not found.tickets_withheld
    done(as_json, f"order {found.order_number}: {plans.due_soon(found, today)}"
         + (f"; its tickets are issued: boxoffice order print {found.order_number}"
            if issued else ""),
         paid_in_full=found.paid_in_full, tickets_issued=issued)


@plan_group.command("overdue")
@click.option("--db", "db_path", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True)
def plan_overdue(db_path: str | None, as_json: bool) -> None:
    """Plans with an instalment past its date, the most overdue first."""
    db = open_db(db_path)
    today = clock.now().astimezone(cli_context().config.zone).date()
    late = plans.overdue_plans(db, today)
    if as_json:
        click.echo(json.dumps([{"order": p.order_number, "customer": p.customer_name,
                                "days_overdue": p.days_overdue(today),
                                "defaults_after": p.default_after_days} for p in late]))
        return
    for found in late:
        upcoming = found.next_due()
        owed = upcoming.amount_cents - upcoming.paid_cents if upcoming else 0
        click.echo(f"{found.order_number}  {found.customer_name[:24]:<24} "
                   f"{format_cents(owed):>10} {found.days_overdue(today)} day(s) late "
                   f"(defaults after {found.default_after_days})")
    if not late:
        click.echo("No plan is overdue.")


@plan_group.command("default")
@click.argument("number")
@click.option("--station", default="cli", show_default=True)
@signed_in_options
def plan_default(number: str, station: str, db_path: str | None, username: str, pin: str,
                 as_json: bool) -> None:
    """Default the plan of order NUMBER (only when overdue longer than it allows): its
    tickets go back, what was paid is kept as credit or refunded, as the plan says."""
    db = open_db(db_path)
    with reported(as_json):
        order = plans.default_plan(db, sign_in(db, username, pin), find_order(db, number).id,
                                   station=station, now=clock.now(),
                                   zone=cli_context().config.zone)
    done(as_json, f"order {order.number}: plan defaulted, its tickets back on sale",
         number=order.number, status=order.status)


@plan_group.command("agree")
@click.argument("number")
@click.option("--plan", "plan_spec", required=True,
              help="The instalments YYYY-MM-DD:AMOUNT,... adding up to the balance.")
@click.option("--default-after", type=click.IntRange(0, 365), default=14, show_default=True,
              help="Days overdue after which the plan may be defaulted.")
@click.option("--on-default", type=click.Choice(["credit", "refund"]), default="credit",
              show_default=True, help="What happens to what was paid when it defaults.")
@click.option("--tickets", "rule", type=click.Choice(["first-payment", "paid-in-full"]),
              default="first-payment", show_default=True,
              help="When the tickets are issued (paid-in-full: refused once printed).")
@signed_in_options
def plan_agree(number: str, plan_spec: str, default_after: int, on_default: str, rule: str,
               db_path: str | None, username: str, pin: str, as_json: bool) -> None:
    """Put the balance of order NUMBER (a group order on its deposit) on a plan."""
    db = open_db(db_path)
    with reported(as_json):
        found = plans.agree_plan(db, sign_in(db, username, pin), find_order(db, number).id,
                                 parse_plan(plan_spec), default_after_days=default_after,
                                 on_default=on_default, tickets=rule.replace("-", "_"),
                                 now=clock.now(),
                                 zone=cli_context().config.zone)
    today = clock.now().astimezone(cli_context().config.zone).date()
    done(as_json, f"order {found.order_number}: {plans.due_soon(found, today)}",
         number=found.order_number)


@plan_group.command("remind")
@click.option("--due-within", type=click.IntRange(0, 365), default=7, show_default=True,
              help="Instalments due within this many days (and late ones).")
@click.option("--out", "letters_path", type=click.Path(dir_okay=False), default=None,
              help="Write the letters (one a page) here and log them as sent.")
@click.option("--email", "by_email", is_flag=True,
              help="Email them to the customers who agreed to email ([mail]).")
@click.option("--again", is_flag=True,
              help="Send again a reminder already sent for the same instalment.")
@signed_in_options
def plan_remind(due_within: int, letters_path: str | None, by_email: bool, again: bool,
                db_path: str | None, username: str, pin: str, as_json: bool) -> None:
    """Instalment reminders: who is asked for what and how (a letter to those who agreed
    to mail, an email to those who agreed to email; phone the others). Without --out or
    --email it only lists them; --out writes no file when no letter may go. A reminder
    goes once per instalment and channel."""
    db = open_db(db_path)
    config = cli_context().config
    today = clock.now().astimezone(config.zone).date()
    written = 0
    letters_due = False
    emailed: list[notices.InstalmentReminder] = []
    failed: list[tuple[notices.InstalmentReminder, str]] = []
    with reported(as_json):
        actor = sign_in(db, username, pin)
        found = notices.instalment_reminders(db, actor, today, due_within=due_within,
                                             again=again)
        letters_due = any(not r.why_not("mail") for r in found)
        if letters_path and letters_due:
            pdf = instalment_letters(found, house=config.venue.house_name,
                                     house_address=config.venue.house_address, today=today)
            try:
                Path(letters_path).write_bytes(pdf)
            except OSError as error:
                raise BoxOfficeError(f"cannot write {letters_path}: {error.strerror}",
                                     code="cannot_write") from None
            written = notices.record_instalment_sent(db, actor, found, "mail",
                                                     now=clock.now())
        if by_email:
            emailed, failed = email_instalment_reminders(
                db, actor, found, mail=config.mail, house=config.venue.house_name,
                house_address=config.venue.house_address, today=today, now=clock.now())
    if as_json:
        click.echo(json.dumps({
            "reminders": [{"order": r.plan.order_number, "customer": r.plan.customer_name,
                           "instalment": r.instalment.seq, "due": r.instalment.due.isoformat(),
                           "owed_cents": r.owed_cents, "how": r.words()} for r in found],
            "letters": written, "emailed": [r.plan.order_number for r in emailed],
            "failed": [{"order": r.plan.order_number, "why": why} for r, why in failed]}))
        return
    for r in found:
        late = " LATE" if r.instalment.due < today else ""
        click.echo(f"{r.plan.order_number}  {r.plan.customer_name[:22]:<22} "
                   f"#{r.instalment.seq} {format_cents(r.owed_cents):>10} due "
                   f"{r.instalment.due.isoformat()}{late:<5}  {r.words()}")
    if not found:
        click.echo(f"No instalment is due within {due_within} day(s).")
    if letters_path:
        click.echo(f"{written} letter(s) written to {letters_path} and logged"
                   if letters_due else "no letter to write (none may go by mail now)")
    for r in emailed:
        click.echo(f"{r.plan.order_number}  emailed to "
                   f"{r.customer.email if r.customer else ''}")
    for r, why in failed:
        click.echo(f"{r.plan.order_number}  NOT emailed: {why}")
