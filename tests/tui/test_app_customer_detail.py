"""A customer at the counter: found from the palette, their details, flags, notes and
order history, edited from the keyboard at 80x24 (journaled, no card numbers), and the way
between a customer and their orders both ways."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Checkbox

from core.sales.customers import get_customer
from core.store.db import Database
from tests.support.app_helpers import make_app, sign_in, text_of
from tests.support.order_helpers import customer, sell
from tui.app import BoxOfficeApp
from tui.commands import window_commands
from tui.screens.customer_detail import CustomerScreen
from tui.screens.customer_form import CustomerForm
from tui.screens.customers import CustomerPicker
from tui.screens.dialogs import AskText
from tui.screens.order_detail import OrderDetailScreen


async def open_customers(pilot: Pilot[None], app: BoxOfficeApp, query: str) -> None:
    command = next(c for c in window_commands(app, app.screen)
                   if c.title.startswith("Customers"))
    command.callback()
    await pilot.pause()
    assert isinstance(app.screen, CustomerPicker)
    await pilot.press(*query)
    await pilot.pause()
    await pilot.press("enter")
    await pilot.pause()


def journaled(db: Database, action: str) -> int:
    return int(db.execute("SELECT count(*) FROM journal WHERE action = ?",
                          [action]).fetchone()[0])


async def test_a_seller_reads_and_edits_a_customer(demo_db: Database, tmp_path: Path) -> None:
    jane = customer(demo_db, "Jane Smith", phone="555 010 2000", email="jane@example.org")
    first = sell(demo_db, ["ORCH-A-101"], who=jane)
    sell(demo_db, ["ORCH-A-102", "ORCH-A-103"], who=jane)
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "sam", "1111")
        await open_customers(pilot, app, "jane")
        assert isinstance(app.screen, CustomerScreen)
        assert "Jane Smith" in text_of(app, "#customer-card")
        totals = text_of(app, "#customer-totals")
        assert "2 order(s)" in totals and "3 live ticket(s)" in totals and "414.72" in totals
        # a note, dated and signed
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, AskText)
        await pilot.press(*"prefers aisle seats", "enter")
        await pilot.pause()
        assert "Note added" in text_of(app, "#info")
        assert "prefers aisle seats" in text_of(app, "#customer-card")
        # a card number in a note: refused, nothing stored
        await pilot.press("n")
        await pilot.pause()
        await pilot.press(*"card 4111 1111 1111 1111", "enter")
        await pilot.pause()
        assert "Not saved" in text_of(app, "#info")
        # details and flags from the same form as a new customer
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, CustomerForm)
        await pilot.press("tab", "ctrl+u", *"555 010 3000")
        app.screen.query_one("#flag-vip", Checkbox).value = True
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, CustomerScreen)
        assert "saved" in text_of(app, "#info") and "VIP" in text_of(app, "#customer-card")
        # an order, and back to its customer
        await pilot.press("down", "enter")           # the older order
        await pilot.pause()
        assert isinstance(app.screen, OrderDetailScreen)
        assert app.screen.order_id == first.id
        await pilot.press("u")
        await pilot.pause()
        assert isinstance(app.screen, CustomerScreen)
    jane = get_customer(demo_db, jane.id)
    assert jane.phone == "5550103000" and jane.flags == {"vip"}
    assert jane.notes.count("\n") == 0 and "sam: prefers aisle seats" in jane.notes
    assert "4111" not in jane.notes
    assert journaled(demo_db, "customer.note") == 1
    assert journaled(demo_db, "customer.update") == 1


async def test_the_gate_may_look_but_not_edit(demo_db: Database, tmp_path: Path) -> None:
    jane = customer(demo_db, "Jane Smith")
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "gia", "2222")
        await open_customers(pilot, app, "jane")
        assert isinstance(app.screen, CustomerScreen)
        await pilot.press("n")
        await pilot.pause()
        await pilot.press(*"let me in", "enter")
        await pilot.pause()
        assert "Not saved" in text_of(app, "#info")
    assert get_customer(demo_db, jane.id).notes == ""


async def test_consent_export_and_forget_at_the_counter(demo_db: Database,
                                                       tmp_path: Path) -> None:
    import json as json_module

    from core.sales import customers as customer_service
    from tests.support.order_helpers import customer, sell
    from tui.screens.customer_detail import CustomerScreen
    from tui.screens.dialogs import AskText, Confirm

    who = customer(demo_db, "Ann Lee", phone="5550123", email="ann@example.org")
    order = sell(demo_db, ["ORCH-B-101"], who=who)
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "sam", "1111")
        app.show_customer(who.id)
        await pilot.pause()
        assert isinstance(app.screen, CustomerScreen)
        await pilot.press("k")
        await pilot.pause()
        assert isinstance(app.screen, AskText)
        await pilot.press("ctrl+u", *"email", "enter")
        await pilot.pause()
        assert "Contact by email: recorded" in text_of(app, "#info")
        await pilot.press("x")
        await pilot.pause()
        said = text_of(app, "#info")
        assert said.startswith("Exported to ")
        exported = json_module.loads(Path(said.removeprefix("Exported to ")).read_text())
        assert exported["orders"][0]["number"] == order.number
        await pilot.press("f")
        await pilot.pause()
        assert isinstance(app.screen, Confirm)
        await pilot.press("y")
        await pilot.pause()
        assert "forgotten" in text_of(app, "#info")
    gone = customer_service.get_customer(demo_db, who.id)
    assert (gone.name, gone.phone, gone.email) == (f"Anonymised customer {who.id}", "", "")
