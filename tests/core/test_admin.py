"""Administration in core: users, grants, events and performances, prices, hold codes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from core.config import PricingConfig
from core.errors import BoxOfficeError, NotFound
from core.people import accounts, users
from core.people.permissions import (
    PermissionDenied,
    grant,
    has_permission,
    permission_matrix,
    revoke,
)
from core.people.users import LoginFailed, authenticate
from core.sales import carts, checkout
from core.sales.tenders import Tender
from core.store import journal
from core.store.db import Database
from core.venue import inventory, performances, pricing
from tests.support.constants import FIXED_NOW
from tests.support.selling_helpers import HOLD, STATION, cart_with, hall_performance, seat, user

NOW = FIXED_NOW


def _actions(db: Database) -> list[str]:
    return [row[0] for row in db.execute("SELECT action FROM journal ORDER BY id")]


# --- users -------------------------------------------------------------------------------

def test_the_first_admin_needs_nobody_and_only_once(db: Database) -> None:
    ada = accounts.create_first_admin(db, "ada", "Ada", "4444")
    assert ada.role == "admin"
    with pytest.raises(BoxOfficeError) as again:
        accounts.create_first_admin(db, "eve", "Eve", "9999")
    assert again.value.code == "users_exist"


def test_only_a_user_admin_creates_users(demo_db: Database) -> None:
    with pytest.raises(PermissionDenied):
        accounts.create_user(demo_db, user(demo_db, "cora"), "x", "X", "seller", "1234")
    made = accounts.create_user(demo_db, user(demo_db, "ada"), "xena", "Xena", "seller", "1234")
    assert authenticate(demo_db, "xena", "1234").id == made.id
    with pytest.raises(BoxOfficeError) as taken:
        accounts.create_user(demo_db, user(demo_db, "ada"), "xena", "X2", "seller", "1234")
    assert taken.value.code == "user_exists"


def test_role_change_reset_pin_and_deactivation_are_journaled(demo_db: Database) -> None:
    ada = user(demo_db, "ada")
    accounts.change_role(demo_db, ada, "sam", "coordinator")
    assert user(demo_db, "sam").role == "coordinator"
    for _ in range(5):
        with pytest.raises(LoginFailed):
            authenticate(demo_db, "sam", "0000")
    accounts.reset_pin(demo_db, ada, "sam", "8888")            # also unlocks
    assert authenticate(demo_db, "sam", "8888").role == "coordinator"
    accounts.deactivate_user(demo_db, ada, "sam")
    with pytest.raises(LoginFailed):
        authenticate(demo_db, "sam", "8888")
    assert [u.username for u in users.list_users(demo_db, include_inactive=True)
            if not u.active] == ["sam"]
    accounts.reactivate_user(demo_db, ada, "sam")
    assert authenticate(demo_db, "sam", "8888").username == "sam"
    actions = _actions(demo_db)
    for action in ("user.role", "user.reset_pin", "user.deactivate", "user.reactivate",
                   "login.locked", "login.failed", "login"):
        assert action in actions
    assert journal.verify(demo_db).ok


def test_a_user_changes_their_own_pin(demo_db: Database) -> None:
    with pytest.raises(LoginFailed):
        users.change_pin(demo_db, "sam", "0000", "7777")
    users.change_pin(demo_db, "sam", "1111", "7777")
    assert authenticate(demo_db, "sam", "7777").username == "sam"


def test_the_last_user_admin_cannot_be_removed(demo_db: Database) -> None:
    ada = user(demo_db, "ada")
    for attempt in (lambda: revoke(demo_db, ada, "admin", "user_admin"),
                    lambda: accounts.change_role(demo_db, ada, "ada", "coordinator"),
                    lambda: accounts.deactivate_user(demo_db, ada, "ada")):
        with pytest.raises(PermissionDenied) as refused:
            attempt()
        assert refused.value.code == "last_user_admin"
    assert has_permission(demo_db, "admin", "user_admin") and user(demo_db, "ada").role == "admin"
    # with a second administrator, the first may step down
    accounts.change_role(demo_db, ada, "cora", "admin")
    accounts.change_role(demo_db, ada, "ada", "seller")
    assert user(demo_db, "ada").role == "seller"


# --- grants ------------------------------------------------------------------------------

def test_grants_need_user_admin_refuse_unknown_names_and_are_journaled(demo_db: Database) -> None:
    ada, cora = user(demo_db, "ada"), user(demo_db, "cora")
    with pytest.raises(PermissionDenied) as denied:
        grant(demo_db, cora, "seller", "refund")
    assert denied.value.code == "permission_denied"
    for role, permission, code in (("usher", "refund", "unknown_role"),
                                   ("seller", "teleport", "unknown_permission")):
        with pytest.raises(PermissionDenied) as unknown:
            grant(demo_db, ada, role, permission)
        assert unknown.value.code == code
    assert grant(demo_db, ada, "seller", "refund") is True
    assert grant(demo_db, ada, "seller", "refund") is False            # already had it
    assert permission_matrix(demo_db).allows("seller", "refund")
    assert revoke(demo_db, ada, "seller", "refund") is True
    assert not permission_matrix(demo_db).allows("seller", "refund")
    rows = demo_db.execute("SELECT actor, action, subject, data FROM journal WHERE action "
                           "LIKE 'permission.%' ORDER BY id").fetchall()
    assert [tuple(r[:3]) for r in rows] == [("ada", "permission.grant", "role:seller"),
                                            ("ada", "permission.revoke", "role:seller")]


def test_a_lock_denies_even_a_granted_permission(demo_db: Database) -> None:
    for _ in range(5):
        with pytest.raises(LoginFailed):
            authenticate(demo_db, "cora", "0000")
    with pytest.raises(PermissionDenied):
        performances.create_event(demo_db, user(demo_db, "cora"), "Tosca")


# --- performances ------------------------------------------------------------------------

def test_copy_a_performance_with_its_prices_holds_and_kills(demo_db: Database) -> None:
    cora, show = user(demo_db, "cora"), hall_performance(demo_db)
    inventory.hold_seats(demo_db, cora, show, [seat(demo_db, show, "ORCH-A-101")], "HOUSE", NOW)
    inventory.kill_seats(demo_db, cora, show, [seat(demo_db, show, "ORCH-A-102")], "camera",
                         NOW)
    original = performances.get_performance(demo_db, show)
    starts = original.starts_at + timedelta(days=7)
    copy = performances.copy_performance(demo_db, cora, show, starts)
    copied = performances.get_performance(demo_db, copy)
    assert (copied.event_id, copied.venue_id, copied.starts_at) == (
        original.event_id, original.venue_id, starts)
    assert original.doors_at and copied.doors_at == original.doors_at + timedelta(days=7)
    assert pricing.price_list(demo_db, copy) == [
        pricing.Price(copy, p.zone, p.price_type, p.base_cents, p.fee_cents,
                      p.tax_basis_points) for p in pricing.price_list(demo_db, show)]
    states = inventory.seat_states(demo_db, copy, NOW)
    assert states[seat(demo_db, copy, "ORCH-A-101")].hold_code == "HOUSE"
    assert states[seat(demo_db, copy, "ORCH-A-102")].state == "killed"
    assert len(states) == 2
    with pytest.raises(PermissionDenied):
        performances.copy_performance(demo_db, user(demo_db, "sam"), show, starts)


def test_selling_outside_the_on_sale_window_or_after_a_cancel_is_refused(demo_db: Database) -> None:
    cora, sam, show = user(demo_db, "cora"), user(demo_db, "sam"), hall_performance(demo_db)
    performances.set_on_sale_window(demo_db, cora, show, NOW + timedelta(days=1), None)
    cart_id = carts.open_cart(demo_db, sam, STATION, NOW, HOLD)
    with pytest.raises(performances.NotOnSale) as early:
        carts.add_seats(demo_db, sam, cart_id, show, [seat(demo_db, show, "ORCH-C-101")],
                        "ADULT", NOW, HOLD)
    assert early.value.code == "not_on_sale_yet"
    performances.set_on_sale_window(demo_db, cora, show, None, NOW)
    with pytest.raises(performances.NotOnSale) as late:
        carts.add_seats(demo_db, sam, cart_id, show, [seat(demo_db, show, "ORCH-C-101")],
                        "ADULT", NOW, HOLD)
    assert late.value.code == "off_sale"
    performances.set_on_sale_window(demo_db, cora, show, None, None)
    cart_with(demo_db, sam, show, ["ORCH-C-101"], NOW)                 # on sale again
    with pytest.raises(BoxOfficeError) as backwards:
        performances.set_on_sale_window(demo_db, cora, show, NOW, NOW - timedelta(hours=1))
    assert backwards.value.code == "bad_window"

    assert performances.cancel_performance(demo_db, cora, show, reason="tenor ill") == 0
    assert performances.get_performance(demo_db, show).status == "cancelled"
    with pytest.raises(performances.NotOnSale) as cancelled:
        cart_with(demo_db, sam, show, ["ORCH-C-102"], NOW)
    assert cancelled.value.code == "performance_cancelled"
    with pytest.raises(BoxOfficeError) as twice:
        performances.cancel_performance(demo_db, cora, show, reason="again")
    assert twice.value.code == "already_cancelled"
    assert {"performance.on_sale", "performance.cancel"} <= set(_actions(demo_db))


# --- prices and holds --------------------------------------------------------------------

def test_the_price_grid_reads_and_writes_all_or_nothing(demo_db: Database) -> None:
    cora, show = user(demo_db, "cora"), hall_performance(demo_db)
    grid = pricing.price_grid(demo_db, show)
    assert [z for z, _ in grid.zones] == ["A", "B", "C", "D", "E", "F"]
    assert [t for t, _ in grid.price_types][:2] == ["ADULT", "CHILD"]
    assert grid.get("A", "adult") is not None and grid.get("A", "ADULT").base_cents == 12500
    with pytest.raises(NotFound):   # one bad cell: nothing changes
        pricing.set_price_grid(demo_db, cora, show, {
            ("A", "ADULT"): pricing.PriceCell(13000), ("Z", "ADULT"): pricing.PriceCell(1)},
            defaults=PricingConfig())
    assert pricing.price_grid(demo_db, show).get("A", "ADULT").base_cents == 12500
    after = pricing.set_price_grid(demo_db, cora, show, {
        ("A", "ADULT"): pricing.PriceCell(13000, fee_cents=400, tax_basis_points=0),
        ("B", "CHILD"): None}, defaults=PricingConfig())
    assert after.get("A", "ADULT").total_cents == 13400 and after.get("B", "CHILD") is None
    with pytest.raises(PermissionDenied):
        pricing.set_price_grid(demo_db, user(demo_db, "sam"), show, {},
                               defaults=PricingConfig())


def test_hold_codes_are_listed_created_and_removed(demo_db: Database) -> None:
    cora, show = user(demo_db, "cora"), hall_performance(demo_db)
    assert [h.code for h in inventory.list_hold_codes(demo_db)] == [
        "HOUSE", "PRESS", "PROD", "WHEEL"]
    for bad, code in ((dict(code="two words"), "bad_hold_code"),
                      (dict(code="VIP", sell_roles=["usher"]), "unknown_role")):
        args: dict[str, Any] = {"code": "VIP", "sell_roles": ["coordinator"], **bad}
        with pytest.raises(BoxOfficeError) as refused:
            inventory.create_hold_code(demo_db, cora, args["code"], "VIP", "red",
                                       sell_roles=args["sell_roles"], release_roles=["admin"])
        assert refused.value.code == code
    inventory.create_hold_code(demo_db, cora, "VIP", "Sponsors", "red",
                               sell_roles=["coordinator"], release_roles=["coordinator"])
    vip = seat(demo_db, show, "ORCH-D-101")
    inventory.hold_seats(demo_db, cora, show, [vip], "VIP", NOW)
    with pytest.raises(BoxOfficeError) as busy:
        inventory.delete_hold_code(demo_db, cora, "VIP")
    assert busy.value.code == "hold_in_use"
    inventory.release_seats(demo_db, cora, show, [vip], NOW)
    inventory.delete_hold_code(demo_db, cora, "VIP")
    assert "VIP" not in [h.code for h in inventory.list_hold_codes(demo_db)]
    with pytest.raises(NotFound):
        inventory.hold_seats(demo_db, cora, show, [vip], "VIP", NOW)
    with pytest.raises(PermissionDenied):
        inventory.delete_hold_code(demo_db, user(demo_db, "sam"), "PRESS")


def test_prices_cannot_change_under_a_pending_card_answer(demo_db: Database) -> None:
    cora = user(demo_db, "cora")
    show = hall_performance(demo_db)
    cart_id = cart_with(demo_db, cora, show, ["ORCH-F-101"], NOW)
    total = carts.view_cart(demo_db, cart_id).total_cents
    lost = Tender("card", total, card_brand="VISA", card_last4="0001", status="unknown")
    order = checkout.checkout(demo_db, cora, cart_id, [lost], station=STATION, now=NOW)
    with pytest.raises(BoxOfficeError) as caught:
        pricing.set_price(demo_db, cora, show, "A", "ADULT", 20000, defaults=PricingConfig())
    assert caught.value.code == "pending_orders"
    done = checkout.resolve_card_payment(demo_db, cora, order.payments[0].id, approved=True,
                                       approval_code="OK1", station=STATION, now=NOW,
                                       hold=HOLD)
    assert done.status == "complete" and done.balance_cents == 0
    pricing.set_price(demo_db, cora, show, "A", "ADULT", 20000, defaults=PricingConfig())
