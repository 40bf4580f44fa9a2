"""`boxoffice seatmap ...`: check, show, import venue files, and convert pretix plans."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from core.seatmap import (
    Drawing,
    SeatMap,
    SeatMapInvalid,
    load_seatmap,
    overview_drawing,
    section_drawing,
    venue_drawing,
)


@click.group()
def seatmap() -> None:
    """Venue files: check, show, import, convert."""


@seatmap.command("check")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
def check(files: tuple[str, ...]) -> None:
    """Validate venue files; print every problem as FILE:LINE:COLUMN; exit 1 on any."""
    failed = False
    for name in files:
        try:
            parsed = load_seatmap(name)
        except SeatMapInvalid as error:
            failed = True
            for problem in error.problems:
                click.echo(str(problem), err=True)
            continue
        click.echo(f"{name}: OK  {parsed.name}: {len(parsed.sections)} sections, "
                   f"{parsed.seat_count:,} seats, {len(parsed.areas)} standing areas, "
                   f"capacity {parsed.capacity:,}")
    sys.exit(1 if failed else 0)


def _paint(drawing: Drawing, seatmap_: SeatMap, color: bool) -> list[str]:
    lines = [list(line.ljust(drawing.width)) for line in drawing.lines]
    for seat in drawing.seats:
        glyph = seat.glyph
        lines[seat.y][seat.x] = (click.style(glyph, fg=seatmap_.zones[seat.zone].color,
                                             bold=True) if color else glyph)
    for hotspot in drawing.hotspots:
        zone = _main_zone(seatmap_, hotspot.code)
        row = lines[hotspot.y]
        text = "".join(row[hotspot.x:hotspot.x + hotspot.width])
        row[hotspot.x:hotspot.x + hotspot.width] = [""] * hotspot.width
        row[hotspot.x] = click.style(text, fg=seatmap_.zones[zone].color, bold=True) \
            if color else text
    return ["".join(line).rstrip() for line in lines]


def _main_zone(seatmap_: SeatMap, code: str) -> str:
    try:
        seats = seatmap_.section(code).seats
    except KeyError:
        return seatmap_.area(code).zone
    counts: dict[str, int] = {}
    for seat in seats:
        counts[seat.zone] = counts.get(seat.zone, 0) + 1
    return max(counts, key=counts.__getitem__)


@seatmap.command("show")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--section", "section_code", help="Draw this section (for a venue with an "
              "overview; default: the overview).")
@click.option("--color/--no-color", default=None, help="Colour the seats by price zone "
              "(default: when writing to a terminal).")
def show(file: str, section_code: str | None, color: bool | None) -> None:
    """Print the map with a legend and seat counts per section and zone."""
    try:
        parsed = load_seatmap(file)
    except SeatMapInvalid as error:
        for problem in error.problems:
            click.echo(str(problem), err=True)
        sys.exit(1)
    use_color = sys.stdout.isatty() if color is None else color
    if section_code:
        try:
            drawing = section_drawing(parsed, section_code)
        except KeyError:
            click.echo(f"boxoffice: {file} has no section '{section_code}' (it has: "
                       f"{', '.join(s.code for s in parsed.sections)})", err=True)
            sys.exit(2)
    elif parsed.overview is not None:
        drawing = overview_drawing(parsed)
    else:
        drawing = venue_drawing(parsed)
    click.echo(click.style(drawing.title, bold=True) if use_color else drawing.title)
    for line in _paint(drawing, parsed, use_color):
        click.echo(line, color=use_color)
    click.echo()
    click.echo("Legend:")
    for zone in parsed.zones.values():
        letter = click.style(zone.code, fg=zone.color, bold=True) if use_color else zone.code
        click.echo(f"  {letter}  zone {zone.code}: {zone.name}", color=use_color)
    specials: dict[str, tuple[str, str]] = {}
    for seat in parsed.seats:
        if seat.glyph != seat.zone:
            specials.setdefault(seat.glyph, (seat.zone, ", ".join(seat.flags)))
    for glyph, (zone_code, flags) in sorted(specials.items()):
        click.echo(f"  {glyph}  {flags} (zone {zone_code})")
    click.echo("  |  aisle")
    click.echo()
    _counts(parsed)


def _counts(parsed: SeatMap) -> None:
    zone_codes = list(parsed.zones)
    header = f"{'section':<12} {'name':<24} " + " ".join(f"{z:>6}" for z in zone_codes) \
        + f" {'total':>7}"
    click.echo(header)
    totals = dict.fromkeys(zone_codes, 0)
    for section in parsed.sections:
        counts = dict.fromkeys(zone_codes, 0)
        for seat in section.seats:
            counts[seat.zone] += 1
            totals[seat.zone] += 1
        click.echo(f"{section.code:<12} {section.name[:24]:<24} "
                   + " ".join(f"{counts[z]:>6,}" for z in zone_codes)
                   + f" {section.seat_count:>7,}")
    for area in parsed.areas:
        counts = dict.fromkeys(zone_codes, 0)
        counts[area.zone] = area.capacity
        totals[area.zone] += area.capacity
        click.echo(f"{area.code:<12} {(area.name + ' (standing)')[:24]:<24} "
                   + " ".join(f"{counts[z]:>6,}" for z in zone_codes)
                   + f" {area.capacity:>7,}")
    click.echo(f"{'total':<12} {'':<24} " + " ".join(f"{totals[z]:>6,}" for z in zone_codes)
               + f" {parsed.capacity:>7,}")


@seatmap.command("import")
@click.argument("file", type=click.Path(dir_okay=False, exists=True))
@click.option("--db", "db_path", type=click.Path(dir_okay=False))
@click.option("--user", "username", required=True, help="Who imports it (needs event_setup).")
@click.option("--pin", required=True)
@click.pass_obj
def import_(obj: object, file: str, db_path: str | None, username: str, pin: str) -> None:
    """Load a venue file into the database (creates the venue or updates its map)."""
    from core.errors import BoxOfficeError
    from core.people.users import authenticate
    from core.seatmap import read_seatmap_text
    from core.venue import venues
    from tui.cli.context import Context, open_or_fail

    assert isinstance(obj, Context)
    db = open_or_fail(obj.db_path(db_path))
    try:
        actor = authenticate(db, username, pin)
        result = venues.import_seatmap(db, actor, read_seatmap_text(file), file)
    except SeatMapInvalid as error:
        for problem in error.problems:
            click.echo(str(problem), err=True)
        sys.exit(1)
    except BoxOfficeError as error:
        click.echo(f"error [{error.code}]: {error.message}", err=True)
        sys.exit(1)
    if result.unchanged:
        click.echo(f"{file}: unchanged (version {result.version})")
    else:
        click.echo(f"{file}: imported as version {result.version}: {result.seats_added} "
                   f"seats added, {result.seats_updated} kept, {result.seats_retired} retired")


@seatmap.command("import-pretix")
@click.argument("plan", type=click.Path(dir_okay=False))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="The venue file to write (TOML).")
@click.option("--venue-code", help="The venue code (default: from the plan's name).")
@click.option("--cell-width", type=float, help="Plan units per character column "
              "(default: the median seat pitch).")
@click.option("--force", is_flag=True, help="Overwrite OUTPUT if it exists.")
def import_pretix(plan: str, output: str, venue_code: str | None, cell_width: float | None,
                  force: bool) -> None:
    """Convert a pretix seating plan (JSON) into a venue file, snapped to the grid."""
    from core.seatmap import parse_seatmap
    from core.seatmap.pretix import PretixImportError, convert_pretix_json

    target = Path(output)
    if target.exists() and not force:
        click.echo(f"boxoffice: {output} exists; add --force to overwrite it", err=True)
        sys.exit(2)
    try:
        raw = Path(plan).read_bytes()
    except OSError as error:
        click.echo(f"boxoffice: cannot read {plan}: {error.strerror}", err=True)
        sys.exit(2)
    try:
        conversion = convert_pretix_json(raw, venue_code=venue_code, cell_width=cell_width)
        parsed = parse_seatmap(conversion.toml, output)
    except PretixImportError as error:
        click.echo(f"boxoffice: {plan}: {error}", err=True)
        sys.exit(1)
    except SeatMapInvalid as error:  # a converter bug: say so, write nothing
        click.echo(f"boxoffice: the converted map does not validate: {error}", err=True)
        sys.exit(1)
    try:
        target.write_text(conversion.toml, encoding="utf-8")
    except OSError as error:
        click.echo(f"boxoffice: cannot write {output}: {error.strerror or error}", err=True)
        sys.exit(2)
    for warning in conversion.warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo(f"{output}: {parsed.name}: {len(parsed.sections)} sections, "
               f"{parsed.seat_count:,} seats from {conversion.seat_count:,} pretix seats")
