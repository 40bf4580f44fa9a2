"""An online order's tickets as the window prints them: the words, the price and the
signed code of each live ticket (for the order page's QR codes, the PDF and the email)."""

from __future__ import annotations

from core.gate import codes
from core.sales.orders import get_order, ticket_code
from core.venue.performances import get_performance
from hardware.tickets import TicketPrint, format_when
from web.site import Storefront


def ticket_prints(store: Storefront, order_id: int) -> list[TicketPrint]:
    """Each live ticket of the order as printed: words, price and signed code."""
    order = get_order(store.db, order_id)
    signer = store.signer()
    shows = {t.performance_id: get_performance(store.db, t.performance_id)
             for t in order.tickets}
    return [TicketPrint(
        venue=shows[t.performance_id].venue_name, event=shows[t.performance_id].event_name,
        when=format_when(shows[t.performance_id].starts_at, store.config.zone),
        section=t.section, row=t.row, seat=None if t.number is None else str(t.number),
        price_type=t.price_type, base_cents=t.base_cents, fee_cents=t.fee_cents,
        tax_cents=t.tax_cents, total_cents=t.base_cents + t.fee_cents + t.tax_cents,
        currency=store.config.venue.currency, order_number=order.number, serial=t.serial,
        code=ticket_code(signer, t), reprint=max(0, t.generation - 1),
        house_lines=store.config.tickets.house_lines, comp=bool(t.flags & codes.COMP),
        wheelchair=bool(t.flags & codes.WHEELCHAIR),
    ) for t in order.tickets if t.status == "live"]
