"""Instalment reminders: the next instalment due within N days (or late) of each plan,
by letter to those who agreed to mail and by email (a real SMTP server on 127.0.0.1) to
those who agreed to email, the others named to phone; each logged, never sent twice for
the same instalment unless asked; a plan's order gets no group balance-due letter."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.config import MailConfig
from core.mail import MailError
from core.reports.letters import email_instalment_reminders
from core.sales import notices, plans
from core.sales.customer_data import set_consent
from core.sales.tenders import Tender
from core.store.db import Database
from tests.support.constants import FIXED_NOW, ZONE
from tests.support.gate_server import free_port
from tests.support.order_helpers import customer
from tests.support.selling_helpers import cart_with, later_hall_performance, user
from tests.support.smtp import smtp_server

TODAY = FIXED_NOW.astimezone(ZONE).date()


def on_plan(db: Database, name: str, seats: list[str], first_in: int, consent: str,
            tickets: str = "first_payment") -> plans.Plan:
    """Seats sold on a plan: 76.48 a seat now, the rest in two instalments, the first of
    them `first_in` days from today."""
    cora = user(db, "cora")
    who = customer(db, name, email=f"{name.split()[0].lower()}@example.org")
    set_consent(db, cora, who.id, consent, now=FIXED_NOW)
    cart_id = cart_with(db, cora, later_hall_performance(db), seats, FIXED_NOW)
    rest = 6176 * len(seats)
    return plans.sell_on_plan(
        db, cora, cart_id, [Tender("cash", 7648 * len(seats))],
        [(TODAY + timedelta(days=first_in), rest // 2),
         (TODAY + timedelta(days=first_in + 30), rest - rest // 2)],
        customer_id=who.id, station="window-1-cora", now=FIXED_NOW, zone=ZONE,
        tickets=tickets)


def test_due_within_and_consent_decide_who_is_reminded_and_how(demo_db: Database) -> None:
    cora = user(demo_db, "cora")
    ema = on_plan(demo_db, "Ema Stone", ["ORCH-H-101"], 5, "email", "paid_in_full")
    pat = on_plan(demo_db, "Pat Moss", ["ORCH-H-102"], 2, "none")
    later = on_plan(demo_db, "Lee Park", ["ORCH-H-103"], 20, "mail,email")
    found = notices.instalment_reminders(demo_db, cora, TODAY, due_within=7)
    assert [r.plan.order_number for r in found] == [pat.order_number, ema.order_number]
    by_order = {r.plan.order_number: r for r in found}
    assert by_order[ema.order_number].words() == "email"
    assert by_order[pat.order_number].words() == "phone (no consent to mail)"
    assert later.order_number not in by_order
    assert [r.plan.order_number for r in notices.instalment_reminders(
        demo_db, cora, TODAY, due_within=3)] == [pat.order_number]
    with pytest.raises(ValueError):
        notices.instalment_reminders(demo_db, cora, TODAY, due_within=-1)
    with pytest.raises(Exception, match="may not"):          # a seller sends no notices
        notices.instalment_reminders(demo_db, user(demo_db, "sam"), TODAY, due_within=7)


def test_emailed_once_per_instalment_and_logged(demo_db: Database) -> None:
    cora = user(demo_db, "cora")
    ema = on_plan(demo_db, "Ema Stone", ["ORCH-H-101"], 5, "email", "paid_in_full")
    found = notices.instalment_reminders(demo_db, cora, TODAY, due_within=7)
    house = {"house": "Aldridge Hall", "house_address": "1 Harbor Way"}
    with pytest.raises(MailError) as off:
        email_instalment_reminders(demo_db, cora, found, mail=MailConfig(), today=TODAY,
                                   now=FIXED_NOW, **house)
    assert off.value.code == "mail_off"
    down = MailConfig(host="127.0.0.1", port=free_port(), sender="box@example.org",
                      timeout_seconds=2)
    sent, failed = email_instalment_reminders(demo_db, cora, found, mail=down, today=TODAY,
                                              now=FIXED_NOW, **house)
    assert sent == [] and [r.plan.order_number for r, _ in failed] == [ema.order_number]
    assert notices.sent_notices(demo_db, cora) == []        # a failed email is not logged
    mail_at = FIXED_NOW + timedelta(hours=1)
    with smtp_server() as (inbox, port):
        mail = MailConfig(host="127.0.0.1", port=port, sender="box@example.org")
        sent, failed = email_instalment_reminders(demo_db, cora, found, mail=mail,
                                                  today=TODAY, now=mail_at, **house)
        # the same run again the next day: that instalment was reminded already
        again = notices.instalment_reminders(demo_db, cora, TODAY + timedelta(days=1),
                                             due_within=7)
        assert again[0].words() == "sent already"
        resent, _ = email_instalment_reminders(demo_db, cora, again, mail=mail, today=TODAY,
                                               now=mail_at, **house)
        assert resent == []
        asked = notices.instalment_reminders(demo_db, cora, TODAY, due_within=7, again=True)
        resent, _ = email_instalment_reminders(demo_db, cora, asked, mail=mail, today=TODAY,
                                               now=mail_at, **house)
    assert [r.plan.order_number for r in sent] == [ema.order_number] and failed == []
    assert len(resent) == 1 and len(inbox.messages) == 2
    message = inbox.messages[0]
    assert message["To"] == "ema@example.org" and ema.order_number in message["Subject"]
    assert "instalment 1" in message["Subject"]
    body = message.get_body(("plain",))
    assert body is not None
    text = body.get_content()
    owed = ema.instalments[0].amount_cents
    assert "Dear Ema Stone" in text and f"{owed / 100:,.2f}" in text
    assert "to pay" in text and "issued when the plan is paid in full" in text
    assert "more than 14 day(s) overdue" in text
    logged = notices.sent_notices(demo_db, cora)
    assert [(n.kind, n.order_number, n.instalment_seq, n.channel, n.sent_at)
            for n in logged] == [("instalment", ema.order_number, 1, "email", mail_at)] * 2


def test_a_plan_gets_no_group_balance_letter(demo_db: Database) -> None:
    from tests.core.test_notices import late_group_order

    cora = user(demo_db, "cora")
    number = late_group_order(demo_db, "St Anne's School", "Anne Hale", ["ORCH-S-101"])
    assert [r.order.number for r in notices.balance_due_reminders(demo_db, cora, TODAY)] == [
        number]
    order_id = demo_db.execute("SELECT id, customer_id FROM orders WHERE number = ?",
                               [number]).fetchone()
    set_consent(demo_db, cora, order_id[1], "mail", now=FIXED_NOW)
    balance = demo_db.execute("SELECT total_cents FROM orders WHERE id = ?",
                              [order_id[0]]).fetchone()[0] - 5000
    plans.agree_plan(demo_db, cora, order_id[0], [(TODAY + timedelta(days=3), balance)],
                     now=FIXED_NOW, zone=ZONE)
    assert notices.balance_due_reminders(demo_db, cora, TODAY) == []
    [reminder] = notices.instalment_reminders(demo_db, cora, TODAY, due_within=7)
    assert reminder.plan.order_number == number and reminder.words() == "letter"
