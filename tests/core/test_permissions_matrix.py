"""Every protected action x every role, through the real core service: denied unless the
role is granted the permission. Editing the grants changes the outcome."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest

from core import report_model
from core.admin.demo import DEMO_USERS
from core.concessions import stock
from core.config import PricingConfig
from core.people import accounts
from core.people.models import DEFAULT_GRANTS, PERMISSIONS, PROTECTED_ACTIONS, User
from core.people.permissions import Override, PermissionDenied, grant, permission_matrix, revoke
from core.reports import catalogue
from core.sales import aftersale, carts, checkout, models
from core.sales.tenders import Tender
from core.store.db import Database
from core.till import drawer, shifts
from core.venue import inventory, performances, pricing
from tests.support.constants import FIXED_NOW, REPO, ZONE
from tests.support.selling_helpers import FLOAT, STATION, cart_with, hall_performance, seat, user

NOW = FIXED_NOW
PINS = {name: pin for name, _, _, pin in DEMO_USERS}
ROLE_USER = {role: name for name, _, role, _ in DEMO_USERS}   # seller -> sam, ...


@dataclass
class Stage:
    """What an action needs set up before the actor tries it."""

    db: Database
    show: int
    order: models.Order | None = None
    shift_id: int | None = None


def _sold_order(db: Database) -> models.Order:
    ada = user(db, "ada")
    show = hall_performance(db)
    cart_id = cart_with(db, ada, show, ["ORCH-M-101"], NOW)
    total = carts.view_cart(db, cart_id).total_cents
    return checkout.checkout(db, ada, cart_id, [Tender("cash", total)], station="window-1-ada",
                           now=NOW)


def _ensure_shift(db: Database, actor: User) -> None:
    """Money moves only in the mover's open shift: open one when the actor may sell."""
    if shifts.current_shift(db, actor.id) is None and actor.role != "gate":
        shifts.open_shift(db, actor, station=f"station-{actor.username}", float_counts=FLOAT,
                          now=NOW - timedelta(hours=1))


def _counted_shift(db: Database) -> int:
    sam = user(db, "sam")
    shift = shifts.current_shift(db, sam.id)
    assert shift is not None
    shifts.submit_count(db, sam, shift.id, cash_counts=FLOAT, checks_cents=0,
                        card_slips_cents=0, now=NOW)
    return shift.id


# Each action: (setup, attempt). The attempt raises PermissionDenied when refused.
def _refund(stage: Stage, actor: User) -> None:
    assert stage.order is not None
    _ensure_shift(stage.db, actor)
    aftersale.refund(stage.db, actor, stage.order.id, reason="test", station="x", now=NOW)


def _void(stage: Stage, actor: User) -> None:
    assert stage.order is not None
    _ensure_shift(stage.db, actor)
    aftersale.void(stage.db, actor, stage.order.id, reason="test", station="x", now=NOW,
                zone=ZONE)


def _comp(stage: Stage, actor: User) -> None:
    seller = user(stage.db, "sam")       # any seller's cart: the comp is the actor's call
    cart_id = cart_with(stage.db, seller, stage.show, ["ORCH-Q-101"], NOW, price_type="COMP")
    checkout.checkout(stage.db, actor, cart_id, [Tender("comp", 0, reason="press")],
                    station=STATION, now=NOW)


def _reprint(stage: Stage, actor: User) -> None:
    assert stage.order is not None
    aftersale.reprint(stage.db, actor, stage.order.tickets[0].id, reason="torn", now=NOW)


def _no_sale(stage: Stage, actor: User) -> None:
    drawer.record_no_sale(stage.db, actor, station=STATION, reason="change for a $50",
                          now=NOW)


def _hold(stage: Stage, actor: User) -> None:
    inventory.hold_seats(stage.db, actor, stage.show, [seat(stage.db, stage.show, "ORCH-B-101")],
                         "HOUSE", NOW)


def _kill(stage: Stage, actor: User) -> None:
    inventory.kill_seats(stage.db, actor, stage.show, [seat(stage.db, stage.show, "ORCH-B-102")],
                         "camera position", NOW)


def _price_change(stage: Stage, actor: User) -> None:
    pricing.set_price(stage.db, actor, stage.show, "A", "ADULT", 13000,
                      defaults=PricingConfig())


def _event_setup(stage: Stage, actor: User) -> None:
    performances.create_event(stage.db, actor, "Don Giovanni")


def _user_admin(stage: Stage, actor: User) -> None:
    accounts.create_user(stage.db, actor, "newbie", "New Seller", "seller", "5555")


def _report_access(stage: Stage, actor: User) -> None:
    catalogue.build_report(stage.db, actor, "sales", report_model.Scope(ZONE, NOW))
    # and a supervisor's X report of another seller's open shift shows its money figures
    # (without the permission they are withheld: the count stays blind)
    sam = user(stage.db, "sam")
    shift = shifts.current_shift(stage.db, sam.id)
    assert shift is not None
    assert shifts.x_report(stage.db, shift.id, NOW, viewer=actor).figures is not None


def _shift_signoff(stage: Stage, actor: User) -> None:
    assert stage.shift_id is not None
    shifts.sign_off(stage.db, actor, stage.shift_id, note="counted twice", now=NOW)


def _override(stage: Stage, actor: User) -> None:
    # a seller may not open the drawer without a sale; the actor approves it as supervisor
    drawer.record_no_sale(stage.db, user(stage.db, "sam"), station=STATION, reason="float",
                          now=NOW, override=Override(actor.username, PINS[actor.username]))


def _stock(stage: Stage, actor: User) -> None:
    stock.add_item(stage.db, actor, sku=f"POP-{actor.username}", name="Popcorn",
                   category="Snacks", price_cents=500, now=NOW)


def _stock_override(stage: Stage, actor: User) -> None:
    # a seller's cart; the actor sells one more than is on hand (none is)
    cart_id = carts.open_cart(stage.db, user(stage.db, "sam"), STATION, NOW,
                              timedelta(minutes=10))
    carts.set_goods(stage.db, actor, cart_id, "NONE", 1, NOW, allow_short=True)


ACTIONS: dict[str, Callable[[Stage, User], None]] = {
    "refund": _refund, "void": _void, "comp": _comp, "reprint": _reprint,
    "no_sale": _no_sale, "hold": _hold, "kill": _kill, "price_change": _price_change,
    "event_setup": _event_setup, "user_admin": _user_admin,
    "report_access": _report_access, "shift_signoff": _shift_signoff, "override": _override,
    "stock": _stock, "stock_override": _stock_override,
}


def _stage(db: Database, action: str) -> Stage:
    stage = Stage(db, hall_performance(db))
    if action in ("refund", "void", "reprint"):
        stage.order = _sold_order(db)
    if action == "shift_signoff":
        stage.shift_id = _counted_shift(db)
    scarf = db.execute("SELECT 1 FROM items WHERE sku = 'NONE'").fetchone()
    if action == "stock_override" and not scarf:
        stock.add_item(db, user(db, "ada"), sku="NONE", name="Sold-out scarf",
                       category="Merch", price_cents=2000, now=NOW)
    return stage


def _needs(action: str) -> tuple[str, ...]:
    """The permissions an action needs: a supervisor's override approves only what the
    supervisor may do themselves (here: no sale)."""
    if action == "stock_override":   # selling short is still selling
        return ("sell", "stock_override")
    return ("override", "no_sale") if action == "override" else (action,)


def _allowed(stage: Stage, action: str, actor: User) -> bool:
    """Whether the actor may do it; a refusal changes nothing, so the stage is reusable."""
    try:
        ACTIONS[action](stage, actor)
    except PermissionDenied:
        return False
    return True


def test_every_protected_action_has_a_driver() -> None:
    assert set(ACTIONS) == set(PROTECTED_ACTIONS)


def test_the_documented_defaults_are_the_seeded_ones() -> None:
    doc = (REPO / "docs" / "administration.md").read_text()
    rows = [line.split("|")[1:-1] for line in doc.splitlines() if line.startswith("| `")]
    documented = {cells[0].strip(" `*"): [c.strip() == "yes" for c in cells[1:5]]
                  for cells in rows if len(cells) == 5}
    assert documented == {p: [p in DEFAULT_GRANTS[r] for r in DEFAULT_GRANTS]
                          for p in PERMISSIONS}


@pytest.mark.parametrize("role", list(DEFAULT_GRANTS))
@pytest.mark.parametrize("action", PROTECTED_ACTIONS)
def test_denied_unless_granted(demo_db: Database, action: str, role: str) -> None:
    matrix = permission_matrix(demo_db)
    granted = all(matrix.allows(role, permission) for permission in _needs(action))
    assert granted == all(p in DEFAULT_GRANTS[role] for p in _needs(action))
    assert _allowed(_stage(demo_db, action), action, user(demo_db, ROLE_USER[role])) == granted


@pytest.mark.parametrize(("action", "role"), [
    ("refund", "seller"), ("hold", "seller"), ("user_admin", "coordinator"),
    ("shift_signoff", "gate"), ("report_access", "seller"), ("event_setup", "gate"),
    ("stock", "seller"), ("stock_override", "seller")])
def test_granting_a_permission_allows_it(demo_db: Database, action: str, role: str) -> None:
    actor, stage = user(demo_db, ROLE_USER[role]), _stage(demo_db, action)
    assert not _allowed(stage, action, actor)
    assert grant(demo_db, user(demo_db, "ada"), role, action)
    assert _allowed(stage, action, actor)


@pytest.mark.parametrize(("action", "role"), [
    ("void", "coordinator"), ("kill", "coordinator"), ("price_change", "admin"),
    ("override", "coordinator"), ("comp", "coordinator"), ("stock", "coordinator"),
    ("stock_override", "coordinator")])
def test_revoking_a_permission_denies_it(demo_db: Database, action: str, role: str) -> None:
    actor = user(demo_db, ROLE_USER[role])
    assert revoke(demo_db, user(demo_db, "ada"), role, action)
    assert not _allowed(_stage(demo_db, action), action, actor)
