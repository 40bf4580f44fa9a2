"""Letters to patrons, one per page, ready to print and fold (a window envelope shows the
address block): the written disposition of a case, balance-due reminders, payment plans'
instalment reminders, and renewal notices for subscribers. fpdf2 and
the standard Helvetica font, like the reports' PDFs.

The house's name and address come from config (`[house]`); the letter says what the case
was, when it was raised, and the disposition as written when the case was closed.
Balance and instalment reminders also go by email (`email_reminders`,
`email_instalment_reminders`, through `[mail]`) to the customers who agreed to email.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, tzinfo
from typing import Any

from core.config import MailConfig
from core.errors import BoxOfficeError
from core.mail import Attachment, MailError, send
from core.money import format_cents
from core.people.models import User
from core.people.permissions import authorize
from core.reports.pdf import latin1
from core.sales.cases import Case
from core.sales.customers import get_customer
from core.sales.notices import (
    InstalmentReminder,
    Reminder,
    record_case_letter,
    record_instalment_sent,
    record_sent,
)
from core.sales.plans import RULE_WORDS
from core.sales.renewals import Renewal
from core.store.db import Database

KIND_WORDS = {"inquiry": "your inquiry", "complaint": "your complaint",
              "request": "your request"}


def _letters(title: str) -> Any:
    """An A4 document for letters, margins for folding into a DL window envelope."""
    from fpdf import FPDF

    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_title(latin1(title))
    pdf.set_creator("boxoffice")
    pdf.set_auto_page_break(auto=True, margin=20)
    pdf.set_margins(25, 20, 25)
    return pdf


def _letter(pdf: Any, *, house: str, house_address: str, recipient: list[str],
            today: date, reference: str, body: list[str]) -> None:
    """One letter on a new page: the house, the address block where a DL window envelope
    shows it, the date, the reference in bold, then the body and the signature."""
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 13)
    pdf.cell(0, 7, latin1(house), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 9)
    pdf.multi_cell(0, 4.5, latin1(house_address), new_x="LMARGIN", new_y="NEXT")
    pdf.set_xy(25, 50)
    pdf.set_font("Helvetica", "", 11)
    pdf.multi_cell(85, 5.5, latin1("\n".join(part for part in recipient if part)),
                   new_x="LMARGIN", new_y="NEXT")
    pdf.set_xy(25, 90)
    pdf.cell(0, 6, today.strftime("%d %B %Y"), align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font("Helvetica", "B", 11)
    pdf.multi_cell(0, 6, latin1(reference), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("Helvetica", "", 11)
    pdf.multi_cell(0, 6, latin1("\n".join([*body, "", "Yours sincerely,", "", house])),
                   new_x="LMARGIN", new_y="NEXT")


def case_letter(case: Case, *, house: str, house_address: str, patron: str,
                patron_address: str, today: date) -> bytes:
    """The disposition letter of a closed case as PDF bytes. Raises BoxOfficeError
    `case_open` for a case that has no disposition yet."""
    if case.disposition is None:
        raise BoxOfficeError(f"case {case.id} is still {case.status}: a letter goes with "
                             "its disposition, when it is resolved or referred",
                             code="case_open")
    pdf = _letters(f"{house}: case {case.id}")
    raised = case.opened_at.date().strftime("%d %B %Y")
    _letter(pdf, house=house, house_address=house_address,
            recipient=[patron, patron_address], today=today,
            reference=f"Our reference: case {case.id}, {KIND_WORDS[case.kind]} of {raised} "
                      f"({case.category})",
            body=[f"Dear {patron}," if patron else "Dear patron,", "",
                  f"Thank you for contacting us about {KIND_WORDS[case.kind]}. "
                  + ("We have looked into it, and this is what we have done:"
                     if case.status == "resolved" else
                     "We have passed it on to those who can answer it best:"),
                  "", case.disposition, "",
                  "If anything is still not right, please reply quoting the reference "
                  "above."])
    return bytes(pdf.output())


def email_case_letter(db: Database, actor: User, case: Case, *, mail: MailConfig,
                      house: str, house_address: str, today: date, now: datetime) -> str:
    """Email a closed case's disposition to its patron, the letter attached as a PDF, and
    log it. Returns the address it went to. Raises BoxOfficeError (`case_open`,
    `no_email`: no customer with an email, `no_consent`: they did not agree to email),
    MailError (nothing logged then)."""
    if case.customer_id is None:
        raise BoxOfficeError("the case has no customer to write to", code="no_email")
    customer = get_customer(db, case.customer_id)
    if not customer.email:
        raise BoxOfficeError(f"{customer.name} has no email address: print the letter",
                             code="no_email")
    if not customer.may_contact("email"):
        raise BoxOfficeError(f"{customer.name} did not agree to email: print the letter or "
                             "phone them", code="no_consent")
    letter = case_letter(case, house=house, house_address=house_address,
                         patron=customer.name, patron_address=customer.email, today=today)
    text = "\n".join([f"Dear {customer.name},", "",
                      f"Our answer about {KIND_WORDS[case.kind]} (our reference: case "
                      f"{case.id}) is in the attached letter:", "", case.disposition or "",
                      "", house, house_address]).rstrip() + "\n"
    send(mail, customer.email, f"{house}: your case {case.id}", text,
         [Attachment(f"case-{case.id}.pdf", letter)])
    record_case_letter(db, actor, case.id, customer.id, "email", now=now)
    return customer.email


def _reminder_body(reminder: Reminder, due: str, closing: str) -> list[str]:
    customer, order = reminder.customer, reminder.order
    assert customer is not None
    return [f"Dear {customer.name},", "",
            f"The balance of {format_cents(order.balance_cents)} on your group's order "
            f"{order.number} was due on {due}. The tickets are worth "
            f"{format_cents(order.value_cents)}; we have received "
            f"{format_cents(order.paid_cents)}.", "",
            f"Please pay the balance at the box office or call us. If you have paid it in "
            f"the last few days, thank you, and please ignore this {closing}."]


def email_reminders(db: Database, actor: User, reminders: list[Reminder], *,
                    mail: MailConfig, house: str, house_address: str,
                    now: datetime) -> tuple[list[Reminder], list[tuple[Reminder, str]]]:
    """Email the balance-due reminders of the customers who agreed to email and have an
    address; each one sent is logged (channel email) at once. Returns (sent, failed with
    why); a failure leaves the others going. Needs `group_sales`. Raises MailError
    `mail_off` when no mail server is configured (nothing sent)."""
    authorize(db, actor, "group_sales")
    if not mail.host:
        raise MailError("no mail server is configured ([mail] host)", code="mail_off")
    sent: list[Reminder] = []
    failed: list[tuple[Reminder, str]] = []
    for reminder in reminders:
        customer = reminder.customer
        if customer is None or not customer.email or not customer.may_contact("email"):
            continue
        due = reminder.order.balance_due.strftime("%d %B %Y")
        text = "\n".join([*_reminder_body(reminder, due, "email"), "", house,
                          house_address]).rstrip() + "\n"
        try:
            send(mail, customer.email, f"{house}: order {reminder.order.number}, balance "
                 f"due {due}", text)
        except MailError as error:
            failed.append((reminder, error.message))
            continue
        record_sent(db, actor, [dataclasses.replace(reminder, skipped="")], now=now,
                    channel="email")
        sent.append(reminder)
    return sent, failed


def reminder_letters(reminders: list[Reminder], *, house: str, house_address: str,
                     today: date) -> bytes:
    """Balance-due reminders, one letter a page, for the reminders that may go by mail.
    Raises BoxOfficeError `nothing_to_send` when none may."""
    sending = [r for r in reminders if not r.skipped and r.customer is not None]
    if not sending:
        raise BoxOfficeError("no reminder may go by mail (no overdue balance, or no "
                             "customer agreed to mail)", code="nothing_to_send")
    pdf = _letters(f"{house}: balance reminders")
    for reminder in sending:
        customer, order = reminder.customer, reminder.order
        assert customer is not None
        due = order.balance_due.strftime("%d %B %Y")
        _letter(pdf, house=house, house_address=house_address,
                recipient=[customer.name, order.group_name or "",
                           customer.email or customer.phone], today=today,
                reference=f"Order {order.number}: balance due {due}",
                body=_reminder_body(reminder, due, "letter"))
    return bytes(pdf.output())


def _long(day: date) -> str:
    return day.strftime("%d %B %Y")


def _instalment_body(reminder: InstalmentReminder, today: date, closing: str) -> list[str]:
    """The schedule, what is paid, what is asked for and by when, what a default does."""
    plan, next_one, customer = reminder.plan, reminder.instalment, reminder.customer
    assert customer is not None
    paid = plan.paid_before_cents + sum(i.paid_cents for i in plan.instalments)
    left = sum(i.amount_cents - i.paid_cents for i in plan.instalments)
    late = plan.days_overdue(today)
    ask = (f"Instalment {next_one.seq}, {format_cents(reminder.owed_cents)}, was due on "
           f"{_long(next_one.due)}: it is {late} day(s) overdue." if next_one.due < today
           else f"Instalment {next_one.seq}, {format_cents(reminder.owed_cents)}, is due on "
                f"{_long(next_one.due)}.")
    schedule = [f"  {i.seq}.  {_long(i.due)}   {format_cents(i.amount_cents)}   "
                + ("paid" if i.settled else f"{format_cents(i.paid_cents)} paid"
                   if i.paid_cents else "to pay") for i in plan.instalments]
    kept = ("kept as credit on your account" if plan.on_default == "credit"
            else "refunded to you")
    tickets = ("Your tickets are issued when the plan is paid in full."
               if plan.tickets_withheld else "")
    return [f"Dear {customer.name},", "",
            f"This is a reminder about the payment plan for order {plan.order_number}. "
            + ask, "",
            "The plan as agreed:",
            f"  Paid when it was agreed: {format_cents(plan.paid_before_cents)}",
            *schedule, "",
            f"Paid so far on the plan: {format_cents(paid)}; still to pay: "
            f"{format_cents(left)}. {tickets}".rstrip(), "",
            f"If an instalment is more than {plan.default_after_days} day(s) overdue, the "
            f"plan may be ended: the tickets are cancelled, their seats go back on sale, "
            f"and what you have paid is {kept}.", "",
            "Please pay at the box office or call us. If you have paid in the last few "
            f"days, thank you, and please ignore this {closing}."]


def _instalment_subject(reminder: InstalmentReminder, house: str) -> str:
    return (f"{house}: order {reminder.plan.order_number}, instalment "
            f"{reminder.instalment.seq} due {_long(reminder.instalment.due)}")


def instalment_letters(reminders: list[InstalmentReminder], *, house: str,
                       house_address: str, today: date) -> bytes:
    """Instalment reminders, one letter a page, for those that may go by mail (consent,
    not already sent for the instalment unless asked again). Raises BoxOfficeError
    `nothing_to_send` when none may."""
    sending = [r for r in reminders if not r.why_not("mail")]
    if not sending:
        raise BoxOfficeError("no instalment reminder may go by mail (none due, no customer "
                             "agreed to mail, or they were sent already)",
                             code="nothing_to_send")
    pdf = _letters(f"{house}: instalment reminders")
    for reminder in sending:
        customer = reminder.customer
        assert customer is not None
        _letter(pdf, house=house, house_address=house_address,
                recipient=[customer.name, customer.email or customer.phone], today=today,
                reference=f"Order {reminder.plan.order_number}: instalment "
                          f"{reminder.instalment.seq} of {len(reminder.plan.instalments)}, "
                          f"due {_long(reminder.instalment.due)} "
                          f"({RULE_WORDS[reminder.plan.tickets]})",
                body=_instalment_body(reminder, today, "letter"))
    return bytes(pdf.output())


def email_instalment_reminders(
        db: Database, actor: User, reminders: list[InstalmentReminder], *,
        mail: MailConfig, house: str, house_address: str, today: date, now: datetime
) -> tuple[list[InstalmentReminder], list[tuple[InstalmentReminder, str]]]:
    """Email the instalment reminders that may go by email (consent, an address, not sent
    for that instalment yet unless asked again); each one sent is logged at once. Returns
    (sent, failed with why); a failure leaves the others going. Needs `group_sales`.
    Raises MailError `mail_off` when no mail server is configured (nothing sent)."""
    authorize(db, actor, "group_sales")
    if not mail.host:
        raise MailError("no mail server is configured ([mail] host)", code="mail_off")
    sent: list[InstalmentReminder] = []
    failed: list[tuple[InstalmentReminder, str]] = []
    for reminder in reminders:
        if reminder.why_not("email") or reminder.customer is None:
            continue
        text = "\n".join([*_instalment_body(reminder, today, "email"), "", house,
                          house_address]).rstrip() + "\n"
        try:
            send(mail, reminder.customer.email, _instalment_subject(reminder, house), text)
        except MailError as error:
            failed.append((reminder, error.message))
            continue
        record_instalment_sent(db, actor, [reminder], "email", now=now)
        sent.append(reminder)
    return sent, failed


def renewal_letters(renewals: list[Renewal], *, house: str, house_address: str,
                    today: date, zone: tzinfo, series_name: str) -> bytes:
    """A renewal notice per subscriber whose seat is held (status `offered`): their name,
    seat, price, deadline and renewal code (a mail merge, one letter a page). Raises
    BoxOfficeError `nothing_to_send` when no renewal is open."""
    sending = [r for r in renewals if r.status == "offered"]
    if not sending:
        raise BoxOfficeError("no renewal is open: nothing to send", code="nothing_to_send")
    pdf = _letters(f"{house}: renewals for {series_name}")
    for renewal in sending:
        deadline = renewal.deadline.astimezone(zone).strftime("%d %B %Y, %H:%M")
        price = (format_cents(renewal.price_cents) if renewal.price_cents is not None
                 else "to be confirmed")
        seat = renewal.seat_label.replace("-", " ", 1)
        _letter(pdf, house=house, house_address=house_address,
                recipient=[renewal.customer_name,
                           renewal.customer_email or renewal.customer_phone], today=today,
                reference=f"Renewal code {renewal.hold_code}: {series_name}, "
                          f"{renewal.package_code}",
                body=[f"Dear {renewal.customer_name},", "",
                      f"Thank you for subscribing. Your seat, {seat}, is held for you "
                      f"for every performance of {series_name} until {deadline}.", "",
                      f"To renew ({renewal.package_code}, {renewal.price_type}: {price}), "
                      f"come to the box office or call us with your renewal code "
                      f"{renewal.hold_code}. If you would like a different seat, tell us "
                      "when you renew.", "",
                      "Seats not renewed by the deadline are released for sale."])
    return bytes(pdf.output())
