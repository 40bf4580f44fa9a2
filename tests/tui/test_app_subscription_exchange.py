"""A subscriber's exchange at the window, 80x24, keyboard only: the coordinator sets the
package's exchange fee ($ on Subscriptions); on the subscription's order, x on a ticket
chooses another performance of the series, a taken seat brings the form back naming it,
the fee is paid, and the new ticket stays the subscription's. A seller without the
exchange permission needs a supervisor first; Esc at the payment changes nothing."""

from __future__ import annotations

from pathlib import Path

from core.sales import carts, orders, subscriptions
from core.sales.subscriptions import NewSubscriber
from core.sales.tenders import Tender
from core.store.db import Database
from core.venue.series import Package, Series
from tests.support.app_helpers import fill, make_app, pay_cash_in_full, sign_in, text_of
from tests.support.constants import FIXED_NOW
from tests.support.selling_helpers import HOLD, STATION, user
from tests.support.subscription_helpers import hall_series
from tests.tui.test_app_subscriptions import open_subscriptions
from tui.screens.admin_base import FormModal
from tui.screens.dialogs import SupervisorOverride
from tui.screens.order_detail import OrderDetailScreen
from tui.screens.payment import PaymentModal
from tui.screens.sell_dialogs import Choose


def subscribed(db: Database) -> tuple[Series, Package, int]:
    made, package = hall_series(db, 2)
    sam = user(db, "sam")
    cart_id = carts.open_cart(db, sam, STATION, FIXED_NOW, HOLD)
    cart = subscriptions.add_package_seats(db, sam, cart_id, package.id, "ORCH-A-101",
                                           "ADULT", FIXED_NOW, HOLD)
    order, _ = subscriptions.sell_subscription(
        db, sam, cart_id, [Tender("cash", cart.total_cents)],
        customer_id=NewSubscriber("Jane Subscriber"), station=STATION, now=FIXED_NOW)
    return made, package, order.id


def open_carts(db: Database) -> int:
    return int(db.execute("SELECT count(*) FROM carts WHERE status = 'open'").fetchone()[0])


async def test_a_subscriber_exchanges_a_performance_for_the_package_fee(
        demo_db: Database, tmp_path: Path) -> None:
    made, _, order_id = subscribed(demo_db)
    first, second = made.performance_ids
    before = orders.get_order(demo_db, order_id)
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "cora", "3333")
        await open_subscriptions(pilot, app)
        await pilot.press("dollar_sign")
        await pilot.pause()
        await fill(pilot, "A", "ADULT", "300.00", "", "10.00")
        assert "exchange fee 10.00" in text_of(app, "#info")
        assert "Exchange fee 10.00" in text_of(app, "#prices")
        app.show_order(order_id)
        await pilot.pause()
        assert isinstance(app.screen, OrderDetailScreen)
        await pilot.press("x")                     # the highlighted ticket: the first night
        await pilot.pause()
        assert isinstance(app.screen, Choose)
        await pilot.press("down", "enter")         # to the second night
        await pilot.pause()
        assert isinstance(app.screen, FormModal)
        # their own seat at the second night is theirs already: the form comes back
        await fill(pilot, str(second), "ORCH-A-101", "away that week")
        assert isinstance(app.screen, FormModal)
        assert "ORCH A-101" in text_of(app, "#form-problem")
        assert open_carts(demo_db) == 0
        await fill(pilot, str(second), "ORCH-A-110", "away that week")
        assert isinstance(app.screen, PaymentModal)
        # Esc at the payment lets the seat go and changes nothing
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, OrderDetailScreen)
        assert open_carts(demo_db) == 0
        assert orders.get_order(demo_db, order_id) == before
        await pilot.press("x")
        await pilot.pause()
        await pilot.press("down", "enter")
        await pilot.pause()
        await fill(pilot, str(second), "ORCH-A-110", "away that week")
        await pay_cash_in_full(pilot)
    after = orders.get_order(demo_db, order_id)
    assert after.value_cents == before.value_cents + 1000
    assert after.paid_cents == before.paid_cents + 1000
    states = sorted((t.performance_id, t.label, t.status) for t in after.tickets)
    assert states == [(first, "ORCH A-101", "exchanged"), (second, "ORCH A-101", "live"),
                      (second, "ORCH A-110", "live")]
    assert subscriptions.list_subscriptions(demo_db)[0].live_tickets == 2


async def test_a_seller_needs_a_supervisor_to_exchange(demo_db: Database,
                                                        tmp_path: Path) -> None:
    _, _, order_id = subscribed(demo_db)
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "sam", "1111")
        app.show_order(order_id)
        await pilot.pause()
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, SupervisorOverride)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, OrderDetailScreen)
    assert all(t.status == "live" for t in orders.get_order(demo_db, order_id).tickets)
