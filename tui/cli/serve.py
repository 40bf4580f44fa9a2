"""`boxoffice serve`: the public storefront (web/), in its own process, handed to uvicorn
as an import string so tui never imports web (front ends stay apart). It listens on
127.0.0.1 unless told otherwise: put it behind a TLS reverse proxy to face the public
(docs/web.md)."""

from __future__ import annotations

import os
import sys

import click

from tui.cli.context import cli_context, open_db


@click.command("serve")
@click.option("--host", default=None,
              help="The address to listen on ([web] host, 127.0.0.1 by default; behind a "
                   "TLS proxy keep 127.0.0.1).")
@click.option("--port", type=click.IntRange(1, 65535), default=None,
              help="The port ([web] port, 8080 by default).")
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Processes; each opens its own connection.")
@click.option("--db", "db_path", type=click.Path(dir_okay=False))
def serve(host: str | None, port: int | None, workers: int, db_path: str | None) -> None:
    """Serve the public storefront: what's on, prices, seats (see docs/web.md)."""
    import uvicorn

    context = cli_context()
    host = host or context.config.web.host
    port = port or context.config.web.port
    try:
        open_db(db_path).close()    # migrated, and refused on a network filesystem
    except OSError as error:
        click.echo(f"boxoffice: cannot open the database: {error}", err=True)
        sys.exit(1)
    if context.config.source is not None:
        os.environ["BOXOFFICE_CONFIG"] = str(context.config.source)
    os.environ["BOXOFFICE_DB"] = str(context.db_path(db_path))
    click.echo(f"The storefront is on http://{host}:{port}/ (Ctrl+C stops it)", err=True)
    uvicorn.run("web.app:create_app", factory=True, host=host, port=port, workers=workers,
                log_level="warning", access_log=False, proxy_headers=True)
