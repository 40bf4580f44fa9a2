"""The storefront's own words and looks, kept current by a coordinator: the site's name,
its brand colour and logo, the box office's hours and address, a notice banner, and
information pages (directions, parking, accessibility, FAQ) written in Markdown.

Everything is in the database (settings `site.*` and `site_pages`), so every web worker
and every host shows the same. Changing any of it needs `event_setup` and is journaled.
The brand colour must keep white text on it readable (WCAG AA, 4.5:1), since buttons
and the header use it that way.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from datetime import datetime

from core.config import Config
from core.errors import BoxOfficeError, NotFound
from core.free_text import LONG, SHORT, clean_text
from core.people.models import User
from core.people.permissions import authorize
from core.store import journal
from core.store.db import Database, write
from core.times import stamp

DEFAULT_COLOUR = "#0b4f9c"
MIN_CONTRAST = 4.5
LOGO_MAX_BYTES = 200_000
PAGE_MAX = 50_000
SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,39}")
_FIELDS = ("name", "colour", "hours", "address", "banner")


class SiteError(BoxOfficeError):
    code = "site"


@dataclass(frozen=True)
class SiteInfo:
    name: str
    colour: str
    hours: str
    address: str
    banner: str
    has_logo: bool


@dataclass(frozen=True)
class Page:
    slug: str
    title: str
    body: str           # Markdown
    position: int
    updated_at: datetime


def _settings(db: Database) -> dict[str, str]:
    return {key.removeprefix("site."): value for key, value in db.execute(
        "SELECT key, value FROM settings WHERE key LIKE 'site.%'")}


def site_info(db: Database, config: Config) -> SiteInfo:
    """What the storefront shows: the coordinator's settings, else the house's name and
    address from the config."""
    stored = _settings(db)
    return SiteInfo(stored.get("name") or config.venue.house_name,
                    stored.get("colour") or DEFAULT_COLOUR, stored.get("hours", ""),
                    stored.get("address") or config.venue.house_address,
                    stored.get("banner", ""), "logo" in stored)


def _luminance(colour: str) -> float:
    def channel(hex_pair: str) -> float:
        value = int(hex_pair, 16) / 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (channel(colour[i:i + 2]) for i in (1, 3, 5))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_with_white(colour: str) -> float:
    return 1.05 / (_luminance(colour) + 0.05)


def check_colour(colour: str) -> str:
    """'#RRGGBB' lower-cased. Raises SiteError `bad_colour` (not a colour, or white text on
    it would be hard to read)."""
    text = colour.strip().lower()
    if not re.fullmatch(r"#[0-9a-f]{6}", text):
        raise SiteError(f"'{colour[:20]}' is not a colour such as #0b4f9c", code="bad_colour")
    ratio = contrast_with_white(text)
    if ratio < MIN_CONTRAST:
        raise SiteError(f"{text} is too light: white text on it has a contrast of "
                        f"{ratio:.1f}:1, at least {MIN_CONTRAST}:1 is needed; choose a darker "
                        "colour", code="bad_colour")
    return text


def set_site_info(db: Database, actor: User, *, name: str | None = None,
                  colour: str | None = None, hours: str | None = None,
                  address: str | None = None, banner: str | None = None) -> None:
    """Change the fields given (None leaves one as it is; "" clears it). Needs
    `event_setup`. Raises SiteError `bad_colour`, TextError, PermissionDenied."""
    values = {"name": None if name is None else clean_text(name, "site name"),
              "colour": None if colour is None else (check_colour(colour) if colour.strip()
                                                     else ""),
              "hours": None if hours is None else clean_text(hours, "opening hours",
                                                             max_length=LONG, multiline=True),
              "address": None if address is None else clean_text(
                  address, "address", max_length=LONG, multiline=True),
              "banner": None if banner is None else clean_text(banner, "notice banner",
                                                               max_length=LONG)}
    changed = {key: value for key, value in values.items() if value is not None}
    with write(db):
        authorize(db, actor, "event_setup")
        for key, value in changed.items():
            _store(db, key, value)
        journal.append(db, actor=actor.username, action="site.change", subject="site",
                       data=changed)


def _store(db: Database, key: str, value: str) -> None:
    if value:
        db.execute("INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO "
                   "UPDATE SET value = excluded.value", [f"site.{key}", value])
    else:
        db.execute("DELETE FROM settings WHERE key = ?", [f"site.{key}"])


def _image_type(content: bytes) -> str:
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if content.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    raise SiteError("a logo is a PNG or JPEG image", code="bad_logo")


def set_logo(db: Database, actor: User, content: bytes | None) -> None:
    """The site's logo (PNG or JPEG, at most 200 KB), or None to remove it. Needs
    `event_setup`. Raises SiteError `bad_logo`."""
    if content is not None:
        if len(content) > LOGO_MAX_BYTES:
            raise SiteError(f"the logo is {len(content):,} bytes; at most "
                            f"{LOGO_MAX_BYTES:,}", code="bad_logo")
        _image_type(content)
    with write(db):
        authorize(db, actor, "event_setup")
        _store(db, "logo", base64.b64encode(content).decode() if content else "")
        journal.append(db, actor=actor.username, action="site.logo", subject="site",
                       data={"bytes": len(content) if content else 0})


def logo(db: Database) -> tuple[bytes, str] | None:
    """(the logo's bytes, its media type), or None."""
    row = db.execute("SELECT value FROM settings WHERE key = 'site.logo'").fetchone()
    if row is None:
        return None
    content = base64.b64decode(row[0])
    return content, _image_type(content)


def _page(row: tuple[str, str, str, int, str]) -> Page:
    return Page(row[0], row[1], row[2], row[3], datetime.fromisoformat(row[4]))


def list_pages(db: Database) -> list[Page]:
    return [_page(row) for row in db.execute(
        "SELECT slug, title, body, position, updated_at FROM site_pages "
        "ORDER BY position, title")]


def get_page(db: Database, slug: str) -> Page:
    """Raises NotFound `unknown_page`."""
    row = db.execute("SELECT slug, title, body, position, updated_at FROM site_pages "
                     "WHERE slug = ?", [slug]).fetchone()
    if row is None:
        raise NotFound(f"there is no page '{slug[:40]}'", code="unknown_page")
    return _page(row)


def check_slug(slug: str) -> str:
    text = slug.strip().lower()
    if not SLUG.fullmatch(text):
        raise SiteError("a page's address is 1 to 40 lower-case letters, digits and "
                        "dashes, e.g. 'parking'", code="bad_slug")
    return text


def set_page(db: Database, actor: User, slug: str, *, title: str, body: str,
             position: int = 0, now: datetime) -> Page:
    """Create or replace an information page. Needs `event_setup`. Raises SiteError
    `bad_slug`, TextError (an empty title, a page over 50,000 characters)."""
    slug = check_slug(slug)
    title = clean_text(title, "page title", max_length=SHORT, required=True)
    body = clean_text(body, "page", max_length=PAGE_MAX, required=True, multiline=True)
    if not -1000 <= position <= 1000:
        raise SiteError("a page's position is -1000 to 1000", code="bad_position")
    with write(db):
        authorize(db, actor, "event_setup")
        db.execute("INSERT INTO site_pages (slug, title, body, position, updated_at) VALUES "
                   "(?, ?, ?, ?, ?) ON CONFLICT (slug) DO UPDATE SET title = excluded.title, "
                   "body = excluded.body, position = excluded.position, updated_at = "
                   "excluded.updated_at", [slug, title, body, position, stamp(now)])
        journal.append(db, actor=actor.username, action="site.page", subject=f"page:{slug}",
                       data={"title": title, "characters": len(body)})
        return get_page(db, slug)


def delete_page(db: Database, actor: User, slug: str) -> None:
    """Remove an information page. Needs `event_setup`. Raises NotFound."""
    with write(db):
        authorize(db, actor, "event_setup")
        if not db.execute("DELETE FROM site_pages WHERE slug = ?", [slug]).rowcount:
            raise NotFound(f"there is no page '{slug[:40]}'", code="unknown_page")
        journal.append(db, actor=actor.username, action="site.page_delete",
                       subject=f"page:{slug}", data={})
