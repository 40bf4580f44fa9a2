"""Renewal notices by email (issue 20): the letter each subscriber gets on paper, also
sent through `[mail]` to those who agreed to email, with the renewal code and a link to
the storefront's renewal page that opens their renewal directly (signed like an order's
link), the letter attached as a PDF. Each email is logged (core.sales.renewal_notices);
a second run reaches only those not reached yet."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from core.config import MailConfig
from core.mail import Attachment, MailError, send
from core.money import format_cents
from core.people.models import User
from core.people.permissions import authorize
from core.reports.letters import renewal_letters
from core.sales.customers import get_customer
from core.sales.online_renewals import renewal_key
from core.sales.renewal_notices import emailed, record_notice
from core.sales.renewals import Renewal, list_renewals
from core.store.db import Database
from core.venue.series import get_series


@dataclass(frozen=True)
class RenewalMailing:
    sent: tuple[Renewal, ...]
    skipped: tuple[tuple[Renewal, str], ...]     # no address, no consent, already sent
    failed: tuple[tuple[Renewal, str], ...]      # the mail server's answer


def renewal_link(base_url: str, secret: str, code: str) -> str:
    """The storefront's page of this renewal ('' without the site's address)."""
    if not base_url:
        return ""
    return f"{base_url.rstrip('/')}/renew/{code}?key={renewal_key(secret, code)}"


def renewal_email(renewal: Renewal, *, series_name: str, house: str, house_address: str,
                  zone: tzinfo, link: str) -> tuple[str, str]:
    """(subject, text) of one subscriber's renewal notice."""
    deadline = renewal.deadline.astimezone(zone).strftime("%d %B %Y, %H:%M")
    price = (format_cents(renewal.price_cents) if renewal.price_cents is not None
             else "to be confirmed")
    seat = renewal.seat_label.replace("-", " ", 1)
    how = ([f"Renew online in one step: {link}", "",
            f"or come to the box office or call us with your renewal code "
            f"{renewal.hold_code}."] if link else
           [f"Renew on our website's renewal page with your renewal code "
            f"{renewal.hold_code} and this email address, or come to the box office or "
            "call us with the code."])
    lines = [f"Dear {renewal.customer_name},", "",
             f"Thank you for subscribing. Your seat, {seat}, is held for you for every "
             f"performance of {series_name} until {deadline}.", "",
             f"Your renewal: {renewal.package_code}, {renewal.price_type}: {price}.",
             f"Your renewal code: {renewal.hold_code}", "", *how, "",
             "If you would like a different seat, tell us when you renew (the renewal "
             "page takes a request too). Seats not renewed by the deadline are released "
             "for sale.", "", house, house_address]
    return (f"{house}: renew your seat for {series_name} by {deadline}",
            "\n".join(lines).rstrip() + "\n")


def email_renewal_notices(db: Database, actor: User, series_id: int, *, mail: MailConfig,
                          house: str, house_address: str, zone: tzinfo, today: date,
                          base_url: str, secret: str, now: datetime) -> RenewalMailing:
    """Email the notice of every renewal still open in the series to its subscriber, if
    they have an email address and agreed to email, and were not emailed it already;
    each sent or failed email is logged at once, and a failure leaves the others going.
    Needs `hold`. Raises MailError `mail_off` when no mail server is configured (nothing
    sent), NotFound `unknown_series`."""
    authorize(db, actor, "hold")
    if not mail.host:
        raise MailError("no mail server is configured ([mail] host)", code="mail_off")
    series = get_series(db, series_id)
    done = emailed(db, series_id)
    sent: list[Renewal] = []
    skipped: list[tuple[Renewal, str]] = []
    failed: list[tuple[Renewal, str]] = []
    for renewal in list_renewals(db, series_id):
        if renewal.status != "offered" or renewal.hold_code is None or \
                renewal.deadline <= now:
            continue
        customer = get_customer(db, renewal.customer_id)
        why = ("already emailed" if renewal.id in done else
               "no email address: the letter only" if not customer.email else
               "did not agree to email: the letter only"
               if not customer.may_contact("email") else "")
        if why:
            skipped.append((renewal, why))
            continue
        subject, text = renewal_email(
            renewal, series_name=series.name, house=house, house_address=house_address,
            zone=zone, link=renewal_link(base_url, secret, renewal.hold_code))
        letter = renewal_letters([renewal], house=house, house_address=house_address,
                                 today=today, zone=zone, series_name=series.name)
        try:
            send(mail, customer.email, subject, text,
                 [Attachment(f"renewal-{renewal.hold_code}.pdf", letter)])
        except MailError as error:
            record_notice(db, actor, renewal.id, customer.id, error=error.message, now=now)
            failed.append((renewal, error.message))
            continue
        record_notice(db, actor, renewal.id, customer.id, now=now)
        sent.append(renewal)
    return RenewalMailing(tuple(sent), tuple(skipped), tuple(failed))
