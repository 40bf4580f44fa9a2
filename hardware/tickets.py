"""Ticket, receipt and report layouts, built as ESC/POS bytes with python-escpos.

A job builder takes plain data (`TicketPrint`, `ReceiptPrint`) and returns the bytes a
printer backend sends as they are; nothing here talks to a device. The ticket's QR code
uses the printer's native command (about 600 bytes a ticket) when the profile has it,
and a raster image otherwise (about 11 KB: 1 s over a 115,200-baud serial line).

The layout fits the paper: `paper_geometry` gives the columns and dots for a profile and
paper width (42 columns on a TM-T88V with 80 mm paper, 32 on 58 mm paper), and every line
a builder emits fits in them. Money is printed as "USD 12.50" (the currency's ISO code),
the same everywhere. A receipt can only hold a card's brand, last 4 digits and approval
code: its dataclass has no field for more, and a receipt line that looks like a whole card
number is refused.

python-escpos has import-time side effects (a stderr handler on the root logger, a new
/tmp directory per process): it is imported only when a job is built, through
`hardware.escpos_printers.import_escpos`, which undoes them.
"""

from __future__ import annotations

import functools
import re
import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any, Final

from PIL import Image, ImageOps, UnidentifiedImageError

from core.errors import BoxOfficeError
from core.money import TenderError, contains_card_number, refuse_card_numbers
from hardware.escpos_printers import import_escpos
from hardware.escpos_render import FONT_A, qr_image, text_lines

DEFAULT_PROFILE: Final = "TM-T88V"
QR_EC_M: Final = 1                 # python-escpos QR_ECLEVEL_M
QR_EC_M_BYTE: Final = 49           # the same level in the GS ( k command
QR_MODULE_DOTS: Final = 8          # a version 5 code is 37 x 8 = 296 dots (42 mm at 180 dpi)
LOGO_MAX_HEIGHT: Final = 200       # dots
RASTER_FRAGMENT: Final = 960       # rows per GS v 0 command, as python-escpos sends them
_QR_ALPHANUMERIC = re.compile(r"[0-9A-Z $%*+\-./:]+")
_INVERT = bytes(255 - b for b in range(256))


class LayoutError(BoxOfficeError):
    """A job cannot be laid out: unknown printer profile, unreadable logo, bad data."""

    code = "layout"


# --- python-escpos ------------------------------------------------------------------------

def _dummy(profile: str) -> Any:
    """python-escpos's Dummy printer (it collects the bytes), imported cleanly."""
    import_escpos()
    from escpos.printer import Dummy

    try:
        return Dummy(profile=profile)
    except KeyError:
        raise LayoutError(f"there is no printer profile {profile!r} in python-escpos "
                          "(examples: TM-T88V, TM-T20II, POS-5890)",
                          code="unknown_printer_profile") from None


# --- paper and money -----------------------------------------------------------------------

@dataclass(frozen=True)
class Paper:
    """What fits on one line: `columns` font-A characters, `dots` printable dots."""

    mm: int
    columns: int
    dots: int


def paper_geometry(profile: str = DEFAULT_PROFILE, paper_mm: int = 80) -> Paper:
    """The columns and printable dots for a printer profile on `paper_mm` paper.

    80 mm paper: the profile's own font-A columns and width (TM-T88V: 42 columns, 512
    dots; TM-T20II: 48, 576). 58 mm paper: at most 32 columns and 384 dots. Pass `dots`
    to `escpos_render.render` for a faithful preview. Raises LayoutError
    `unknown_printer_profile`.
    """
    return _geometry(_dummy(profile).profile, paper_mm)


def _geometry(profile: Any, paper_mm: int) -> Paper:
    columns = int(profile.get_columns(0))
    pixels = profile.profile_data.get("media", {}).get("width", {}).get("pixels")
    dots = pixels if isinstance(pixels, int) else columns * FONT_A[0]
    if paper_mm < 70:
        columns, dots = min(columns, 32), min(dots, 384)
    return Paper(paper_mm, min(columns, dots // FONT_A[0]), dots)


def supports_native_qr(profile: str = DEFAULT_PROFILE) -> bool:
    """Whether the profile's printer draws QR codes itself (GS ( k)."""
    return bool(_dummy(profile).profile.supports("qrCode"))


def format_money(cents: int, currency: str) -> str:
    """Integer cents as printed everywhere: 'USD 1,234.50', 'USD -12.50'."""
    sign = "-" if cents < 0 else ""
    units, rest = divmod(abs(cents), 100)
    return f"{currency} {sign}{units:,}.{rest:02d}"


def format_when(moment: datetime, zone: tzinfo) -> str:
    """A time as printed on tickets and receipts, in the venue's zone:
    'Sat 21 Nov 2026, 7:30 PM'."""
    local = moment.astimezone(zone)
    hour = local.hour % 12 or 12
    return f"{local:%a %d %b %Y}, {hour}:{local:%M} {'AM' if local.hour < 12 else 'PM'}"


# --- what is printed -----------------------------------------------------------------------

@dataclass(frozen=True)
class TicketPrint:
    """Everything printed on one ticket, already in words (`when` in the venue's zone).

    A reserved seat has `row` and `seat`; general admission has neither, and `section`
    names the area. `reprint` is the ticket's generation - 1 (0 for the original).
    `code` is the signed token (upper-case base32, printed as a QR code).
    """

    venue: str
    event: str
    when: str
    section: str
    row: str | None
    seat: str | None
    price_type: str
    base_cents: int
    fee_cents: int
    tax_cents: int
    total_cents: int
    currency: str
    order_number: str
    serial: str
    code: str
    comp: bool = False
    reprint: int = 0
    house_lines: tuple[str, ...] = ()
    training: bool = False
    wheelchair: bool = False

    def __post_init__(self) -> None:
        if not _QR_ALPHANUMERIC.fullmatch(self.code):
            raise LayoutError("a ticket code must be upper-case letters and digits (QR "
                              "alphanumeric mode)", code="bad_ticket_code")
        if self.reprint < 0:
            raise LayoutError("reprint is 0 for the original ticket, or more",
                              code="bad_reprint")


@dataclass(frozen=True)
class ReceiptLine:
    """One receipt line: a ticket (seat label, price type) or goods (description and
    quantity, SKU), at what the customer pays for it: fees and taxes included, the same
    figure as the window's cart line. A line taken back (refund, exchange) is negative.
    `detail` is printed under it: a ticket's performance."""

    label: str
    price_type: str
    amount_cents: int
    detail: str = ""


@dataclass(frozen=True)
class TenderLine:
    """One payment on a receipt; a refund has a negative amount. A card is only ever its
    brand, last 4 digits and approval code (raises TenderError `card_number` or
    `card_details` otherwise)."""

    kind: str
    amount_cents: int
    status: str = "approved"
    tendered_cents: int | None = None
    change_cents: int = 0
    card_brand: str | None = None
    card_last4: str | None = None
    approval_code: str | None = None

    def __post_init__(self) -> None:
        refuse_card_numbers(card_brand=self.card_brand, card_last4=self.card_last4,
                            approval_code=self.approval_code)
        if self.card_last4 is not None and not (
                len(self.card_last4) == 4 and self.card_last4.isdigit()):
            raise TenderError("a receipt shows exactly the last 4 digits of a card",
                              code="card_details")


@dataclass(frozen=True)
class ReceiptPrint:
    """A receipt or slip. Its money adds up on paper: `total_cents` is the sum of the
    lines (fees and taxes are included in them and only shown), and the approved tenders
    plus `balance_cents` come to the total. `balance_cents` is what the customer still
    owes (a group deposit); negative, what was taken back but never paid, so not paid
    back. `title` says what it is (RECEIPT, EXCHANGE, REFUND, VOID); `notes` are printed
    under the tenders (tickets refunded or exchanged earlier, not in the total)."""

    venue: str
    order_number: str
    seller: str
    when: str
    currency: str
    lines: tuple[ReceiptLine, ...]
    fees_cents: int
    taxes_cents: int
    total_cents: int
    tenders: tuple[TenderLine, ...]
    balance_cents: int = 0
    house_lines: tuple[str, ...] = ()
    training: bool = False
    title: str = "RECEIPT"
    total_label: str = "TOTAL"
    notes: tuple[str, ...] = ()
    copy: str = ""                 # "CUSTOMER COPY", "DRAWER COPY"


# --- adapters from core --------------------------------------------------------------------


# --- layout --------------------------------------------------------------------------------

# Typographic punctuation that printer code pages lack (or place differently).
_PLAIN = str.maketrans({"\u2014": "-", "\u2013": "-", "\u2212": "-", "\u2018": "'",
                        "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2026": "...",
                        "\u00a0": " ", "\u2022": "*"})


def _clean(text: str) -> str:
    """Printable text only: a control byte in a name must not become a printer command."""
    return "".join(" " if ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 else c
                   for c in text.translate(_PLAIN))


def _wrap(text: str, width: int) -> list[str]:
    return textwrap.wrap(_clean(text), max(1, width), break_on_hyphens=False) or [""]


class _Layout:
    """A python-escpos Dummy printer plus the current style, so a style is only sent when
    it changes (bytes matter on a 9,600-baud serial line)."""

    def __init__(self, profile: str, paper_mm: int) -> None:
        self.printer = _dummy(profile)
        self.paper = _geometry(self.printer.profile, paper_mm)
        self.printer.hw("INIT")
        self.native_qr = bool(self.printer.profile.supports("qrCode"))
        self._style: tuple[str, bool, int, int, bool] = ("left", False, 1, 1, False)

    def style(self, align: str = "left", bold: bool = False, width: int = 1, height: int = 1,
              invert: bool = False) -> None:
        old_align, old_bold, old_width, old_height, old_invert = self._style
        p = self.printer
        if align != old_align:
            p.set(align=align)
        if bold != old_bold:
            p.set(bold=bold)
        if (width, height) != (old_width, old_height):
            p.set(custom_size=True, width=width, height=height)
        if invert != old_invert:
            p.set(invert=invert)
        self._style = (align, bold, width, height, invert)

    def text(self, text: str, *, align: str = "left", bold: bool = False, big: bool = False,
             tall: bool = False, invert: bool = False) -> None:
        """`text` wrapped to the paper; `big` is double width and height, `tall` double
        height only."""
        width = 2 if big else 1
        self.style(align, bold, width, 2 if big or tall else 1, invert)
        for line in _wrap(text, self.paper.columns // width):
            self.printer.text(line + "\n")

    def pair(self, left: str, right: str, *, bold: bool = False) -> None:
        """`left` and `right` on one line; when they do not fit, `right` goes on its own
        line, flush right, and is never cut short."""
        columns = self.paper.columns
        left, right = _clean(left), _clean(right)
        self.style("left", bold)
        if len(left) + 1 + len(right) <= columns:
            self.printer.text(left + " " * (columns - len(left) - len(right)) + right + "\n")
            return
        for line in _wrap(left, columns):
            self.printer.text(line + "\n")
        for line in _wrap(right, columns):
            self.printer.text(line.rjust(columns) + "\n")

    def rule(self) -> None:
        self.style()
        self.printer.text("-" * self.paper.columns + "\n")

    def blank(self) -> None:
        self.printer.text("\n")

    def picture(self, raster: bytes) -> None:
        """A centred raster image, from `raster_command`."""
        self.style("center")
        self.printer._raw(raster)

    def qr(self, code: str, native: bool) -> None:
        self.style("center")
        module = max(1, min(QR_MODULE_DOTS, self.paper.dots // 45))
        if native:
            self.printer.qr(code, ec=QR_EC_M, size=module, native=True)
            return
        image = qr_image(code, module=module, ec=QR_EC_M_BYTE)
        if image is None:
            raise LayoutError("the ticket code is too long for a QR code", code="bad_ticket_code")
        self.picture(raster_command(image.point(lambda v: 255 if v >= 128 else 0, mode="1")))

    def cut(self) -> None:
        self.style()
        self.printer.cut()

    def output(self) -> bytes:
        return bytes(self.printer.output)


def raster_command(image: Image.Image) -> bytes:
    """An image as GS v 0 raster bit image commands (1 = black dot, rows of whole bytes).
    A grey or colour image is dithered; transparency prints as paper."""
    if image.mode in ("RGBA", "LA", "P"):
        image = image.convert("RGBA")
        white = Image.new("RGBA", image.size, (255, 255, 255, 255))
        image = Image.alpha_composite(white, image)
    mono = (image if image.mode == "1" else image.convert("L").convert("1"))
    if mono.width % 8:               # PIL pads rows with 0 bits, which would print black
        padded = Image.new("1", (mono.width + 8 - mono.width % 8, mono.height), 1)
        padded.paste(mono, (0, 0))
        mono = padded
    width_bytes = mono.width // 8
    commands = []
    for top in range(0, mono.height, RASTER_FRAGMENT):
        part = mono.crop((0, top, mono.width, min(mono.height, top + RASTER_FRAGMENT)))
        commands.append(b"\x1dv0\x00" + width_bytes.to_bytes(2, "little")
                        + part.height.to_bytes(2, "little") + part.tobytes().translate(_INVERT))
    return b"".join(commands)


@functools.lru_cache(maxsize=8)
def _logo(path: str, modified_ns: int, max_width: int) -> bytes:
    """The logo file as raster commands, scaled to fit (cached until the file changes)."""
    try:
        with Image.open(path) as opened:
            image = ImageOps.exif_transpose(opened)
            image.load()
    except (OSError, UnidentifiedImageError) as exc:
        raise LayoutError(f"cannot read the logo {path}: {exc}", code="bad_logo") from exc
    scale = min(1.0, max_width / image.width, LOGO_MAX_HEIGHT / image.height)
    if scale < 1.0:
        image = image.resize((max(1, int(image.width * scale)),
                              max(1, int(image.height * scale))), Image.Resampling.LANCZOS)
    return raster_command(image)


def _load_logo(logo: Path | None, paper: Paper) -> bytes | None:
    if logo is None:
        return None
    try:
        modified = logo.stat().st_mtime_ns
    except OSError as exc:
        raise LayoutError(f"cannot read the logo {logo}: {exc.strerror}",
                          code="bad_logo") from exc
    return _logo(str(logo), modified, paper.dots)


def _add_ticket(layout: _Layout, t: TicketPrint, native: bool, logo: bytes | None) -> None:
    columns = layout.paper.columns
    money = functools.partial(format_money, currency=t.currency)
    if t.training:
        layout.text("TRAINING - NOT VALID", align="center", bold=True, tall=True, invert=True)
    if logo is not None:
        layout.picture(logo)
    layout.text(t.venue, align="center", bold=True)
    layout.text(t.event, align="center", bold=True, tall=True)
    layout.text(t.when, align="center")
    layout.rule()
    layout.text(t.section, align="center", bold=True, big=True)
    if t.row is None:
        layout.text("GENERAL ADMISSION", align="center", bold=True)
    else:
        seat = f"ROW {t.row}  SEAT {t.seat or ''}".strip()
        if len(seat) * 2 <= columns:
            layout.text(seat, align="center", bold=True, big=True)
        else:
            layout.text(f"ROW {t.row}", align="center", bold=True, big=True)
            layout.text(f"SEAT {t.seat or ''}", align="center", bold=True, big=True)
    if t.wheelchair:
        layout.text("WHEELCHAIR SPACE", align="center", bold=True)
    if t.comp:
        layout.text("COMP", align="center", bold=True, big=True, invert=True)
    if t.reprint:
        layout.text(f"REPRINT {t.reprint}", align="center", bold=True, big=True)
    layout.rule()
    layout.pair(t.price_type, money(t.base_cents))
    layout.pair("Fee", money(t.fee_cents))
    if t.tax_cents:
        layout.pair("Tax", money(t.tax_cents))
    layout.pair("Total", money(t.total_cents), bold=True)
    layout.blank()
    layout.qr(t.code, native)
    layout.blank()
    layout.pair(f"Order {t.order_number}", f"Ticket {t.serial}")
    for line in t.house_lines:
        layout.text(line, align="center")
    if t.training:
        layout.text("TRAINING - NOT VALID", align="center", bold=True, tall=True, invert=True)
    layout.cut()


def tickets_job(tickets: Iterable[TicketPrint], *, profile: str = DEFAULT_PROFILE,
                paper_mm: int = 80, native_qr: bool | None = None,
                logo: Path | None = None) -> bytes:
    """One job printing several tickets, each cut off. See `ticket_job`."""
    layout = _Layout(profile, paper_mm)
    native = layout.native_qr if native_qr is None else native_qr
    image = _load_logo(logo, layout.paper)
    for ticket in tickets:
        _add_ticket(layout, ticket, native, image)
    return layout.output()


def ticket_job(t: TicketPrint, *, profile: str = DEFAULT_PROFILE, paper_mm: int = 80,
               native_qr: bool | None = None, logo: Path | None = None) -> bytes:
    """The ESC/POS bytes of one ticket, ending with a cut.

    The QR code (error correction M, alphanumeric) uses the printer's native command when
    `native_qr` is None and the profile supports it, or when `native_qr` is True (even if
    the profile says it does not); otherwise a raster image. `logo` is an image file,
    scaled to fit. Raises LayoutError (`unknown_printer_profile`, `bad_logo`).
    """
    return tickets_job([t], profile=profile, paper_mm=paper_mm, native_qr=native_qr,
                       logo=logo)


def _tender_title(tender: TenderLine) -> str:
    if tender.kind == "card":
        title = " ".join(part for part in (
            "CARD", tender.card_brand, f"****{tender.card_last4}" if tender.card_last4 else "")
            if part)
    else:
        title = {"account": "ON ACCOUNT"}.get(tender.kind, tender.kind.upper())
    if tender.amount_cents < 0:
        title = f"REFUND {title}"
    if tender.status != "approved":
        title += " (PENDING)" if tender.status == "unknown" else f" ({tender.status.upper()})"
    return title


def receipt_job(r: ReceiptPrint, *, profile: str = DEFAULT_PROFILE, paper_mm: int = 80,
                logo: Path | None = None) -> bytes:
    """The ESC/POS bytes of a receipt, ending with a cut. Raises LayoutError, and
    TenderError `card_number` if any line would look like a whole card number."""
    layout = _Layout(profile, paper_mm)
    money = functools.partial(format_money, currency=r.currency)
    image = _load_logo(logo, layout.paper)
    if r.training:
        layout.text("TRAINING", align="center", bold=True, tall=True, invert=True)
    if image is not None:
        layout.picture(image)
    if r.venue:
        layout.text(r.venue, align="center", bold=True)
    layout.text(r.title, align="center", bold=True, tall=True)
    if r.copy:
        layout.text(r.copy, align="center")
    layout.pair("Order no." if r.title != "RECEIPT" else "Receipt no.", r.order_number)
    layout.pair("Seller", r.seller)
    layout.pair("Time", r.when)
    layout.rule()
    heading = ""
    for line in r.lines:
        # an exchange lists what came back, then what went out
        if r.title != "RECEIPT":
            now_heading = "RETURNED" if line.amount_cents < 0 else "NEW"
            if now_heading != heading:
                layout.text(now_heading, bold=True)
                heading = now_heading
        layout.pair(f"{line.label}  {line.price_type}", money(line.amount_cents))
        for part in _wrap(line.detail, layout.paper.columns - 2) if line.detail else ():
            layout.text(f"  {part}")
    layout.rule()
    if r.fees_cents:
        layout.pair("  incl. fees", money(r.fees_cents))
    if r.taxes_cents:
        layout.pair("  incl. taxes", money(r.taxes_cents))
    layout.pair(r.total_label, money(r.total_cents), bold=True)
    layout.rule()
    for tender in r.tenders:
        layout.pair(_tender_title(tender), money(tender.amount_cents))
        if tender.tendered_cents is not None:
            layout.pair("  Tendered", money(tender.tendered_cents))
            layout.pair("  Change", money(tender.change_cents))
        if tender.approval_code:
            layout.pair("  Approval", tender.approval_code)
    if any(t.amount_cents < 0 for t in r.tenders) and any(t.amount_cents > 0
                                                           for t in r.tenders):
        layout.pair("NET PAID", money(sum(t.amount_cents for t in r.tenders
                                          if t.status == "approved")), bold=True)
    if r.balance_cents > 0:
        layout.pair("BALANCE DUE", money(r.balance_cents), bold=True)
    elif r.balance_cents < 0:
        layout.pair("NOT PAID, NOT PAID BACK", money(r.balance_cents), bold=True)
    if r.notes:
        layout.rule()
        layout.text("Earlier changes (not in the total):")
        for note in r.notes:
            layout.text(f"  {note}")
    for house_line in r.house_lines:
        layout.text(house_line, align="center")
    if r.training:
        layout.text("TRAINING - NOT VALID", align="center", bold=True, tall=True, invert=True)
    layout.cut()
    job = layout.output()
    # the last guard: no line of a receipt may ever look like a whole card number
    if any(contains_card_number(line) for line in text_lines(job)):
        raise TenderError("a receipt line looks like a whole card number; it was not printed",
                          code="card_number")
    return job


def report_job(title: str, rows: Sequence[tuple[str, str]], *,
               profile: str = DEFAULT_PROFILE, paper_mm: int = 80,
               training: bool = False) -> bytes:
    """A two-column report (shift X/Z reports): label left, value right, then a cut.
    A row ("-", "") prints a rule; ("", "") a blank line."""
    layout = _Layout(profile, paper_mm)
    if training:
        layout.text("TRAINING", align="center", bold=True, tall=True, invert=True)
    layout.text(title, align="center", bold=True, tall=True)
    layout.rule()
    for label, value in rows:
        if (label, value) == ("-", ""):
            layout.rule()
        elif (label, value) == ("", ""):
            layout.blank()
        else:
            layout.pair(label, value)
    layout.cut()
    return layout.output()


def drawer_kick_job(profile: str = DEFAULT_PROFILE) -> bytes:
    """ESC p: a 100 ms pulse on drawer pin 2, which opens the cash drawer."""
    printer = _dummy(profile)
    printer.cashdraw(2)
    return bytes(printer.output)
