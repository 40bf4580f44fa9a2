"""Tenders: how an order is paid, and the rule that no card number is ever stored.

A card is paid on the separate card terminal; the window records only what the slip
shows: brand, last 4 digits, approval code and the terminal's reference. Any input that
looks like a whole card number (13-19 digits, any separators between them, passing the
Luhn check) is refused wherever a seller can type text.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.money import TenderError, parse_money, refuse_card_numbers

TENDER_KINDS = ("cash", "card", "check", "comp", "account", "credit")
CARD_BRANDS = ("VISA", "MASTERCARD", "AMEX", "DISCOVER", "JCB", "DINERS", "UNIONPAY",
               "INTERAC", "OTHER")


@dataclass(frozen=True)
class Tender:
    """One payment toward an order, as the seller enters it.

    `amount_cents` is what goes toward the order; for cash, `tendered_cents` is what the
    customer handed over (change = tendered - amount). A card whose terminal answer was
    lost has `status="unknown"`.
    """

    kind: str
    amount_cents: int
    tendered_cents: int | None = None
    card_brand: str | None = None
    card_last4: str | None = None
    approval_code: str | None = None
    terminal_ref: str | None = None
    check_number: str | None = None
    reason: str | None = None
    status: str = "approved"

    @property
    def change_cents(self) -> int:
        if self.kind == "cash" and self.tendered_cents is not None:
            return self.tendered_cents - self.amount_cents
        return 0


def validate_tender(tender: Tender) -> None:
    """Check one tender. Raises TenderError with codes `bad_tender`, `card_number`,
    `short_cash`, `card_details`, `comp_reason`."""
    refuse_card_numbers(card_brand=tender.card_brand, card_last4=tender.card_last4,
                        approval_code=tender.approval_code, terminal_reference=tender.terminal_ref,
                        check_number=tender.check_number, reason=tender.reason)
    if tender.kind not in TENDER_KINDS:
        raise TenderError(f"unknown tender '{tender.kind}' (use: {', '.join(TENDER_KINDS)})")
    if tender.status not in ("approved", "unknown"):
        raise TenderError(f"a new tender is approved or unknown, not {tender.status!r}")
    if tender.status == "unknown" and tender.kind != "card":
        raise TenderError("only a card payment can be left unknown")
    if tender.amount_cents < 0:
        raise TenderError("a tender amount cannot be negative")
    if (tender.kind == "cash" and tender.tendered_cents is not None
            and tender.tendered_cents < tender.amount_cents):
        raise TenderError(
            f"cash handed over ({_money(tender.tendered_cents)}) is less than the amount "
            f"({_money(tender.amount_cents)})", code="short_cash")
    if tender.kind == "card":
        brand = (tender.card_brand or "").upper()
        if brand not in CARD_BRANDS:
            raise TenderError(f"card brand must be one of {', '.join(CARD_BRANDS)}",
                              code="card_details")
        last4 = tender.card_last4 or ""
        if len(last4) != 4 or not last4.isdigit():
            raise TenderError("enter exactly the last 4 digits of the card",
                              code="card_details")
        if tender.status == "approved":
            code = tender.approval_code or ""
            if not (2 <= len(code) <= 12 and code.isalnum()):
                raise TenderError("enter the approval code from the terminal's slip "
                                  "(letters and digits)", code="card_details")
    if tender.kind == "check" and not (tender.check_number or "").strip():
        raise TenderError("enter the check number", code="bad_tender")
    if tender.kind == "comp" and not (tender.reason or "").strip():
        raise TenderError("a comp needs a reason", code="comp_reason")


def _money(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d}"


def parse_tender(spec: str, amount_cents: int) -> Tender:
    """A tender from the command line: `cash:AMOUNT`, `card:BRAND:LAST4:APPROVAL`,
    `check:NUMBER`, `comp:REASON`, `credit` (the customer's account credit). Raises
    TenderError."""
    kind, _, rest = spec.partition(":")
    parts = rest.split(":") if rest else []
    if kind == "cash":
        tendered = parse_money(parts[0]) if parts and parts[0] else amount_cents
        return Tender("cash", amount_cents, tendered_cents=tendered)
    if kind == "card" and len(parts) == 3:
        return Tender("card", amount_cents, card_brand=parts[0].upper(), card_last4=parts[1],
                      approval_code=parts[2])
    if kind == "check" and len(parts) == 1:
        return Tender("check", amount_cents, check_number=parts[0])
    if kind == "comp" and parts:
        return Tender("comp", amount_cents, reason=":".join(parts))
    if kind == "credit" and not parts:
        return Tender("credit", amount_cents)
    raise TenderError(f"cannot read tender '{spec}': use cash:AMOUNT, "
                      "card:BRAND:LAST4:APPROVAL, check:NUMBER, comp:REASON or credit")


