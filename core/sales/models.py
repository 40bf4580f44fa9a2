"""What an order is: the order, its tickets and its payments as the other layers read them.
Plain data: importing these pulls in no service."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Payment:
    id: int
    tender: str
    amount_cents: int
    status: str
    change_cents: int
    card_brand: str | None
    card_last4: str | None
    approval_code: str | None
    reason: str | None


@dataclass(frozen=True)
class Ticket:
    id: int
    serial: str
    performance_id: int
    section: str
    row: str | None
    number: int | None
    price_type: str
    status: str
    generation: int
    flags: int
    printed: bool
    base_cents: int
    fee_cents: int
    tax_cents: int

    @property
    def label(self) -> str:
        if self.row is None:
            return f"{self.section} general admission"
        return f"{self.section} {self.row}-{self.number}"


@dataclass(frozen=True)
class Order:
    id: int
    number: str
    status: str
    channel: str
    customer_id: int | None
    delivery: str
    created_at: datetime
    tickets: tuple[Ticket, ...]
    payments: tuple[Payment, ...]
    goods: tuple[OrderGood, ...] = ()     # concessions and merchandise

    @property
    def value_cents(self) -> int:
        """What the order's live tickets and kept goods are worth."""
        return sum(t.base_cents + t.fee_cents + t.tax_cents for t in self.tickets
                   if t.status == "live") + sum(g.value_cents for g in self.goods)

    @property
    def paid_cents(self) -> int:
        return sum(p.amount_cents for p in self.payments if p.status == "approved")

    @property
    def balance_cents(self) -> int:
        return self.value_cents - self.paid_cents

    @property
    def change_cents(self) -> int:
        return sum(p.change_cents for p in self.payments if p.status == "approved")


@dataclass(frozen=True)
class CartLine:
    item_id: int
    performance_id: int
    section: str
    row: str | None            # None for general admission
    number: int | None
    seat_id: int | None
    section_id: int
    zone: str
    price_type: str
    quantity: int
    base_cents: int            # each
    fee_cents: int
    tax_cents: int
    price_type_id: int
    comp: bool                 # a comp price type
    wheelchair: bool = False
    package_id: int | None = None    # a package's seat, priced at its share of the package
    held: bool = True          # its seat's claim was this cart's when read (a place: True)

    @property
    def each_cents(self) -> int:
        return self.base_cents + self.fee_cents + self.tax_cents

    @property
    def total_cents(self) -> int:
        return self.each_cents * self.quantity

    @property
    def label(self) -> str:
        if self.row is None:
            return f"{self.section} general admission x{self.quantity}"
        return f"{self.section} {self.row}-{self.number}"


@dataclass(frozen=True)
class CartView:
    id: int
    status: str
    expires_at: datetime
    lines: tuple[CartLine, ...]
    goods: tuple[CartGood, ...] = ()      # concessions and merchandise

    @property
    def total_cents(self) -> int:
        return (sum(line.total_cents for line in self.lines)
                + sum(good.total_cents for good in self.goods))

    @property
    def empty(self) -> bool:
        return not self.lines and not self.goods

    @property
    def ticket_count(self) -> int:
        return sum(line.quantity for line in self.lines)


@dataclass(frozen=True)
class CartGood:
    id: int
    sku: str
    name: str
    category: str
    unit: str
    quantity: int
    price_cents: int          # each, before tax
    tax_cents: int            # each
    on_hand: int
    short_approved_by: str | None

    @property
    def each_cents(self) -> int:
        return self.price_cents + self.tax_cents

    @property
    def total_cents(self) -> int:
        return self.each_cents * self.quantity

    @property
    def label(self) -> str:
        return f"{self.name} x{self.quantity}"

    @property
    def short(self) -> bool:
        """More in the cart than is on hand now."""
        return self.quantity > self.on_hand


@dataclass(frozen=True)
class OrderGood:
    id: int
    sku: str
    description: str
    category: str
    quantity: int
    returned: int
    price_cents: int          # each, before tax
    tax_cents: int            # each

    @property
    def each_cents(self) -> int:
        return self.price_cents + self.tax_cents

    @property
    def kept(self) -> int:
        """How many the customer still has (not refunded or voided)."""
        return self.quantity - self.returned

    @property
    def value_cents(self) -> int:
        return self.each_cents * self.kept


@dataclass(frozen=True)
class PendingCard:
    """A card payment whose terminal answer was lost: the order waits, its seats locked,
    until a supervisor settles it from the terminal's journal."""

    payment_id: int
    order_id: int
    order_number: str
    amount_cents: int
    seller: str
    station: str
    shift_id: int | None
    created_at: datetime
