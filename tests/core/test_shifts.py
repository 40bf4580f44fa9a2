"""Shifts: float, payments in a shift, drops and paid-outs, the X report, the blind count,
sign-off, and gapless immutable Z reports."""

from __future__ import annotations

import random
from dataclasses import fields
from datetime import timedelta

import pytest

from core.config import ShiftsConfig
from core.errors import BoxOfficeError
from core.people.models import User
from core.people.permissions import Override, PermissionDenied
from core.sales import aftersale, carts, checkout, orders
from core.sales.models import Order
from core.sales.tenders import Tender
from core.store import journal
from core.store.db import Database, integrity_errors
from core.till import models, shifts
from core.till.figures import x_rows
from core.till.shifts import ShiftError
from tests.support.constants import FIXED_NOW, FIXTURES, REPO, ZONE
from tests.support.selling_helpers import FLOAT, HOLD, STATION, cart_with, hall_performance, user

NOW = FIXED_NOW
FLOAT_CENTS = 8000
DENOMINATIONS = ShiftsConfig().denominations


def counts_for(cents: int) -> dict[int, int]:
    """Cash of `cents` by denomination, largest first (as a drawer is counted)."""
    result = {}
    for note in DENOMINATIONS:
        result[note], cents = divmod(cents, note)
    assert cents == 0
    return {k: v for k, v in result.items() if v}


def sell_cash(db: Database, actor: User, show: int, labels: list[str], *,
              tender: str = "cash") -> Order:
    cart_id = cart_with(db, actor, show, labels, NOW)
    total = carts.view_cart(db, cart_id).total_cents
    pay = (Tender("cash", total, tendered_cents=total) if tender == "cash" else
           Tender("card", total, card_brand="VISA", card_last4="4242", approval_code="A1")
           if tender == "card" else Tender("check", total, check_number="1001"))
    return checkout.checkout(db, actor, cart_id, [pay], station=STATION, now=NOW)


def test_a_shift_opens_with_a_counted_float_one_per_user_and_station(
    bare_demo_db: Database,
) -> None:
    db = bare_demo_db
    sam, cora, gia = user(db, "sam"), user(db, "cora"), user(db, "gia")
    shift = shifts.open_shift(db, sam, station=STATION, float_counts=FLOAT, now=NOW)
    assert shift.float_cents == FLOAT_CENTS and shift.status == "open"
    assert shift.float_counts == FLOAT
    assert shifts.current_shift(db, sam.id) == shift
    assert shifts.current_shift(db, sam.id, "window-9") is None
    with pytest.raises(ShiftError) as again:
        shifts.open_shift(db, sam, station="window-2", float_counts=FLOAT, now=NOW)
    assert again.value.code == "shift_open"
    with pytest.raises(ShiftError) as busy:
        shifts.open_shift(db, cora, station=STATION, float_counts=FLOAT, now=NOW)
    assert busy.value.code == "station_busy"
    with pytest.raises(ShiftError) as odd:
        shifts.open_shift(db, cora, station="window-2", float_counts={300: 1}, now=NOW)
    assert odd.value.code == "bad_denomination"
    with pytest.raises(PermissionDenied):   # a gate user takes no money
        shifts.open_shift(db, gia, station="window-3", float_counts={}, now=NOW)
    entry = db.execute("SELECT action, data FROM journal WHERE subject = ?",
                       [f"shift:{shift.id}"]).fetchall()
    assert entry[0][0] == "shift.open" and '"float_cents":8000' in entry[0][1]


def test_money_without_an_open_shift_is_refused_and_nothing_is_written(
    bare_demo_db: Database,
) -> None:
    db = bare_demo_db
    sam = user(db, "sam")
    show = hall_performance(db)
    cart_id = cart_with(db, sam, show, ["ORCH-A-101"], NOW)
    before = db.execute("SELECT count(*) FROM orders").fetchone()[0]
    with pytest.raises(BoxOfficeError) as caught:
        checkout.checkout(db, sam, cart_id, [Tender("cash", 13824)], station=STATION, now=NOW)
    assert caught.value.code == "no_open_shift"
    assert "Open a shift" in caught.value.message
    assert db.execute("SELECT count(*) FROM orders").fetchone()[0] == before
    shift = shifts.open_shift(db, sam, station=STATION, float_counts=FLOAT, now=NOW)
    order = checkout.checkout(db, sam, cart_id, [Tender("cash", 13824)], station=STATION,
                            now=NOW)
    assert db.execute("SELECT shift_id FROM payments WHERE order_id = ?",
                      [order.id]).fetchall() == [(shift.id,)]


def test_the_database_refuses_a_payment_outside_an_open_shift(bare_demo_db: Database) -> None:
    db = bare_demo_db
    sam = user(db, "sam")
    with pytest.raises(integrity_errors(), match="open shift"):
        db.execute("INSERT INTO payments (order_id, tender, amount_cents, status, user_id, "
                   "station, created_at) VALUES (1, 'cash', 100, 'approved', ?, 'x', 'now')",
                   [sam.id])


def test_the_count_is_blind_until_it_is_submitted(bare_demo_db: Database) -> None:
    db = bare_demo_db
    sam, cora = user(db, "sam"), user(db, "cora")
    shift = shifts.open_shift(db, sam, station=STATION, float_counts=FLOAT, now=NOW)
    sell_cash(db, sam, hall_performance(db), ["ORCH-A-101"])
    shifts.cash_drop(db, sam, shift.id, 5000, reason="to the safe", now=NOW)
    # nothing a seller's screen reads tells the expected cash of an uncounted shift
    assert not any("expected" in f.name for f in fields(models.Shift))
    for viewer in (None, sam):
        report = shifts.x_report(db, shift.id, NOW, viewer=viewer)
        assert report.blind and report.payments == 1
        # the seller's X report: sales by tender, refunds and drops, no expected amount
        rows = dict(x_rows(report, ZONE))
        assert not any("Expected" in label for label in rows)
        assert rows["Drops"] == "-50.00" and "Float" not in rows
        assert any(label.startswith("Cash") for label in rows)
    with pytest.raises(ShiftError) as early:
        shifts.count_result(db, shift.id)
    assert early.value.code == "not_counted"
    # a paid-out larger than the drawer holds is not refused: a refusal would tell
    shifts.paid_out(db, sam, shift.id, 500_000, reason="test of the blind rule", now=NOW,
                    override=Override("cora", "3333"))
    # a supervisor's X report shows the figures
    supervised = shifts.x_report(db, shift.id, NOW, viewer=cora)
    assert supervised.figures is not None
    expected = FLOAT_CENTS + 13824 - 5000 - 500_000
    assert supervised.figures.expected_cash_cents == expected
    result = shifts.submit_count(db, sam, shift.id, cash_counts=counts_for(8824),
                                 checks_cents=0, card_slips_cents=0, now=NOW)
    assert result.line("cash").expected_cents == expected
    assert result.line("cash").over_short_cents == 8824 - expected
    assert shifts.x_report(db, shift.id, NOW, viewer=sam).figures is not None
    with pytest.raises(ShiftError) as twice:
        shifts.submit_count(db, sam, shift.id, cash_counts={}, checks_cents=0,
                            card_slips_cents=0, now=NOW)
    assert twice.value.code == "already_counted"


def test_over_tolerance_needs_another_coordinators_sign_off(bare_demo_db: Database) -> None:
    db = bare_demo_db
    sam, cora, ada = user(db, "sam"), user(db, "cora"), user(db, "ada")
    shift = shifts.open_shift(db, sam, station=STATION, float_counts=FLOAT, now=NOW)
    sell_cash(db, sam, hall_performance(db), ["ORCH-A-101"])
    # $10.00 short on cash, the card slips right: more than the $5.00 tolerance
    result = shifts.submit_count(db, sam, shift.id, cash_counts=counts_for(
        FLOAT_CENTS + 13824 - 1000), checks_cents=0, card_slips_cents=0, now=NOW)
    assert result.over_short_cents == -1000 and result.needs_signoff
    with pytest.raises(ShiftError) as refused:
        shifts.close_shift(db, sam, shift.id, now=NOW)
    assert refused.value.code == "signoff_required"
    with pytest.raises(PermissionDenied):
        shifts.sign_off(db, sam, shift.id, note="dropped a note", now=NOW)
    with pytest.raises(ShiftError) as no_note:
        shifts.sign_off(db, cora, shift.id, note="  ", now=NOW)
    assert no_note.value.code == "reason_required"
    shifts.sign_off(db, cora, shift.id, note="a $10 note found under the drawer later",
                    now=NOW)
    z = shifts.close_shift(db, sam, shift.id, now=NOW + timedelta(minutes=5))
    assert z.z_number == 1 and z.figures["over_short_cents"] == -1000
    assert z.figures["signed_off_by"] == "cora"
    # a coordinator's own shift is signed off by someone else
    own = shifts.open_shift(db, cora, station="window-2", float_counts=FLOAT, now=NOW)
    shifts.submit_count(db, cora, own.id, cash_counts={}, checks_cents=0,
                        card_slips_cents=0, now=NOW)
    with pytest.raises(ShiftError) as mine:
        shifts.sign_off(db, cora, own.id, note="my own", now=NOW)
    assert mine.value.code == "own_shift"
    shifts.sign_off(db, ada, own.id, note="float missing, see incident 12", now=NOW)
    assert shifts.close_shift(db, cora, own.id, now=NOW).z_number == 2


def test_a_pending_card_answer_blocks_the_count(bare_demo_db: Database) -> None:
    db = bare_demo_db
    sam = user(db, "sam")
    shift = shifts.open_shift(db, sam, station=STATION, float_counts=FLOAT, now=NOW)
    cart_id = cart_with(db, sam, hall_performance(db), ["ORCH-A-101"], NOW)
    order = checkout.checkout(db, sam, cart_id, [Tender("card", 13824, card_brand="VISA",
                                                      card_last4="4242", status="unknown")],
                            station=STATION, now=NOW)
    with pytest.raises(ShiftError) as pending:
        shifts.submit_count(db, sam, shift.id, cash_counts=FLOAT, checks_cents=0,
                            card_slips_cents=0, now=NOW)
    assert pending.value.code == "card_pending"
    checkout.resolve_card_payment(db, user(db, "cora"), order.payments[0].id, approved=True,
                                approval_code="OK1", station=STATION, now=NOW, hold=HOLD)
    result = shifts.submit_count(db, sam, shift.id, cash_counts=FLOAT, checks_cents=0,
                                 card_slips_cents=13824, now=NOW)
    assert [line.over_short_cents for line in result.lines] == [0, 0, 0]


def test_a_closed_shift_and_its_z_report_cannot_change(bare_demo_db: Database) -> None:
    db = bare_demo_db
    sam = user(db, "sam")
    shift = shifts.open_shift(db, sam, station=STATION, float_counts=FLOAT, now=NOW)
    order = sell_cash(db, sam, hall_performance(db), ["ORCH-A-101"])
    shifts.submit_count(db, sam, shift.id, cash_counts=counts_for(FLOAT_CENTS + 13824),
                        checks_cents=0, card_slips_cents=0, now=NOW)
    z = shifts.close_shift(db, sam, shift.id, now=NOW)
    head = db.execute("SELECT hash FROM journal WHERE action = 'shift.count' AND "
                      "subject = ?", [f"shift:{shift.id}"]).fetchone()[0]
    assert z.journal_hash == head   # the chain's head at the close is pinned on the Z
    for statement in ("UPDATE z_reports SET figures = '{}'", "DELETE FROM z_reports",
                      "UPDATE shifts SET float_cents = 0 WHERE id = 1",
                      "DELETE FROM shifts",
                      f"UPDATE payments SET amount_cents = 1 WHERE order_id = {order.id}",
                      "INSERT INTO z_reports (z_number, shift_id, closed_at, closed_by, "
                      "figures, journal_hash) VALUES (5, 1, 'x', 1, '{}', 'x')"):
        with pytest.raises(integrity_errors()):
            db.execute(statement)
    with pytest.raises(ShiftError) as closed:
        shifts.close_shift(db, sam, shift.id, now=NOW)
    assert closed.value.code == "already_closed"
    # a refund after the close is money of the refunder's open shift, never of the Z
    with pytest.raises(BoxOfficeError) as no_shift:
        aftersale.refund(db, user(db, "cora"), order.id, reason="ill", station=STATION,
                      now=NOW)
    assert no_shift.value.code == "no_open_shift"
    assert shifts.get_z_report(db, 1) == z
    assert journal.verify(db).ok


def test_only_the_seller_or_a_supervisor_handles_a_shift(bare_demo_db: Database) -> None:
    db = bare_demo_db
    sam, ada = user(db, "sam"), user(db, "ada")
    shifts.open_shift(db, sam, station=STATION, float_counts=FLOAT, now=NOW)
    mine = shifts.open_shift(db, ada, station="window-2", float_counts=FLOAT, now=NOW)
    with pytest.raises(PermissionDenied):
        shifts.cash_drop(db, sam, mine.id, 100, reason="not my drawer", now=NOW)
    with pytest.raises(PermissionDenied):
        shifts.submit_count(db, sam, mine.id, cash_counts={}, checks_cents=0,
                            card_slips_cents=0, now=NOW)
    with pytest.raises(ShiftError) as reason:
        shifts.cash_drop(db, ada, mine.id, 100, reason=" ", now=NOW)
    assert reason.value.code == "reason_required"


def _model_sequence(db: Database, seed: int, rounds: int = 3) -> None:
    """Random sales (cash, card, check), refunds, voids, drops and paid-outs by a
    coordinator; after each round the count equals the model exactly, and Z numbers run
    1, 2, 3, ..."""
    rng = random.Random(seed)
    cora = user(db, "cora")
    show = hall_performance(db)
    for round_number in range(1, rounds + 1):
        float_counts = {2000: rng.randint(0, 5), 100: rng.randint(0, 30), 25: rng.randint(0, 8)}
        shift = shifts.open_shift(db, cora, station=STATION, float_counts=float_counts,
                                  now=NOW)
        model = {"cash": sum(k * v for k, v in float_counts.items()), "check": 0, "card": 0}
        sold: list[tuple[int, str]] = []    # (order id, tender) with live tickets
        for _ in range(rng.randint(8, 20)):
            step = rng.choice(["sell", "sell", "sell", "refund", "void", "drop", "paid_out"])
            if step == "sell":
                tender = rng.choice(["cash", "cash", "card", "check"])
                cart_id = carts.open_cart(db, cora, STATION, NOW, HOLD)
                try:
                    cart = carts.add_best_available(db, cora, cart_id, show,
                                                    rng.randint(1, 3), "ADULT", NOW, HOLD)
                except BoxOfficeError:
                    carts.cancel_cart(db, cora, cart_id, NOW)
                    continue
                total = cart.total_cents
                pay = {"cash": Tender("cash", total, tendered_cents=total + rng.randint(0, 999)),
                       "card": Tender("card", total, card_brand="VISA", card_last4="1111",
                                      approval_code="OK"),
                       "check": Tender("check", total, check_number="77")}[tender]
                order = checkout.checkout(db, cora, cart_id, [pay], station=STATION, now=NOW)
                model[tender] += total
                sold.append((order.id, tender))
            elif step in ("refund", "void") and sold:
                order_id, tender = rng.choice(sold)
                order = orders.get_order(db, order_id)
                live = [t for t in order.tickets if t.status == "live"]
                if step == "refund" and live:
                    chosen = rng.sample(live, rng.randint(1, len(live)))
                    aftersale.refund(db, cora, order_id, reason="ill", station=STATION, now=NOW,
                                  ticket_ids=[t.id for t in chosen])
                    model[tender] -= sum(t.base_cents + t.fee_cents + t.tax_cents
                                         for t in chosen)
                elif step == "void" and order.status == "complete":
                    aftersale.void(db, cora, order_id, reason="wrong night", station=STATION,
                                now=NOW, zone=ZONE)
                    model[tender] -= order.paid_cents
                    sold.remove((order_id, tender))
            elif step == "drop":
                amount = rng.randint(1, 20000)
                shifts.cash_drop(db, cora, shift.id, amount, reason="safe", now=NOW)
                model["cash"] -= amount
            elif step == "paid_out":
                amount = rng.randint(1, 3000)
                shifts.paid_out(db, cora, shift.id, amount, reason="runner", now=NOW)
                model["cash"] -= amount
        figures = shifts.x_report(db, shift.id, NOW, viewer=cora).figures
        assert figures is not None
        assert figures.expected_cash_cents == model["cash"], seed
        assert figures.expected_checks_cents == model["check"]
        assert figures.expected_card_cents == model["card"]
        cash_counted = max(model["cash"], 0)
        result = shifts.submit_count(db, cora, shift.id, cash_counts=counts_for(cash_counted),
                                     checks_cents=model["check"],
                                     card_slips_cents=model["card"], now=NOW)
        assert [line.over_short_cents for line in result.lines] == [
            cash_counted - model["cash"], 0, 0]
        if result.needs_signoff:
            shifts.sign_off(db, user(db, "ada"), shift.id, note="drawer ran negative",
                            now=NOW)
        z = shifts.close_shift(db, cora, shift.id, now=NOW)
        assert z.z_number == round_number
        assert z.figures["count"][0]["expected_cents"] == model["cash"]
    numbers = [row[0] for row in db.execute("SELECT z_number FROM z_reports ORDER BY 1")]
    assert numbers == list(range(1, rounds + 1))
    assert journal.verify(db).ok


@pytest.mark.parametrize("seed", range(4))
def test_random_sequences_keep_expected_cash_equal_to_float_plus_in_minus_out(
        bare_demo_db: Database, seed: int) -> None:
    _model_sequence(bare_demo_db, seed)


def test_denominations_come_from_the_config() -> None:
    from core.config import Config

    assert shifts.denominations(Config()) == DENOMINATIONS
    assert shifts.denominations(ShiftsConfig(denominations=(500, 100))) == (500, 100)


@pytest.mark.parametrize(("name", "key", "expected"), [
    ("bad-denominations.toml", "denominations", "positive amounts in cents"),
    ("denominations-as-strings.toml", "denominations", "must be a list of integers"),
    ("bad-tolerance.toml", "over_short_tolerance_cents", "must be an integer"),
    ("bad-card-amount-unit.toml", "amount_unit", "\"units\" or \"cents\""),
    ("unknown-card-key.toml", "amount_colum", "expected one of"),
])
def test_a_bad_closeout_config_names_the_file_the_key_and_what_was_expected(
        name: str, key: str, expected: str) -> None:

    from core.config import load_config
    from core.errors import ConfigError

    with pytest.raises(ConfigError) as caught:
        load_config(FIXTURES / "config" / name)
    assert name in caught.value.message and key in caught.value.message
    assert expected in caught.value.message


def test_the_shipped_config_states_the_closeout_defaults() -> None:

    from core.config import Config, load_config

    shipped = load_config(REPO / "config.toml")
    assert shipped.shifts == Config().shifts
    assert shipped.card_reconciliation == Config().card_reconciliation
