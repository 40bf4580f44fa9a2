"""Cases at the window (F8): logged about an order in a few keys, noted, closed with a
disposition, and the letter written; the gate sees none of it."""

from __future__ import annotations

import io
from pathlib import Path

from pypdf import PdfReader

from core.sales import cases
from core.store.db import Database
from tests.support.app_helpers import fill, make_app, screen_text, settled_text, sign_in, text_of
from tests.support.constants import FIXED_NOW
from tests.support.order_helpers import customer, sell
from tests.support.selling_helpers import user
from tui.screens.admin_base import FormModal
from tui.screens.cases import CasesScreen


async def test_a_complaint_about_an_order_from_f8_to_its_letter(
        demo_db: Database, tmp_path: Path) -> None:
    who = customer(demo_db, "Wilhelmina Ortiz", email="w@example.org")
    order = sell(demo_db, ["ORCH-B-101"], who=who)
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "cora", "3333")
        await pilot.press("f8")
        await pilot.pause()
        assert isinstance(app.screen, CasesScreen)
        assert "No open case" in text_of(app, "#info")
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, FormModal)
        # kind, channel, category, description, order, customer, priority, assignee, due
        await fill(pilot, "complaint", "phone", "Seating", "Broken armrest at B-101",
                   order.number, "", "high", "sam", "+3")
        assert isinstance(app.screen, CasesScreen)
        found = cases.list_cases(demo_db, user(demo_db, "cora"))
        assert len(found) == 1
        case = found[0]
        assert (case.kind, case.customer_name, case.assignee, case.priority) == (
            "complaint", "Wilhelmina Ortiz", "sam", "high")
        shown = await settled_text(pilot)
        assert "Wilhelmina" in shown and "Broken armrest" in shown
        await pilot.press("o")
        await pilot.pause()
        await fill(pilot, "Called back, offered F-14")
        await pilot.press("r")
        await pilot.pause()
        await fill(pilot, "resolved", "We fixed the armrest and moved you to F-14.")
        assert cases.get_case(demo_db, user(demo_db, "cora"), case.id).status == "resolved"
        assert "l writes the letter" in text_of(app, "#info")
        await pilot.press("l")
        await pilot.pause()
        assert "Letter written" in text_of(app, "#info")
    letter = next(app.database_path().parent.glob(
        f"letters/case-{case.id}.pdf"))
    text = "".join(page.extract_text() for page in PdfReader(
        io.BytesIO(letter.read_bytes())).pages)
    assert "Dear Wilhelmina Ortiz" in text and "moved you to F-14" in text


async def test_a_bad_order_number_keeps_the_form_and_logs_nothing(
        demo_db: Database, tmp_path: Path) -> None:
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "sam", "1111")
        await pilot.press("f8", "n")
        await pilot.pause()
        await fill(pilot, "inquiry", "counter", "Parking", "Where do I park?", "999999",
                   "", "normal", "", "")
        assert isinstance(app.screen, FormModal)          # back, with what was typed
        assert "Where do I park?" in screen_text(app)
        assert demo_db.execute("SELECT count(*) FROM cases").fetchone()[0] == 0


async def test_the_gate_sees_no_case(demo_db: Database, tmp_path: Path) -> None:
    cases.open_case(demo_db, user(demo_db, "sam"), kind="complaint", channel="counter",
                    category="Staff", description="Rude usher", now=FIXED_NOW)
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "gia", "2222")
        await pilot.press("f8")
        await pilot.pause()
        assert isinstance(app.screen, CasesScreen)
        assert "may not" in text_of(app, "#info")
        assert "Rude usher" not in screen_text(app)


async def test_k_on_an_order_logs_a_case_about_it(demo_db: Database, tmp_path: Path) -> None:
    from tests.tui.test_app_orders import look_up

    who = customer(demo_db, "Pat Doyle", phone="5550100")
    order = sell(demo_db, ["ORCH-B-102"], who=who)
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "sam", "1111")
        await look_up(pilot, order.number)
        await pilot.press("k")
        await pilot.pause()
        assert isinstance(app.screen, FormModal)          # the order is filled in
        # kind, channel, category, description; the order as given; the rest as offered
        await fill(pilot, "inquiry", "counter", "Tickets", "Can I bring a child?")
        for _ in range(5):
            await pilot.press("enter")
            await pilot.pause()
        assert isinstance(app.screen, CasesScreen)
        [case] = cases.list_cases(demo_db, user(demo_db, "sam"))
        assert (case.order_number, case.customer_name) == (order.number, "Pat Doyle")
        await pilot.press("escape")
        await pilot.pause()
        assert type(app.screen).__name__ == "OrderDetailScreen"     # back where it began
