"""Order lookup in the window app, driven from the keyboard: find an order by whatever the
customer brings, then refund, void, reprint, hand over at will-call, print, exchange."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Input

from core.gate import codes
from core.gate import keys as gate_keys
from core.sales import orders
from core.sales.lookup import order_detail
from core.store.db import Database
from tests.support.app_helpers import make_app, sign_in, text_of
from tests.support.constants import ZONE
from tests.support.dates import day_at
from tests.support.order_helpers import NOW, customer, sell
from tests.support.selling_helpers import cart_with, hall_performance, user
from tui.app import BoxOfficeApp
from tui.screens.dialogs import SupervisorOverride
from tui.screens.order_detail import OrderDetailScreen
from tui.screens.orders import OrderLookupScreen
from tui.screens.performances import PerformancesScreen


async def look_up(pilot: Pilot[None], query: str) -> None:
    await pilot.press("ctrl+o")
    await pilot.pause()
    await pilot.press(*query, "enter")
    await pilot.pause()


def shown(app: BoxOfficeApp) -> str:
    """Everything the order screen says above and below its tickets."""
    return "\n".join(text_of(app, f"#{part}") for part in ("heading", "customer", "state",
                                                           "payments"))


def ticket_rows(app: BoxOfficeApp) -> list[list[str]]:
    table = app.screen.query_one("#tickets", DataTable)
    return [[str(cell) for cell in table.get_row_at(row)] for row in range(table.row_count)]


def keys(app: BoxOfficeApp) -> set[str]:
    """The actions the footer offers right now."""
    return {active.binding.action for active in app.screen.active_bindings.values()}


def journal_actions(db: Database) -> list[str]:
    return [row[0] for row in db.execute("SELECT action FROM journal ORDER BY id")]


async def answer(pilot: Pilot[None], *lines: str) -> None:
    for line in lines:
        await pilot.press(*line, "enter")
        await pilot.pause()


async def printed(pilot: Pilot[None], app: BoxOfficeApp) -> None:
    await app.workers.wait_for_complete()
    await pilot.pause(0.5)     # the order screen notices the finished job


def paper(tmp_path: Path) -> list[str]:
    """What the preview printer printed, in order: 'ticket-T00000002', ..."""
    return [path.stem.split("-", 1)[1] for path in sorted((tmp_path / "prints").glob("*.bin"))]


async def test_lookup_by_order_number_shows_the_whole_order(
    demo_db: Database, tmp_path: Path,
) -> None:
    ana = customer(demo_db, "Ana Ruiz", phone="555 019 9123", flags=("vip",))
    order = sell(demo_db, ["ORCH-A-101", "ORCH-A-102"], who=ana)
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await look_up(pilot, order.number)
        assert isinstance(app.screen, OrderDetailScreen)
        text = shown(app)
        assert f"Order {order.number}  COMPLETE" in text
        assert "Ana Ruiz" in text and "5550199123" in text and "VIP" in text
        assert "card VISA ****4242 appr A1B2C3  276.48" in text
        rows = ticket_rows(app)
        assert [row[1:6] for row in rows] == [
            [t.serial, seat, "ADULT", "LIVE", "NO"] for t, seat in
            zip(order.tickets, ("ORCH A-101", "ORCH A-102"), strict=True)]
        curtain = day_at(1, "19:30", ZONE)
        assert rows[0][6] == f"{curtain:%a %d %b %H:%M}"
        assert f"The Marriage of Figaro {curtain:%a %d %b %Y %H:%M}" in text_of(app, "#shows")
        # nothing is printed yet and it was sold today: everything but pickup applies
        assert {"refund", "void", "reprint", "print", "exchange"} <= keys(app)
        assert "pickup" not in keys(app)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, OrderLookupScreen)


async def test_lookup_by_phone_and_by_name_lists_the_customers_orders(
    demo_db: Database, tmp_path: Path,
) -> None:
    ana = customer(demo_db, "Ana Ruiz", phone="555 019 9123")
    older = sell(demo_db, ["ORCH-A-101"], who=ana)
    newer = sell(demo_db, ["ORCH-A-102"], who=ana)
    sell(demo_db, ["ORCH-A-103"], who=customer(demo_db, "Bo Lind", phone="555 777 0000"))
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await look_up(pilot, "(555) 019-9")
        assert isinstance(app.screen, OrderLookupScreen)
        table = app.screen.query_one("#results", DataTable)
        assert [str(table.get_row_at(r)[0]) for r in range(table.row_count)] == [
            newer.number, older.number]
        assert "2 orders (by customer)" in text_of(app, "#message")
        await pilot.press("down", "enter")
        await pilot.pause()
        assert isinstance(app.screen, OrderDetailScreen)
        assert app.screen.order_id == older.id
        await pilot.press("escape")
        await answer(pilot, "ruiz")
        assert table.row_count == 2
        assert all("Ana Ruiz" in str(table.get_row_at(r)[2]) for r in range(2))
        await answer(pilot, "nobody")
        assert table.row_count == 0
        assert "No order matches 'nobody'" in text_of(app, "#message")


async def test_a_typed_ticket_code_opens_its_order_at_that_ticket(
    demo_db: Database, tmp_path: Path,
) -> None:
    order = sell(demo_db, ["ORCH-B-101", "ORCH-B-102"])
    app = make_app(demo_db, tmp_path)
    code = orders.ticket_code(app.signer(), order.tickets[1])
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await look_up(pilot, code)
        assert isinstance(app.screen, OrderDetailScreen)
        assert app.screen.order_id == order.id
        table = app.screen.query_one("#tickets", DataTable)
        assert table.cursor_row == 1       # the scanned ticket
        assert "Found by ticket code (copy 1)" in shown(app)


async def test_a_garbage_or_forged_code_says_so_and_opens_nothing(
    demo_db: Database, tmp_path: Path,
) -> None:
    order = sell(demo_db, ["ORCH-B-103"])
    app = make_app(demo_db, tmp_path)
    code = orders.ticket_code(app.signer(), order.tickets[0])
    forged = code[:30] + ("B" if code[30] != "B" else "C") + code[31:]
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await look_up(pilot, "QWERTYUIOPASDFGHJKLZXCVBNM0189")
        assert isinstance(app.screen, OrderLookupScreen)
        assert "This is not one of our ticket codes" in text_of(app, "#message")
        app.screen.query_one("#query", Input).value = forged    # pasted: typing is slow
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, OrderLookupScreen)
        assert "forged or damaged" in text_of(app, "#message")
        assert app.screen.query_one("#results", DataTable).row_count == 0


async def test_a_seller_refunds_with_a_supervisors_override(
    demo_db: Database, tmp_path: Path,
) -> None:
    order = sell(demo_db, ["ORCH-C-101", "ORCH-C-102"])
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "sam", "1111")
        await look_up(pilot, order.number)
        await pilot.press("r")
        await pilot.pause()
        # sam may not refund: the supervisor approves first, then the reason
        assert isinstance(app.screen, SupervisorOverride)
        await answer(pilot, "cora", "3333")
        await answer(pilot, "customer ill")
        assert isinstance(app.screen, OrderDetailScreen)
        after = orders.get_order(demo_db, order.id)
        assert [t.status for t in after.tickets] == ["refunded", "refunded"]
        assert after.paid_cents == 0
        assert [p.amount_cents for p in after.payments] == [27648, -27648]
        assert "override.approved" in journal_actions(demo_db)
        refund = demo_db.execute("SELECT data FROM journal WHERE action = 'order.refund'"
                                 ).fetchone()
        assert json.loads(refund[0])["approved_by"] == "cora"
        assert "REFUNDED" in shown(app) and "refund card VISA ****4242" in shown(app)
        assert [row[4] for row in ticket_rows(app)] == ["REFUNDED", "REFUNDED"]
        assert not {"refund", "reprint", "exchange"} & keys(app)
        # the refund slip, the customer's copy and the drawer's; a card refund opens no
        # drawer
        await printed(pilot, app)
        assert paper(tmp_path) == [f"refund-{order.number}-customer",
                                   f"refund-{order.number}-drawer"]


async def test_a_refused_override_changes_nothing(demo_db: Database, tmp_path: Path) -> None:
    order = sell(demo_db, ["ORCH-C-103"])
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "sam", "1111")
        await look_up(pilot, order.number)
        await pilot.press("r")
        await answer(pilot, "cora", "9999")
        assert isinstance(app.screen, SupervisorOverride)   # asked again
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, OrderDetailScreen)
        assert orders.get_order(demo_db, order.id) == order
        assert "override.refused" in journal_actions(demo_db)
        assert "order.refund" not in journal_actions(demo_db)
        assert "COMPLETE" in shown(app) and ticket_rows(app)[0][4] == "LIVE"
        # Esc at the override dialog is a plain cancel
        await pilot.press("r")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert orders.get_order(demo_db, order.id) == order


async def test_refund_only_the_marked_ticket(demo_db: Database, tmp_path: Path) -> None:
    order = sell(demo_db, ["ORCH-D-101", "ORCH-D-102", "ORCH-D-103"])
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "cora", "3333")
        await look_up(pilot, order.number)
        await pilot.press("down", "space")
        await pilot.pause()
        assert ticket_rows(app)[1][0] == "*"
        await pilot.press("r")
        await answer(pilot, "one cannot come")
        after = orders.get_order(demo_db, order.id)
        assert [t.status for t in after.tickets] == ["live", "refunded", "live"]
        assert after.paid_cents == 2 * 13824
        assert "COMPLETE" in shown(app)


async def test_a_reprint_revokes_the_old_code_and_prints_the_new_one(
    demo_db: Database, tmp_path: Path,
) -> None:
    order = sell(demo_db, ["ORCH-E-101", "ORCH-E-102"])
    orders.mark_printed(demo_db, [t.id for t in order.tickets], NOW)
    app = make_app(demo_db, tmp_path)
    old_code = orders.ticket_code(app.signer(), order.tickets[1])
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "cora", "3333")
        await look_up(pilot, order.number)
        assert "print" not in keys(app)            # every ticket is printed
        await pilot.press("down", "p")
        await answer(pilot, "coffee on it")
        await printed(pilot, app)
        ticket = orders.get_order(demo_db, order.id).tickets[1]
        assert ticket.generation == 2 and ticket.printed
        assert demo_db.execute("SELECT generation FROM revocations WHERE ticket_id = ?",
                               [ticket.id]).fetchall() == [(1,)]
        verdict = codes.verify_token(old_code, gate_keys.public_keys(demo_db),
                                      gate_keys.revoked_set(demo_db))
        assert verdict.reason == "revoked"
        assert paper(tmp_path) == [f"ticket-{ticket.serial}"]     # only the new copy
        assert [row[5] for row in ticket_rows(app)] == ["yes", "yes"]


async def test_will_call_pickup_records_it_and_prints_the_tickets(
    demo_db: Database, tmp_path: Path,
) -> None:
    ana = customer(demo_db, "Ana Ruiz", phone="555 019 9123")
    order = sell(demo_db, ["ORCH-F-101", "ORCH-F-102"], who=ana, delivery="will_call")
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await look_up(pilot, "Ana Ruiz")
        assert "WILL-CALL: waiting for pickup" in shown(app)
        assert "pickup" in keys(app) and "print" not in keys(app)
        await pilot.press("w")
        await pilot.pause()
        await pilot.press("y")
        await printed(pilot, app)
        assert order_detail(demo_db, order.id).picked_up_at is not None
        assert all(t.printed for t in orders.get_order(demo_db, order.id).tickets)
        # the tickets, then the receipt again (what the customer paid, every ticket)
        assert paper(tmp_path) == [f"ticket-{t.serial}" for t in order.tickets] + [
            f"receipt-{order.number}"]
        assert "picked up" in shown(app) and "pickup" not in keys(app)
        assert "order.picked_up" in journal_actions(demo_db)


async def test_print_what_the_printer_missed(demo_db: Database, tmp_path: Path) -> None:
    order = sell(demo_db, ["ORCH-G-101", "ORCH-G-102"])
    orders.mark_printed(demo_db, [order.tickets[0].id], NOW)
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await look_up(pilot, order.number)
        await pilot.press("t")
        await printed(pilot, app)
        assert all(t.printed for t in orders.get_order(demo_db, order.id).tickets)
        assert paper(tmp_path) == [f"ticket-{order.tickets[1].serial}"]
        assert "print" not in keys(app)


async def test_void_today_but_not_an_older_order(demo_db: Database, tmp_path: Path) -> None:
    from datetime import timedelta

    today = sell(demo_db, ["ORCH-H-101"])
    yesterday = sell(demo_db, ["ORCH-H-102"], now=NOW - timedelta(days=1))
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "cora", "3333")
        await look_up(pilot, yesterday.number)
        assert "void" not in keys(app) and "refund" in keys(app)
        await pilot.press("escape")
        await answer(pilot, today.number)
        await pilot.press("v")
        await answer(pilot, "wrong night")
        assert orders.get_order(demo_db, today.id).status == "voided"
        assert "VOIDED" in shown(app)
        assert not {"void", "refund", "reprint"} & keys(app)


async def test_exchange_hands_the_marked_tickets_to_the_sale(
    demo_db: Database, tmp_path: Path,
) -> None:
    order = sell(demo_db, ["ORCH-J-101", "ORCH-J-102"])
    app = make_app(demo_db, tmp_path)
    if not hasattr(app.sale, "start_exchange"):
        pytest.skip("tui/sale.py has no Sale.start_exchange yet")
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await look_up(pilot, order.number)
        await pilot.press("down", "space", "x")
        await pilot.pause()
        await answer(pilot, "cora", "3333")            # sam may not exchange alone
        await answer(pilot, "wants the matinee")
        assert isinstance(app.screen, PerformancesScreen)
        exchange = app.sale.exchange
        assert exchange is not None
        assert (exchange.order_id, exchange.ticket_ids, exchange.reason) == (
            order.id, (order.tickets[1].id,), "wants the matinee")
        # nothing changes until the new seats are paid for
        assert orders.get_order(demo_db, order.id) == order


async def test_no_exchange_over_a_sale_in_progress(demo_db: Database, tmp_path: Path) -> None:
    order = sell(demo_db, ["ORCH-J-103"])
    app = make_app(demo_db, tmp_path)
    app.sale.cart_id = cart_with(demo_db, user(demo_db, "sam"), hall_performance(demo_db),
                                 ["ORCH-K-101"], NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await look_up(pilot, order.number)
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, OrderDetailScreen)
        assert app.sale.exchange is None


async def test_gate_staff_may_not_print_an_orders_tickets(demo_db: Database,
                                                          tmp_path: Path) -> None:
    """Issue 24: printing a live code hands out a ticket; the gate role has no `sell`."""
    order = sell(demo_db, ["ORCH-G-101"])
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "gia", "2222")
        await look_up(pilot, order.number)
        assert isinstance(app.screen, OrderDetailScreen)
        await pilot.press("t")
        await printed(pilot, app)
        assert paper(tmp_path) == []
    assert not any(t.printed for t in orders.get_order(demo_db, order.id).tickets)
