"""Balance-due reminders: letters only to patrons who agreed to mail, the others named to
phone; the letters say the right sums; what was sent is logged for good."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from pypdf import PdfReader

from core.errors import BoxOfficeError
from core.reports.letters import reminder_letters
from core.sales import groups, notices
from core.sales.customer_data import set_consent
from core.sales.tenders import Tender
from core.store.db import Database
from tests.support.constants import FIXED_NOW, ZONE
from tests.support.order_helpers import customer
from tests.support.selling_helpers import hall_performance, seat, user


def late_group_order(db: Database, name: str, contact: str, seats: list[str]) -> str:
    """A group order a week past its balance-due date, 50.00 paid."""
    cora = user(db, "cora")
    show = hall_performance(db)
    week_ago = FIXED_NOW - timedelta(days=8)
    who = customer(db, contact, email=f"{contact.split()[0].lower()}@example.org")
    group = groups.create_group(db, cora, name, customer_id=who.id, now=week_ago)
    block = [seat(db, show, label) for label in seats]
    groups.hold_block(db, cora, group.id, show, block, week_ago)
    order = groups.group_order(db, cora, group.id, show, block,
                               [Tender("cash", 5000, tendered_cents=5000)],
                               balance_due=(week_ago + timedelta(days=1)).date(),
                               station="window-1-cora", now=week_ago, zone=ZONE)
    return order.number


def test_reminders_go_by_consent_and_are_logged(demo_db: Database) -> None:
    cora = user(demo_db, "cora")
    anne = late_group_order(demo_db, "St Anne's School", "Anne Hale", ["ORCH-S-101"])
    rotary = late_group_order(demo_db, "Rotary Club", "Rob Vance", ["ORCH-S-102"])
    anne_id = demo_db.execute("SELECT customer_id FROM orders WHERE number = ?",
                              [anne]).fetchone()[0]
    set_consent(demo_db, cora, anne_id, "mail", now=FIXED_NOW)
    today = FIXED_NOW.astimezone(ZONE).date()
    found = notices.balance_due_reminders(demo_db, cora, today)
    by_order = {r.order.number: r for r in found}
    assert by_order[anne].skipped == ""
    assert "no consent to mail" in by_order[rotary].skipped
    letters = reminder_letters(found, house="Aldridge Hall", house_address="1 Harbor Way",
                               today=today)
    pages = PdfReader(io.BytesIO(letters)).pages
    assert len(pages) == 1                                   # Rob gets a phone call
    text = pages[0].extract_text()
    balance = by_order[anne].order.balance_cents
    assert "Dear Anne Hale" in text and anne in text
    assert f"{balance / 100:,.2f}" in text and "50.00" in text
    assert notices.record_sent(demo_db, cora, found, now=FIXED_NOW) == 1
    [sent] = notices.sent_notices(demo_db, cora)
    assert (sent.customer, sent.order_number, sent.channel, sent.sent_by) == (
        "Anne Hale", anne, "mail", "cora")
    with pytest.raises(Exception, match="kept as written"):
        demo_db.execute("DELETE FROM notices")


def test_nobody_to_write_to_is_said(demo_db: Database) -> None:
    today = FIXED_NOW.astimezone(ZONE).date()
    found = notices.balance_due_reminders(demo_db, user(demo_db, "cora"), today)
    with pytest.raises(BoxOfficeError) as nothing:
        reminder_letters(found, house="H", house_address="", today=today)
    assert nothing.value.code == "nothing_to_send"


def test_reminders_go_by_email_to_those_who_agreed(demo_db: Database) -> None:
    from core.config import MailConfig
    from core.mail import MailError
    from core.reports.letters import email_reminders
    from tests.support.gate_server import free_port
    from tests.support.smtp import smtp_server

    cora = user(demo_db, "cora")
    anne = late_group_order(demo_db, "St Anne's School", "Anne Hale", ["ORCH-S-101"])
    rotary = late_group_order(demo_db, "Rotary Club", "Rob Vance", ["ORCH-S-102"])
    anne_id = demo_db.execute("SELECT customer_id FROM orders WHERE number = ?",
                              [anne]).fetchone()[0]
    set_consent(demo_db, cora, anne_id, "email", now=FIXED_NOW)
    found = notices.balance_due_reminders(demo_db, cora, FIXED_NOW.astimezone(ZONE).date())
    with pytest.raises(MailError):
        email_reminders(demo_db, cora, found, mail=MailConfig(), house="Aldridge Hall",
                        house_address="1 Harbor Way", now=FIXED_NOW)
    down = MailConfig(host="127.0.0.1", port=free_port(), sender="box@example.org",
                      timeout_seconds=2)
    sent, failed = email_reminders(demo_db, cora, found, mail=down, house="Aldridge Hall",
                                   house_address="1 Harbor Way", now=FIXED_NOW)
    assert sent == [] and [r.order.number for r, _ in failed] == [anne]
    assert notices.sent_notices(demo_db, cora) == []       # a failed email is not logged
    with smtp_server() as (inbox, port):
        mail = MailConfig(host="127.0.0.1", port=port, sender="box@example.org")
        sent, failed = email_reminders(demo_db, cora, found, mail=mail,
                                       house="Aldridge Hall", house_address="1 Harbor Way",
                                       now=FIXED_NOW)
    assert [r.order.number for r in sent] == [anne] and failed == []
    (message,) = inbox.messages
    assert message["To"] == "anne@example.org" and anne in message["Subject"]
    body = message.get_body(("plain",))
    assert body is not None and "Dear Anne Hale" in body.get_content()
    [logged] = notices.sent_notices(demo_db, cora)
    assert (logged.order_number, logged.channel) == (anne, "email")
    assert rotary not in {r.order.number for r in sent}     # no consent: no email
