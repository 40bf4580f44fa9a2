"""Admin, Gate (F4): an event's re-entry policy, and rotating, retiring and exporting the
ticket signing keys, from the keyboard at 80x24, checked in the database and at the gate."""

from __future__ import annotations

import json
from pathlib import Path

from core.gate import checkin, keys
from core.sales import carts, checkout
from core.sales.orders import ticket_code
from core.sales.tenders import Tender
from core.store.db import Database
from core.venue import performances
from tests.support.app_helpers import make_app, sign_in, text_of
from tests.support.constants import ZONE
from tests.support.dates import day_at
from tests.support.selling_helpers import STATION, cart_with, hall_performance, user
from tests.tui.test_app_admin import open_section
from tui.screens.admin_gate import GateAdminScreen
from tui.screens.dialogs import AskText, Confirm


def scan_at_the_door(db: Database, code: str) -> str:
    show = hall_performance(db)
    gate = checkin.open_gate(db, user(db, "gia"), show, "North", zone=ZONE)
    return checkin.scan(db, gate, code, now=day_at(1, "19:00", ZONE)).code


async def test_an_admin_turns_re_entry_on_for_an_event(demo_db: Database,
                                                       tmp_path: Path) -> None:
    first = performances.list_events(demo_db)[0]
    assert not first.reentry
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "ada", "4444")
        await open_section(pilot, "gate")
        assert isinstance(app.screen, GateAdminScreen)
        await pilot.press("space")
        await pilot.pause()
        assert "re-entry allowed" in text_of(app, "#info")
        assert "ALLOWED" in str(app.screen.query_one("#gate-events").get_row(str(first.id)))  # type: ignore[attr-defined]
    assert performances.list_events(demo_db)[0].reentry
    assert demo_db.execute("SELECT count(*) FROM journal WHERE action = 'event.reentry'"
                           ).fetchone()[0] == 1


async def test_a_rotated_key_keeps_old_tickets_until_it_is_retired(demo_db: Database,
                                                                   tmp_path: Path) -> None:
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        # a ticket signed with the first key
        sam, now = user(demo_db, "sam"), day_at(0, "12:00", ZONE)
        cart_id = cart_with(demo_db, sam, hall_performance(demo_db), ["ORCH-A-101"], now)
        total = carts.view_cart(demo_db, cart_id).total_cents
        order = checkout.checkout(demo_db, sam, cart_id, [Tender("cash", total)],
                                  station=STATION, now=now)
        old_code = ticket_code(app.signer(), order.tickets[0])
        await sign_in(pilot, "ada", "4444")
        await open_section(pilot, "gate")
        await pilot.press("tab", "r")                  # the keys table, rotate
        await pilot.pause()
        assert isinstance(app.screen, Confirm)
        await pilot.press("y")
        await pilot.pause()
        assert "Key #2 now signs new tickets" in text_of(app, "#info")
        assert [key.status for key in keys.list_keys(demo_db)] == ["valid", "signing"]
        assert app.signer().key_id == 2
        assert scan_at_the_door(demo_db, old_code) == "ADMIT"
        await pilot.press("up", "x")                   # retire key #1
        await pilot.pause()
        assert isinstance(app.screen, Confirm)
        await pilot.press("y")
        await pilot.pause()
        assert "Key #1 retired" in text_of(app, "#info")
        # the last signing key cannot be retired: refused on screen, nothing changed
        await pilot.press("down", "x", "y")
        await pilot.pause()
        assert "Not done" in text_of(app, "#info")
        # the gate's public keys, for devices that work offline
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, AskText)
        target = tmp_path / "gate-keys.json"
        await pilot.press("ctrl+u", *str(target), "enter")
        await pilot.pause()
        assert "1 public key(s) written" in text_of(app, "#info")
    assert [key.status for key in keys.list_keys(demo_db)] == ["retired", "signing"]
    assert sorted(json.loads(target.read_text())) == ["2"]
    gia = user(demo_db, "gia")
    assert gia.role == "gate"
    second = checkin.scan(demo_db, checkin.open_gate(demo_db, gia, hall_performance(demo_db),
                                                     "South", zone=ZONE),
                          old_code, now=day_at(1, "19:01", ZONE))
    assert second.code != "ADMIT"


async def test_a_coordinator_may_not_rotate_keys(demo_db: Database, tmp_path: Path) -> None:
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        app.signer()
        await sign_in(pilot, "cora", "3333")
        await open_section(pilot, "gate")
        await pilot.press("tab", "r")
        await pilot.pause()
        assert isinstance(app.screen, GateAdminScreen)     # no question asked
        assert "needs the 'user_admin' permission" in text_of(app, "#info")
    assert [key.key_id for key in keys.list_keys(demo_db)] == [1]
