"""The demo database: both shipped venues, an event in the hall, a game in the stadium,
and four demo users whose PINs the first screen shows."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from importlib import resources
from zoneinfo import ZoneInfo

from core.concessions import stock
from core.config import PricingConfig
from core.people import accounts
from core.people.models import User
from core.store.db import Database, write
from core.venue import performances, pricing, venues

HALL_FILE = "aldridge-hall.toml"
STADIUM_FILE = "harbor-stadium.toml"

# The demo's PINs are shown on its first screen on purpose: it is a demo.
DEMO_USERS = (
    ("sam", "Sam Seller", "seller", "1111"),
    ("gia", "Gia Gate", "gate", "2222"),
    ("cora", "Cora Coordinator", "coordinator", "3333"),
    ("ada", "Ada Admin", "admin", "4444"),
)


@dataclass(frozen=True)
class DemoUser:
    username: str
    display_name: str
    role: str
    pin: str


def shipped_seatmap(name: str) -> tuple[str, str]:
    """(text, name) of a venue file shipped in the seatmaps package."""
    resource = resources.files("seatmaps").joinpath(name)
    return resource.read_text(encoding="utf-8"), f"seatmaps/{name}"


def is_demo(db: Database) -> bool:
    return db.execute("SELECT 1 FROM settings WHERE key = 'demo_users'").fetchone() is not None


def demo_users(db: Database) -> list[DemoUser]:
    row = db.execute("SELECT value FROM settings WHERE key = 'demo_users'").fetchone()
    return [DemoUser(**item) for item in json.loads(row[0])] if row else []


def build_demo(db: Database, *, now: datetime, zone: ZoneInfo,
               gate_open_now: bool = False) -> bool:
    """Fill an empty database with the demo; returns False (and changes nothing) when the
    database already holds the demo. Performances are dated from `now` in `zone`.
    `gate_open_now` adds a hall performance starting about 90 minutes after `now`, so its
    gate admits at once (`boxoffice demo` does: a newcomer sees ADMIT and ALREADY IN)."""
    if is_demo(db):
        return False
    today = now.astimezone(zone).date()

    def local(days: int, hour: int, minute: int = 0) -> datetime:
        return datetime.combine(today + timedelta(days=days), time(hour, minute), zone)

    with write(db):  # all of the demo or none of it
        # the demo's admin sets up everything else, as a house's first admin would
        admin_name, admin_display, _, admin_pin = DEMO_USERS[-1]
        admin = accounts.create_first_admin(db, admin_name, admin_display, admin_pin)
        hall = venues.import_seatmap(db, admin, *shipped_seatmap(HALL_FILE))
        stadium = venues.import_seatmap(db, admin, *shipped_seatmap(STADIUM_FILE))
        shown = []
        for username, display_name, role, pin in DEMO_USERS:
            if username != admin.username:
                accounts.create_user(db, admin, username, display_name, role, pin)
            shown.append({"username": username, "display_name": display_name,
                          "role": role, "pin": pin})
        db.execute("INSERT INTO settings (key, value) VALUES ('demo_users', ?)",
                   [json.dumps(shown)])
        opera = performances.create_event(db, admin, "The Marriage of Figaro",
                                          producer="Harbor City Opera")
        for starts, doors in ((local(1, 19, 30), local(1, 18, 45)),
                              (local(3, 14, 0), local(3, 13, 15))):
            show = performances.create_performance(db, admin, opera, hall.venue_id, starts,
                                                   doors_at=doors)
            _price(db, admin, show, HALL_PRICES, fee_cents=300)
        if gate_open_now:
            # the next quarter hour at least 90 minutes away; the gate admits from two
            # hours before the doors (core.checkin), so it is open from now on
            soon = (now + timedelta(minutes=104)).replace(second=0, microsecond=0)
            soon -= timedelta(minutes=soon.minute % 15)
            rehearsal = performances.create_event(
                db, admin, "Figaro: open dress rehearsal", producer="Harbor City Opera")
            show = performances.create_performance(db, admin, rehearsal, hall.venue_id,
                                                   soon, doors_at=soon - timedelta(minutes=45))
            _price(db, admin, show, HALL_PRICES, fee_cents=300)
        game = performances.create_event(db, admin, "Harbor City FC v Riverside United",
                                         producer="Harbor City FC")
        match = performances.create_performance(db, admin, game, stadium.venue_id,
                                                local(5, 15, 0), doors_at=local(5, 13, 0))
        _price(db, admin, match, STADIUM_PRICES, fee_cents=250)
        for sku, name, category, price, tax_bp, unit, low, on_hand, cost in DEMO_ITEMS:
            stock.add_item(db, admin, sku=sku, name=name, category=category,
                           price_cents=price, tax_bp=tax_bp, unit=unit, low_stock=low,
                           now=now)
            stock.receive(db, admin, sku, on_hand, cost, now, reference="opening stock")
    return True


# Concessions and merchandise: SKU, name, category, price and tax (bp), unit, low-stock
# threshold, opening stock and its unit cost. The scarves start low, to show the warning.
DEMO_ITEMS = (
    ("POPCORN", "Popcorn, large", "Snacks", 650, 800, "tub", 10, 120, 180),
    ("PRETZEL", "Soft pretzel", "Snacks", 550, 800, "each", 10, 60, 140),
    ("WATER", "Bottled water", "Drinks", 350, 0, "bottle", 24, 200, 60),
    ("SODA", "Soda, 20 oz", "Drinks", 450, 800, "bottle", 24, 150, 90),
    ("PROGRAM", "Souvenir programme", "Merch", 1500, 0, "each", 5, 40, 600),
    ("SCARF", "Harbor City FC scarf", "Merch", 2500, 800, "each", 5, 4, 1100),
)


# Adult prices in cents per zone; the other price types are derived from them.
HALL_PRICES = {"A": 12500, "B": 9500, "C": 6500, "D": 4500, "E": 3000, "F": 15000}
STADIUM_PRICES = {"A": 8500, "B": 6000, "C": 5000, "D": 3500, "E": 4000}
DISCOUNTS = {"ADULT": 100, "CHILD": 50, "SENIOR": 80, "STUDENT": 70, "GROUP": 85, "COMP": 0}


def _price(db: Database, admin: User, performance_id: int,
           adult: dict[str, int], *, fee_cents: int) -> None:
    for zone, cents in adult.items():
        for price_type, percent in DISCOUNTS.items():
            pricing.set_price(db, admin, performance_id, zone, price_type,
                              cents * percent // 100,
                              defaults=PricingConfig(fee_cents=fee_cents,
                                                     tax_basis_points=0),
                              fee_cents=0 if price_type == "COMP" else fee_cents,
                              tax_basis_points=0 if price_type == "COMP" else 800)
