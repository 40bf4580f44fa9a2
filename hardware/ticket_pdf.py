"""Tickets as a PDF, one ticket a page, for patrons who bought online: the same words and
the same signed code (as a QR code) as the thermal ticket the window prints, so a gate
scans a phone screen or a home print exactly like a paper ticket."""

from __future__ import annotations

from collections.abc import Sequence

import qrcode
from fpdf import FPDF

from hardware.tickets import TicketPrint, format_money

PAGE_MM = (105.0, 160.0)     # A6-ish: one ticket fills a phone screen
QR_MM = 55.0


def _latin1(text: str) -> str:
    return text.encode("latin-1", "replace").decode("latin-1")


def tickets_pdf(tickets: Sequence[TicketPrint], *, title: str = "Tickets") -> bytes:
    """The tickets as a PDF document, one page each."""
    pdf = FPDF(unit="mm", format=PAGE_MM)
    pdf.set_title(_latin1(title))
    pdf.set_auto_page_break(False)
    pdf.set_margins(8, 8, 8)
    for ticket in tickets:
        pdf.add_page()
        pdf.set_font("Helvetica", "B", 11)
        pdf.cell(0, 6, _latin1(ticket.venue), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "B", 15)
        pdf.multi_cell(0, 7, _latin1(ticket.event), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 11)
        pdf.cell(0, 6, _latin1(ticket.when), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
        pdf.set_font("Helvetica", "B", 13)
        place = (f"{ticket.section}  Row {ticket.row}  Seat {ticket.seat}"
                 if ticket.row is not None else f"{ticket.section}  General admission")
        pdf.cell(0, 7, _latin1(place), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 10)
        extras = [ticket.price_type, format_money(ticket.total_cents, ticket.currency)]
        if ticket.wheelchair:
            extras.append("Wheelchair space")
        if ticket.comp:
            extras.append("COMP")
        pdf.cell(0, 5, _latin1("  ".join(extras)), new_x="LMARGIN", new_y="NEXT")
        image = qrcode.make(ticket.code, box_size=8, border=2,
                            error_correction=qrcode.constants.ERROR_CORRECT_M)
        pdf.image(image.get_image(), x=(PAGE_MM[0] - QR_MM) / 2, y=pdf.get_y() + 3,
                  w=QR_MM, h=QR_MM)
        pdf.set_y(pdf.get_y() + QR_MM + 5)
        pdf.set_font("Helvetica", "", 9)
        pdf.cell(0, 5, _latin1(f"Order {ticket.order_number}   Ticket {ticket.serial}"),
                 align="C", new_x="LMARGIN", new_y="NEXT")
        for line in ticket.house_lines:
            pdf.multi_cell(0, 4, _latin1(line), align="C", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
