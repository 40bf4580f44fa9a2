"""What a coordinator sets for the storefront, from the command line, seen on the site:
a performance off the web or with its own online window, price types, limit and fee;
the site's name, colour, banner, hours, address, logo and Markdown information pages.
Bad settings are refused with the reason and change nothing."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from PIL import Image
from starlette.testclient import TestClient

from core.admin import site
from core.config import Config
from core.sales import online_settings
from core.store.db import Database
from tests.support.constants import FIXED_NOW, ZONE
from tests.support.fixture_types import Cli
from tests.support.selling_helpers import hall_performance, user
from web.app import create_app

CORA = ("--user", "cora", "--pin", "3333")


@pytest.fixture
def client(demo_db: Database, demo_path: Path) -> TestClient:
    return TestClient(create_app(demo_path), raise_server_exceptions=False)


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found
    return found.group(1)


def test_a_performance_taken_off_the_web_is_shown_but_not_sold(
        cli: Cli, client: TestClient, demo_db: Database) -> None:
    show = hall_performance(demo_db)
    page = client.get(f"/performances/{show}").text
    csrf = _csrf(page)
    assert cli("web", "online", str(show), "--off", *CORA)[0] == 0
    page = client.get(f"/performances/{show}").text
    assert "at the box office only" in page and "Find seats" not in page
    answer = client.post(f"/performances/{show}/best", data={"csrf": csrf, "quantity": "2"})
    assert "not sold online" in answer.text
    assert demo_db.execute("SELECT count(*) FROM cart_items").fetchone()[0] == 0
    assert "at the box office only" in client.get("/").text


def test_an_online_window_price_types_limit_and_fee(cli: Cli, client: TestClient,
                                                    demo_db: Database) -> None:
    show = hall_performance(demo_db)
    later = (FIXED_NOW + timedelta(days=1)).astimezone(ZONE)
    code, said = cli("web", "online", str(show), "--from", f"{later:%Y-%m-%d %H:%M}", *CORA)
    assert code == 0, said
    assert f"on sale from {later:%a %d %b %Y, %H:%M}" in client.get("/").text
    assert cli("web", "online", str(show), "--from", "", "--price-types", "ADULT,CHILD",
               "--max-tickets", "3", "--fee", "1.50", *CORA)[0] == 0
    page = client.get(f"/performances/{show}").text
    assert ">Senior<" not in page and ">Child<" in page and "online fee of 1.50" in page
    csrf = _csrf(page)
    assert "at most 3 tickets" in client.post(f"/performances/{show}/best", data={
        "csrf": csrf, "quantity": "4"}).text
    cart = client.post(f"/performances/{show}/best", data={"csrf": csrf, "quantity": "2"}).text
    # the online fee rides on each ticket: 138.24 + 1.50
    assert cart.count("139.74") == 2 and "279.48" in cart
    for bad, why in ((["--price-types", "COMP"], "comps are not sold online"),
                     (["--fee", "-1"], "not an amount"),
                     (["--price-types", "NOPE"], "there is no price type")):
        code, said = cli("web", "online", str(show), *bad, *CORA)
        assert code != 0 and why in said, said
    assert online_settings.online_settings(demo_db, show).fee_cents == 150


def test_the_site_s_words_colour_logo_and_pages(cli: Cli, client: TestClient,
                                               demo_db: Database, tmp_path: Path) -> None:
    code, said = cli("web", "site", "--name", "Aldridge Hall", "--colour", "#7a1f5c",
                     "--hours", "Tue-Sat 12-18", "--banner", "Extra matinee added",
                     "--address", "1 Harbor Way", *CORA)
    assert code == 0, said
    code, said = cli("web", "site", "--colour", "#ffee00", *CORA)
    assert code == 1 and "too light" in said
    logo = tmp_path / "logo.png"
    Image.new("RGB", (60, 20), "#7a1f5c").save(logo)
    assert cli("web", "site", "--logo", str(logo), *CORA)[0] == 0
    text = tmp_path / "parking.md"
    text.write_text("# Parking\n\nThe **Civic Garage**.\n\n<script>alert(1)</script>\n")
    assert cli("web", "page", "set", "parking", "--title", "Parking", "--file", str(text),
               *CORA)[0] == 0
    code, said = cli("web", "page", "set", "Bad Slug", "--title", "x", "--file", str(text),
                     *CORA)
    assert code == 1 and "lower-case letters" in said
    home = client.get("/").text
    assert "Aldridge Hall" in home and "--brand: #7a1f5c" in home
    assert "Extra matinee added" in home and "Tue-Sat 12-18" in home
    assert 'href="/info/parking"' in home and 'src="/site/logo"' in home
    image = client.get("/site/logo")
    assert image.headers["content-type"] == "image/png"
    assert Image.open(io.BytesIO(image.content)).size == (60, 20)
    info = client.get("/info/parking").text
    assert "<strong>Civic Garage</strong>" in info
    assert "<script>" not in info and "&lt;script&gt;" in info
    assert client.get("/info/nowhere").status_code == 404
    assert cli("web", "page", "delete", "parking", *CORA)[0] == 0
    assert client.get("/info/parking").status_code == 404
    assert cli("web", "site", "--name", "Hacked", "--user", "sam", "--pin", "1111")[0] == 1
    assert site.site_info(demo_db, Config()).name == "Aldridge Hall"


def test_a_logo_must_be_a_small_picture(demo_db: Database) -> None:
    cora = user(demo_db, "cora")
    for content in (b"GIF89a....", b"\x89PNG\r\n\x1a\n" + b"0" * 300_000):
        with pytest.raises(site.SiteError):
            site.set_logo(demo_db, cora, content)
    assert site.logo(demo_db) is None
