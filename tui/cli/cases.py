"""`boxoffice case ...`: patron cases from the command line: log, list, show, note,
assign, close, letter. Signed in with --user/--pin; needs `cases`; core journals each
step (never the words). A failure exits 1 with the error's code."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

import click

from core import clock
from core.errors import BoxOfficeError
from core.money import format_cents
from core.reports.letters import case_letter, email_case_letter, email_reminders, reminder_letters
from core.sales import cases, customers, notices
from core.sales.cases import CHANNELS, KINDS, PRIORITIES, Case
from core.sales.orders import find_order
from tui.cli.context import cli_context, done, open_db, reported, sign_in, signed_in_options
from tui.cli.types import ID
from tui.format import follow_up_date


def _today() -> date:
    return clock.now().astimezone(cli_context().config.zone).date()


def _case_json(case: Case) -> dict[str, object]:
    return {"id": case.id, "kind": case.kind, "channel": case.channel,
            "category": case.category, "description": case.description,
            "priority": case.priority, "status": case.status,
            "customer_id": case.customer_id, "customer": case.customer_name,
            "order": case.order_number, "assignee": case.assignee,
            "follow_up": case.follow_up.isoformat() if case.follow_up else None,
            "disposition": case.disposition,
            "notes": [{"at": n.at.isoformat(), "by": n.username, "text": n.text}
                      for n in case.notes]}


@click.group("case")
def case_group() -> None:
    """Patron cases: inquiries, complaints and requests, to a written disposition."""


@case_group.command("open")
@click.option("--kind", type=click.Choice(KINDS), required=True)
@click.option("--channel", type=click.Choice(CHANNELS), default="counter", show_default=True)
@click.option("--category", required=True, help="Seating, Refund, Parking...")
@click.option("--description", required=True, help="What the patron says.")
@click.option("--order", "order_number", default="", help="The order it concerns.")
@click.option("--customer", "customer_id", type=ID, default=None)
@click.option("--priority", type=click.Choice(PRIORITIES), default="normal",
              show_default=True)
@click.option("--assign", "assignee", default=None, help="Who follows it up.")
@click.option("--follow-up", default="", help="+3 (days from today) or YYYY-MM-DD.")
@signed_in_options
def case_open(kind: str, channel: str, category: str, description: str, order_number: str,
              customer_id: int | None, priority: str, assignee: str | None, follow_up: str,
              db_path: str | None, username: str, pin: str, as_json: bool) -> None:
    """Log a case."""
    db = open_db(db_path)
    with reported(as_json):
        actor = sign_in(db, username, pin)
        order_id = find_order(db, order_number).id if order_number else None
        if customer_id is not None:
            customers.get_customer(db, customer_id)
        case = cases.open_case(db, actor, kind=kind, channel=channel, category=category,
                               description=description, priority=priority,
                               order_id=order_id, customer_id=customer_id,
                               assignee=assignee,
                               follow_up=follow_up_date(follow_up, _today()),
                               now=clock.now())
    done(as_json, f"case {case.id} logged", case=case.id)


@case_group.command("list")
@click.option("--all", "everything", is_flag=True, help="Closed cases too.")
@click.option("--assignee", default=None)
@signed_in_options
def case_list(everything: bool, assignee: str | None, db_path: str | None, username: str,
              pin: str, as_json: bool) -> None:
    """The worklist: open cases by follow-up date, overdue ones marked LATE."""
    db = open_db(db_path)
    with reported(as_json):
        found = cases.list_cases(db, sign_in(db, username, pin), open_only=not everything,
                                 assignee=assignee)
    if as_json:
        click.echo(json.dumps([_case_json(c) for c in found], indent=2))
        return
    today = _today()
    for c in found:
        due = c.follow_up.isoformat() if c.follow_up else "-"
        late = " LATE" if c.overdue(today) else ""
        click.echo(f"#{c.id:<5} {due}{late:<5} {c.priority:<6} {c.status:<9} {c.kind:<9} "
                   f"{c.category[:16]:<16} {(c.customer_name or '')[:20]:<20} "
                   f"{c.assignee or ''}")
    if not found:
        click.echo("no open case" if not everything else "no case")


@case_group.command("show")
@click.argument("case_id", type=ID)
@signed_in_options
def case_show(case_id: int, db_path: str | None, username: str, pin: str,
              as_json: bool) -> None:
    """One case with its notes."""
    db = open_db(db_path)
    with reported(as_json):
        c = cases.get_case(db, sign_in(db, username, pin), case_id)
    if as_json:
        click.echo(json.dumps(_case_json(c), indent=2))
        return
    click.echo(f"case {c.id}: {c.kind} by {c.channel}, {c.category}, {c.priority}, "
               f"{c.status}")
    click.echo(f"opened {c.opened_at:%Y-%m-%d %H:%M} UTC by {c.opened_by}"
               + (f"; customer {c.customer_name}" if c.customer_name else "")
               + (f"; order {c.order_number}" if c.order_number else ""))
    click.echo(f"assigned to {c.assignee or 'nobody'}; follow up "
               f"{c.follow_up.isoformat() if c.follow_up else 'not set'}")
    click.echo(c.description)
    for note in c.notes:
        click.echo(f"  {note.at:%Y-%m-%d %H:%M} {note.username}: {note.text}")
    if c.disposition:
        click.echo(f"{c.status}: {c.disposition}")


@case_group.command("note")
@click.argument("case_id", type=ID)
@click.argument("text")
@signed_in_options
def case_note(case_id: int, text: str, db_path: str | None, username: str, pin: str,
              as_json: bool) -> None:
    """Add a note: what was said or done."""
    db = open_db(db_path)
    with reported(as_json):
        cases.add_note(db, sign_in(db, username, pin), case_id, text, now=clock.now())
    done(as_json, f"case {case_id}: note added", case=case_id)


@case_group.command("assign")
@click.argument("case_id", type=ID)
@click.option("--to", "assignee", default=None)
@click.option("--follow-up", default="", help="+3 (days from today) or YYYY-MM-DD.")
@click.option("--priority", type=click.Choice(PRIORITIES), default=None)
@click.option("--status", type=click.Choice(cases.OPEN_STATUSES), default=None,
              help="waiting: on the customer.")
@signed_in_options
def case_assign(case_id: int, assignee: str | None, follow_up: str, priority: str | None,
                status: str | None, db_path: str | None, username: str, pin: str,
                as_json: bool) -> None:
    """Change who follows it up, by when, its priority or status."""
    db = open_db(db_path)
    with reported(as_json):
        c = cases.update_case(db, sign_in(db, username, pin), case_id, now=clock.now(),
                              assignee=assignee, priority=priority, status=status,
                              follow_up=follow_up_date(follow_up, _today()))
    done(as_json, f"case {c.id}: {c.status}, {c.assignee or 'unassigned'}, follow up "
                  f"{c.follow_up.isoformat() if c.follow_up else 'not set'}", case=c.id)


@case_group.command("close")
@click.argument("case_id", type=ID)
@click.option("--disposition", required=True, help="What the patron is told.")
@click.option("--referred", is_flag=True, help="Passed on rather than resolved here.")
@signed_in_options
def case_close(case_id: int, disposition: str, referred: bool, db_path: str | None,
               username: str, pin: str, as_json: bool) -> None:
    """Close a case with its disposition in writing (final)."""
    db = open_db(db_path)
    with reported(as_json):
        c = cases.close_case(db, sign_in(db, username, pin), case_id,
                             disposition=disposition, referred=referred, now=clock.now())
    done(as_json, f"case {c.id} {c.status}", case=c.id, status=c.status)


@case_group.command("letter")
@click.argument("case_id", type=ID)
@click.option("--out", type=click.Path(dir_okay=False), help="Where to write the PDF.")
@click.option("--email", "by_email", is_flag=True,
              help="Email it to the patron (who agreed to email), through [mail].")
@signed_in_options
def case_letter_command(case_id: int, out: str | None, by_email: bool, db_path: str | None,
                        username: str, pin: str, as_json: bool) -> None:
    """The letter to the patron with the disposition: as a PDF, and/or by email."""
    if not out and not by_email:
        click.echo("boxoffice: give --out FILE, --email, or both", err=True)
        sys.exit(2)
    db = open_db(db_path)
    config = cli_context().config
    with reported(as_json):
        actor = sign_in(db, username, pin)
        c = cases.get_case(db, actor, case_id)
        if by_email:
            to = email_case_letter(db, actor, c, mail=config.mail,
                                   house=config.venue.house_name,
                                   house_address=config.venue.house_address, today=_today(),
                                   now=clock.now())
            if not out:
                done(as_json, f"letter for case {c.id} emailed to {to}", case=c.id, to=to)
                return
        contact = ""
        if c.customer_id is not None:
            found = customers.get_customer(db, c.customer_id)
            contact = found.email or found.phone
        pdf = case_letter(c, house=config.venue.house_name,
                          house_address=config.venue.house_address,
                          patron=c.customer_name or "", patron_address=contact,
                          today=_today())
        try:
            Path(out or "").write_bytes(pdf)
        except OSError as error:
            raise BoxOfficeError(f"cannot write {out}: {error.strerror}",
                                 code="cannot_write") from None
    done(as_json, f"letter for case {c.id} written to {out}", case=c.id, path=out)


@click.group("notices")
def notices_group() -> None:
    """Notices to patrons: balance-due reminder letters, and the log of what was sent."""


@notices_group.command("balance-due")
@click.option("--letters", "letters_path", type=click.Path(dir_okay=False), default=None,
              help="Write the letters (one a page) here and log them as sent.")
@click.option("--email", "by_email", is_flag=True,
              help="Email the reminders to the customers who agreed to email ([mail]).")
@signed_in_options
def notices_balance_due(letters_path: str | None, by_email: bool, db_path: str | None,
                        username: str, pin: str, as_json: bool) -> None:
    """Group orders past their balance-due date: who gets a letter, who to phone."""
    db = open_db(db_path)
    config = cli_context().config
    with reported(as_json):
        actor = sign_in(db, username, pin)
        found = notices.balance_due_reminders(db, actor, _today())
        if letters_path:
            pdf = reminder_letters(found, house=config.venue.house_name,
                                   house_address=config.venue.house_address, today=_today())
            try:
                Path(letters_path).write_bytes(pdf)
            except OSError as error:
                raise BoxOfficeError(f"cannot write {letters_path}: {error.strerror}",
                                     code="cannot_write") from None
            sent = notices.record_sent(db, actor, found, now=clock.now())
        if by_email:
            emailed, failed = email_reminders(
                db, actor, found, mail=config.mail, house=config.venue.house_name,
                house_address=config.venue.house_address, now=clock.now())
    if by_email and not as_json:
        for reminder in emailed:
            click.echo(f"{reminder.order.number}  emailed to {reminder.customer.email}"
                       if reminder.customer else "")
        for reminder, why in failed:
            click.echo(f"{reminder.order.number}  NOT emailed: {why}")
    if as_json:
        click.echo(json.dumps([{"order": r.order.number, "group": r.order.group_name,
                                "balance_cents": r.order.balance_cents,
                                "due": r.order.balance_due.isoformat(),
                                "customer": r.customer.name if r.customer else None,
                                "skipped": r.skipped} for r in found]))
        return
    for r in found:
        click.echo(f"{r.order.number}  {(r.order.group_name or '')[:20]:<20} "
                   f"{format_cents(r.order.balance_cents):>10} due {r.order.balance_due}  "
                   f"{(r.customer.name if r.customer else '-')[:20]:<20} "
                   f"{r.skipped or 'letter'}")
    if not found:
        click.echo("no balance is past due")
    if letters_path:
        click.echo(f"{sent} letter(s) written to {letters_path} and logged")


@notices_group.command("log")
@click.option("--customer", "customer_id", type=ID, default=None)
@signed_in_options
def notices_log(customer_id: int | None, db_path: str | None, username: str, pin: str,
                as_json: bool) -> None:
    """What was sent to whom, newest first."""
    db = open_db(db_path)
    with reported(as_json):
        sent = notices.sent_notices(db, sign_in(db, username, pin), customer_id=customer_id)
    if as_json:
        click.echo(json.dumps([{"kind": n.kind, "customer": n.customer,
                                "order": n.order_number, "case": n.case_id,
                                "instalment": n.instalment_seq, "channel": n.channel,
                                "sent_by": n.sent_by, "sent_at": n.sent_at.isoformat()}
                               for n in sent]))
        return
    for n in sent:
        about = (f" #{n.instalment_seq}" if n.instalment_seq is not None
                 else f" case {n.case_id}" if n.case_id is not None else "")
        click.echo(f"{n.sent_at:%Y-%m-%d %H:%M} UTC  {n.kind:<12} {n.channel:<6} "
                   f"{n.customer[:24]:<24} {n.order_number or ''}{about}  by {n.sent_by}")
    if not sent:
        click.echo("nothing sent yet")
