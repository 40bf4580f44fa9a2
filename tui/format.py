"""How the window shows things: times in the venue's zone, seat descriptions, legends."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from rich.text import Text

from core.errors import BoxOfficeError
from core.seatmap import Seat, SeatMap


def local_time(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%a %d %b %Y %H:%M")


def describe_seat(seat: Seat, seatmap: SeatMap) -> Text:
    section = seatmap.section(seat.section)
    zone = seatmap.zones[seat.zone]
    text = Text()
    text.append(f"{section.name} ({section.code})", style="bold")
    text.append(f"  Row {seat.row}  Seat {seat.number}  ")
    text.append(f"Zone {zone.code} {zone.name}", style=zone.color)
    for flag in seat.flags:
        text.append(f"  [{flag}]", style="bold")
    return text


def legend(seatmap: SeatMap, seats: Iterable[Seat] | None = None) -> list[Text]:
    """Zone letters in their colours, then what the special seat characters mean, a
    piece each (tui/widgets/pieces.py wraps them); only what `seats` (default: the whole
    map) uses."""
    seats = list(seatmap.seats if seats is None else seats)
    used_zones = {seat.zone for seat in seats}
    pieces = [Text.assemble((zone.code, f"bold {zone.color}"), f" {zone.name}")
              for zone in seatmap.zones.values() if zone.code in used_zones or not seats]
    meanings: dict[str, list[str]] = {}
    for seat in seats:
        if seat.glyph != seat.zone:
            glyphs = meanings.setdefault(", ".join(seat.flags) or "seat", [])
            if seat.glyph not in glyphs:
                glyphs.append(seat.glyph)
    for meaning, glyphs in sorted(meanings.items()):
        pieces.append(Text.assemble((" ".join(sorted(glyphs)), "bold"), f" {meaning}"))
    return pieces


def follow_up_date(text: str, today: date) -> date | None:
    """'' (none), '+3' or '3' (days from today), or a date as YYYY-MM-DD."""
    text = text.strip()
    if not text:
        return None
    if text.lstrip("+").isdigit() and len(text) <= 4:
        return today + timedelta(days=int(text.lstrip("+")))
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise BoxOfficeError(f"Follow-up: '{text[:20]}' is not a number of days (+3) or a "
                             "date (YYYY-MM-DD)", code="bad_follow_up") from None


def parse_schedule(text: str, today: date) -> list[tuple[date, int]]:
    """A payment plan's instalments as typed at the window: 'DAY:AMOUNT,...' where DAY
    is +30 (days from today) or YYYY-MM-DD, e.g. '+30:100.00,+60:176.48'. Raises
    BoxOfficeError `bad_plan` naming the part it cannot read."""
    from core.money import parse_money

    found = []
    for part in text.split(","):
        when, _, amount = part.strip().partition(":")
        try:
            day = follow_up_date(when, today)
            if day is None:
                raise ValueError(when)
            found.append((day, parse_money(amount)))
        except (ValueError, BoxOfficeError):
            raise BoxOfficeError(f"Instalments: cannot read '{part.strip()[:30]}': use +DAYS:"
                                 "AMOUNT or YYYY-MM-DD:AMOUNT, by commas",
                                 code="bad_plan") from None
    return found
