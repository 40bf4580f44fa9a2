"""The demo as a newcomer meets it: a performance whose gate is open now, so a first scan
says ADMIT and a second ALREADY IN."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from core.admin.demo import build_demo
from core.gate import keys
from core.gate.checkin import open_gate, scan
from core.sales import carts, checkout, orders
from core.sales.tenders import Tender
from core.store.schema import open_database
from core.till import shifts
from tests.support.constants import FIXED_NOW, ZONE
from tests.support.selling_helpers import FLOAT, HOLD, seat, user


def test_the_demo_has_a_performance_whose_gate_is_open_now(tmp_path: Path) -> None:
    db = open_database(tmp_path / "demo.db")
    now = FIXED_NOW + timedelta(hours=5, minutes=7)      # any time of day
    assert build_demo(db, now=now, zone=ZONE, gate_open_now=True)
    show_id, starts = db.execute(
        "SELECT p.id, p.starts_at FROM performances p JOIN events e ON e.id = p.event_id "
        "WHERE e.name LIKE '%rehearsal%'").fetchone()
    sam, gia = user(db, "sam"), user(db, "gia")
    shifts.open_shift(db, sam, station="window-1", float_counts=FLOAT, now=now)
    cart_id = carts.open_cart(db, sam, "window-1", now, HOLD)
    carts.add_seats(db, sam, cart_id, show_id, [seat(db, show_id, "ORCH-A-101")], "ADULT",
                    now, HOLD)
    total = carts.view_cart(db, cart_id).total_cents
    order = checkout.checkout(db, sam, cart_id, [Tender("cash", total, tendered_cents=total)],
                            station="window-1", now=now)
    keys.ensure_signing_key(db, tmp_path / "keys")
    code = orders.ticket_code(keys.load_signer(db, tmp_path / "keys"), order.tickets[0])
    gate = open_gate(db, gia, show_id, "North", zone=ZONE)
    first, again = scan(db, gate, code, now=now), scan(db, gate, code, now=now)
    assert (first.word, again.word) == ("ADMIT", "ALREADY IN")
    wait = datetime.fromisoformat(starts) - now
    assert timedelta(minutes=90) <= wait < timedelta(minutes=105)   # still to come
