"""Payment plans at the window: a coordinator agrees a plan on a group order's balance
(n on the order, its tickets kept back until it is paid in full), printing early is
refused, the last instalment taken with y prints the tickets; instalment reminders from
the notices screen as letters and as emails (a real SMTP server on 127.0.0.1)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from pypdf import PdfReader
from textual.widgets import Input

from core.config import Config, MailConfig, PrinterConfig
from core.sales import groups, notices, orders, plans
from core.sales.customer_data import set_consent
from core.sales.models import Order
from core.sales.tenders import Tender
from core.store.db import Database
from tests.support.app_helpers import make_app, sign_in, text_of
from tests.support.constants import FIXED_NOW, ZONE
from tests.support.order_helpers import customer
from tests.support.selling_helpers import cart_with, later_hall_performance, seat, user
from tests.support.smtp import smtp_server
from tests.tui.test_app_orders import look_up
from tui.commands import window_commands
from tui.screens.admin_base import FormModal
from tui.screens.notices import NoticesScreen
from tui.screens.order_detail import OrderDetailScreen

TODAY = FIXED_NOW.astimezone(ZONE).date()


def group_deposit(db: Database) -> Order:
    """Two seats of a group's block at a show in 60 days, 50.00 paid."""
    cora = user(db, "cora")
    show = later_hall_performance(db)
    anne = customer(db, "Anne Hale", email="anne@example.org")
    group = groups.create_group(db, cora, "St Anne's School", customer_id=anne.id,
                                now=FIXED_NOW)
    block = [seat(db, show, label) for label in ("ORCH-S-101", "ORCH-S-102")]
    groups.hold_block(db, cora, group.id, show, block, FIXED_NOW)
    return groups.group_order(db, cora, group.id, show, block,
                              [Tender("cash", 5000, tendered_cents=5000)],
                              balance_due=TODAY + timedelta(days=30),
                              station="window-1-cora", now=FIXED_NOW, zone=ZONE)


def ticket_prints(tmp_path: Path) -> list[Path]:
    return sorted((tmp_path / "prints").glob("*ticket*.png"))


async def test_a_plan_agreed_at_the_window_issues_tickets_when_paid(
        demo_db: Database, tmp_path: Path) -> None:
    order = group_deposit(demo_db)
    balance = order.balance_cents
    app = make_app(demo_db, tmp_path, station="window-1-cora")
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "cora", "3333")
        await look_up(pilot, order.number)
        assert isinstance(app.screen, OrderDetailScreen)
        await pilot.press("n")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, FormModal)
        # a typo first: said on the form shown again, nothing agreed
        form.query_one("#f-schedule", Input).value = "+10:100,in a month"
        form.query_one("#f-tickets", Input).value = "full"
        form.query_one("#f-tickets", Input).focus()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, FormModal)
        assert "cannot read 'in a month'" in text_of(app, "#form-problem")
        assert demo_db.execute("SELECT count(*) FROM payment_plans").fetchone()[0] == 0
        app.screen.query_one("#f-schedule", Input).value = (
            f"+10:100,+40:{(balance - 10000) / 100:.2f}")
        app.screen.query_one("#f-tickets", Input).focus()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, OrderDetailScreen)
        assert "tickets when paid in full" in text_of(app, "#state")
        await pilot.press("t")                      # printing early is refused
        await pilot.pause()
        await app.workers.wait_for_complete()
        assert ticket_prints(tmp_path) == []
        await pilot.press("y", "c", "enter")        # the first instalment: still held
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        await app.workers.wait_for_complete()
        assert ticket_prints(tmp_path) == []
        assert "1 instalment(s) left" in text_of(app, "#state")
        await pilot.press("y", "c", "enter")        # the last: the tickets print
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "COMPLETE" in text_of(app, "#heading")
    plan = plans.get_plan(demo_db, order.id)
    assert plan.tickets == "paid_in_full" and plan.paid_in_full
    assert [i.due for i in plan.instalments] == [TODAY + timedelta(days=10),
                                                 TODAY + timedelta(days=40)]
    assert len(ticket_prints(tmp_path)) == 2
    assert all(t.printed for t in orders.get_order(demo_db, order.id).tickets)


async def test_instalment_reminders_from_the_notices_screen(demo_db: Database,
                                                            tmp_path: Path) -> None:
    cora = user(demo_db, "cora")
    rosa = customer(demo_db, "Rosa Diaz", email="rosa@example.org")
    set_consent(demo_db, cora, rosa.id, "mail,email", now=FIXED_NOW)
    cart_id = cart_with(demo_db, cora, later_hall_performance(demo_db), ["ORCH-F-107"],
                        FIXED_NOW)
    plan = plans.sell_on_plan(demo_db, cora, cart_id, [Tender("cash", 3824)],
                              [(TODAY + timedelta(days=3), 5000),
                               (TODAY + timedelta(days=33), 5000)],
                              customer_id=rosa.id, station="window-1-cora", now=FIXED_NOW,
                              zone=ZONE)
    with smtp_server() as (inbox, port):
        config = Config(printer=PrinterConfig(backend="preview", path=str(tmp_path / "p")),
                        mail=MailConfig(host="127.0.0.1", port=port,
                                        sender="box@example.org"))
        app = make_app(demo_db, tmp_path, config=config, station="window-1-cora")
        async with app.run_test(size=(80, 24)) as pilot:
            await sign_in(pilot, "cora", "3333")
            next(c for c in window_commands(app, app.screen)
                 if c.title.startswith("Notices")).callback()
            await pilot.pause()
            assert isinstance(app.screen, NoticesScreen)
            assert "1 instalment(s): 1 letter(s), 1 email(s)" in text_of(app, "#info")
            await pilot.press("i")
            await pilot.pause()
            said = text_of(app, "#info")
            assert said.startswith("1 instalment letter(s) written to "), said
            await pilot.press("e")
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert "1 instalment reminder(s) emailed and logged" in text_of(app, "#info")
            await pilot.press("e")                 # sent already: not again
            await pilot.pause()
            assert "No instalment reminder may go by email" in text_of(app, "#info")
            await pilot.press("a", "i")            # unless asked
            await pilot.pause()
            assert text_of(app, "#info").startswith("1 instalment letter(s) written")
            await pilot.press("a", "i")
            await pilot.pause()
            assert "may go by mail" in text_of(app, "#info")
    path = Path(said.removeprefix("1 instalment letter(s) written to ")
                .split(" and logged")[0])
    text = PdfReader(str(path)).pages[0].extract_text()
    assert "Dear Rosa Diaz" in text and plan.order_number in text
    (message,) = inbox.messages
    assert message["To"] == "rosa@example.org" and plan.order_number in message["Subject"]
    assert sorted(n.channel for n in notices.sent_notices(demo_db, cora)) == [
        "email", "mail", "mail"]
