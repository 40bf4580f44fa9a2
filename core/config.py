"""config.toml: strict loading with the standard library's tomllib.

An unknown key, a missing table or a value of the wrong type stops with the file, the
key and what was expected. Nothing here reads the environment or the disk at import time:
the CLI calls `find_config_path` and `load_config` once and passes the result down.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from core.errors import ConfigError

PRINTER_BACKENDS = ("preview", "file", "usb", "network", "serial")
DECODERS = ("zxing", "pyzbar", "opencv")
PAYMENT_PROVIDERS = ("stripe",)
STRIPE_JS_URL = "https://js.stripe.com/v3/"
_LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]")


@dataclass(frozen=True)
class DatabaseConfig:
    path: Path = Path("boxoffice.db")
    # postgresql://user@host:port/name: the box office on PostgreSQL instead of the
    # SQLite file `path` (docs/postgresql.md). Kept out of repr: it may hold a password.
    url: str = field(default="", repr=False)


@dataclass(frozen=True)
class VenueConfig:
    timezone: str = "America/New_York"
    currency: str = "USD"
    # the house as it signs its letters to patrons (core/reports/letters.py)
    house_name: str = "The Box Office"
    house_address: str = ""


@dataclass(frozen=True)
class SalesConfig:
    cart_hold_minutes: int = 10
    # while the payment dialog is open the seats stay held, but never longer than this
    # after it opened (a hard ceiling: a forgotten window cannot keep seats forever)
    payment_hold_max_minutes: int = 20


@dataclass(frozen=True)
class PricingConfig:
    """Defaults for new prices; a performance's own prices may differ."""

    fee_name: str = "Facility fee"
    fee_cents: int = 0
    tax_name: str = "Sales tax"
    tax_basis_points: int = 0     # 1 basis point = 0.01 %; 825 = 8.25 %


@dataclass(frozen=True)
class TicketsConfig:
    # Where the Ed25519 signing key lives; "" means beside the database, in
    # <database name>-keys/, so a key always travels with the database it signs for.
    key_dir: str = ""
    house_lines: tuple[str, ...] = ()   # printed at the foot of every ticket


def database_location(config: Config) -> Path | str:
    """The configured database: [database] url when set (PostgreSQL), else the SQLite
    file [database] path."""
    return config.database.url or config.database.path


def ticket_key_dir(config: Config, database: Path, database_id: str) -> Path:
    """The signing key directory for a database (see TicketsConfig): the configured one,
    or <database name>-keys/<database id>/ beside the database file."""
    if config.tickets.key_dir:
        return Path(config.tickets.key_dir)
    return database.parent / f"{database.stem}-keys" / database_id


@dataclass(frozen=True)
class WindowConfig:
    """This window: its station (drawer) name; "" names it after its terminal (see
    tui/station.py)."""

    station: str = ""


@dataclass(frozen=True)
class SecurityConfig:
    idle_lock_minutes: int = 5


@dataclass(frozen=True)
class PrinterConfig:
    backend: str = "preview"
    path: str = "prints"          # file: a file or device node; preview: a directory
    host: str = ""
    port: int = 9100
    vendor_id: int = 0
    product_id: int = 0
    device: str = "/dev/ttyUSB0"
    baudrate: int = 115200
    profile: str = "TM-T88V"
    paper_mm: int = 80
    timeout_seconds: int = 10
    logo: str = ""                # an image printed at the top of tickets; "" for none
    slip_copies: int = 2          # refund and void slips: 1 customer copy, 2 also the drawer's


@dataclass(frozen=True)
class CameraConfig:
    source: str = "0"             # a device index, a device path, a video file
    width: int = 1280
    height: int = 720
    decoder: str = "zxing"


@dataclass(frozen=True)
class GateServerConfig:
    """The LAN check-in server (`boxoffice gate-server`) and the lanes that use it."""

    host: str = "127.0.0.1"       # a LAN address to serve lanes; never the storefront's
    port: int = 8470
    lane_timeout_ms: int = 1000   # a lane judges offline when the server is slower
    lane_pull_seconds: int = 3    # how often an online lane pulls changes and uploads


@dataclass(frozen=True)
class WebConfig:
    """The public storefront (`boxoffice serve`): what a patron may do online."""

    host: str = "127.0.0.1"       # behind a TLS reverse proxy in production
    port: int = 8080
    hold_minutes: int = 10        # how long a patron's seats stay in their cart
    hold_extensions: int = 2      # how many times a patron may ask for more time
    max_tickets: int = 10         # per order
    price_types: tuple[str, ...] = ()    # sold online; () = the standard ones (no comp/group)
    reserve_hours: int = 48       # pay at the box office within this; 0 = no reservations
    reserve_cutoff_hours: int = 3     # ... and no later than this before the performance
    reservations_per_email: int = 2   # unpaid reservations one email may hold at once
    payment_minutes: int = 15     # seats kept while the patron pays by card
    secret: str = ""              # signs sessions and order links; "" = one kept in the db
    base_url: str = ""            # the site's address in emails, e.g. https://tickets.example
    posts_per_minute: int = 30    # cart and checkout forms per client (order lookups: 2)


@dataclass(frozen=True)
class MailConfig:
    """Email to patrons (order confirmations) through an SMTP server; host "" = none."""

    host: str = ""
    port: int = 25
    sender: str = ""              # the From: address, e.g. "Box Office <tickets@example>"
    username: str = ""
    password: str = field(default="", repr=False)   # kept out of logs and tracebacks
    starttls: bool = False
    timeout_seconds: int = 10


@dataclass(frozen=True)
class BackupConfig:
    """Automatic backups (at each Z close): where, and how many to keep."""

    # "" means <database name>-backups/ beside the database file
    directory: str = ""
    keep: int = 30


def backup_dir(config: Config, database: Path) -> Path:
    """Where automatic backups of `database` go (see BackupConfig)."""
    if config.backup.directory:
        return Path(config.backup.directory)
    return database.parent / f"{database.stem}-backups"


@dataclass(frozen=True)
class ShiftsConfig:
    """Closing out: the drawer's denominations (cents, as counted) and how far a count may
    be over or short before a coordinator must sign the shift off with a note."""

    denominations: tuple[int, ...] = (10000, 5000, 2000, 1000, 500, 100, 25, 10, 5, 1)
    over_short_tolerance_cents: int = 500


@dataclass(frozen=True)
class CardReconciliationConfig:
    """How to read the card processor's settlement CSV: which column holds what."""

    amount_column: str = "Amount"
    time_column: str = "Transaction Time"
    last4_column: str = "Card Last 4"
    approval_column: str = "Approval Code"
    reference_column: str = "Reference"    # "" when the file has none
    time_format: str = "%Y-%m-%d %H:%M:%S"
    timezone: str = ""                     # the file's zone; "" means the venue's
    amount_unit: str = "units"             # "units": 12.50; "cents": 1250
    delimiter: str = ","
    time_tolerance_minutes: int = 10


@dataclass(frozen=True)
class PaymentsConfig:
    """The web storefront's card payments (docs/payments.md). No provider ("") means the
    storefront offers only "reserve now, pay at the box office"."""

    provider: str = ""            # "stripe", or "" for none
    # the secrets stay out of repr(): a config printed in a log or a traceback
    secret_key: str = field(default="", repr=False)      # sk_... or a restricted rk_...
    publishable_key: str = ""     # pk_...: the browser's, shown in the payment page
    webhook_secret: str = field(default="", repr=False)  # whsec_...: verifies events
    api_base: str = ""            # "" for Stripe's own; a local stand-in such as localstripe
    js_url: str = ""              # "" for Stripe.js from Stripe; a stand-in's stripe.js
    currency: str = ""            # "" means [venue] currency


@dataclass(frozen=True)
class Config:
    source: Path | None = None
    database: DatabaseConfig = field(default_factory=DatabaseConfig)
    venue: VenueConfig = field(default_factory=VenueConfig)
    sales: SalesConfig = field(default_factory=SalesConfig)
    pricing: PricingConfig = field(default_factory=PricingConfig)
    tickets: TicketsConfig = field(default_factory=TicketsConfig)
    security: SecurityConfig = field(default_factory=SecurityConfig)
    window: WindowConfig = field(default_factory=WindowConfig)
    printer: PrinterConfig = field(default_factory=PrinterConfig)
    camera: CameraConfig = field(default_factory=CameraConfig)
    gate_server: GateServerConfig = field(default_factory=GateServerConfig)
    web: WebConfig = field(default_factory=WebConfig)
    mail: MailConfig = field(default_factory=MailConfig)
    backup: BackupConfig = field(default_factory=BackupConfig)
    shifts: ShiftsConfig = field(default_factory=ShiftsConfig)
    card_reconciliation: CardReconciliationConfig = field(
        default_factory=CardReconciliationConfig)
    payments: PaymentsConfig = field(default_factory=PaymentsConfig)
    keymap: dict[str, str] = field(default_factory=dict)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.venue.timezone)


_TABLES: dict[str, type] = {
    "database": DatabaseConfig,
    "venue": VenueConfig,
    "sales": SalesConfig,
    "pricing": PricingConfig,
    "tickets": TicketsConfig,
    "security": SecurityConfig,
    "window": WindowConfig,
    "printer": PrinterConfig,
    "camera": CameraConfig,
    "gate_server": GateServerConfig,
    "web": WebConfig,
    "mail": MailConfig,
    "backup": BackupConfig,
    "shifts": ShiftsConfig,
    "card_reconciliation": CardReconciliationConfig,
    "payments": PaymentsConfig,
}

_TYPE_NAMES = {int: "an integer", str: "a string", Path: "a path (string)", bool: "true or false"}


def user_config_path(environ: dict[str, str] | None = None) -> Path:
    environ = dict(os.environ) if environ is None else environ
    base = environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "boxoffice" / "config.toml"


def find_config_path(explicit: str | Path | None, environ: dict[str, str] | None = None,
                     cwd: Path | None = None) -> Path | None:
    """The config file to use: `--config`, then BOXOFFICE_CONFIG, then ./config.toml,
    then the user's config directory; None when there is none (defaults apply).

    An explicitly named file (option or variable) that does not exist is an error.
    """
    environ = dict(os.environ) if environ is None else environ
    if explicit:
        path = Path(explicit)
        if not path.is_file():
            raise ConfigError(f"--config {path}: no such file")
        return path
    from_env = environ.get("BOXOFFICE_CONFIG")
    if from_env:
        path = Path(from_env)
        if not path.is_file():
            raise ConfigError(f"BOXOFFICE_CONFIG={path}: no such file")
        return path
    local = (cwd or Path.cwd()) / "config.toml"
    if local.is_file():
        return local
    user = user_config_path(environ)
    return user if user.is_file() else None


def load_config(path: Path | None) -> Config:
    """Read and validate `path` (None: all defaults). Raises ConfigError naming file and key."""
    if path is None:
        return Config()
    where = str(path)
    try:
        raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{where}: cannot read it ({exc.strerror})") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{where}: not UTF-8 text") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{where}: not valid TOML: {exc}") from exc
    config = parse_config(raw, source=Path(path))
    _check_secret_file(config, Path(path))
    return config


def _check_secret_file(config: Config, path: Path) -> None:
    """A file that holds the payment provider's secret keys, or the mail server's
    password, must be readable by its owner only: anyone who reads the secret key can
    refund to any card, and the password sends mail as the box office."""
    payments = config.payments
    held = [name for name, present in (
        ("the [payments] secret keys", payments.secret_key or payments.webhook_secret),
        ("the [mail] password", config.mail.password)) if present]
    if not held:
        return
    mode = path.stat().st_mode & 0o777
    if mode & 0o077:
        raise ConfigError(
            f"{path}: holds {' and '.join(held)} but other users may read it "
            f"(mode {mode:o}); make it private with `chmod 600 {path}`")


def parse_config(raw: dict[str, Any], *, source: Path | None = None) -> Config:
    where = str(source) if source else "config"
    unknown = sorted(set(raw) - set(_TABLES) - {"keymap"})
    if unknown:
        raise ConfigError(
            f"{where}: unknown table or key '{unknown[0]}' "
            f"(expected one of: {', '.join(sorted([*_TABLES, 'keymap']))})"
        )
    values: dict[str, Any] = {}
    for table, cls in _TABLES.items():
        section = raw.get(table, {})
        if not isinstance(section, dict):
            raise ConfigError(f"{where}: '{table}' must be a table ([{table}])")
        values[table] = _build(cls, section, f"{where}: [{table}]")
    keymap = raw.get("keymap", {})
    if not isinstance(keymap, dict):
        raise ConfigError(f"{where}: 'keymap' must be a table ([keymap])")
    for key, value in keymap.items():
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(
                f"{where}: [keymap] {key} must be a string of keys such as \"f5\" or \"ctrl+b\""
            )
    config = Config(source=source, keymap=dict(keymap), **values)
    _check_values(config, where)
    if source is not None:
        # Relative paths are relative to the config file, not the current directory.
        if not config.database.path.is_absolute():
            config = _replace(config, database=dataclasses.replace(
                config.database, path=source.parent / config.database.path))
        if config.printer.backend in ("preview", "file") and config.printer.path \
                and not Path(config.printer.path).is_absolute():
            config = _replace(config, printer=dataclasses.replace(
                config.printer, path=str(source.parent / config.printer.path)))
        logo = config.printer.logo
        if logo and not Path(logo).is_absolute():
            config = _replace(config, printer=dataclasses.replace(
                config.printer, logo=str(source.parent / logo)))
        key_dir = config.tickets.key_dir
        if key_dir and not Path(key_dir).is_absolute():
            config = _replace(config, tickets=dataclasses.replace(
                config.tickets, key_dir=str(source.parent / key_dir)))
        backups = config.backup.directory
        if backups and not Path(backups).is_absolute():
            config = _replace(config, backup=dataclasses.replace(
                config.backup, directory=str(source.parent / backups)))
    return config


def _replace(config: Config, **changes: Any) -> Config:
    return dataclasses.replace(config, **changes)


def _build(cls: type, section: dict[str, Any], where: str) -> Any:
    fields = {f.name: f for f in dataclasses.fields(cls)}
    kwargs: dict[str, Any] = {}
    for key, value in section.items():
        if key not in fields:
            raise ConfigError(
                f"{where}: unknown key '{key}' (expected one of: {', '.join(fields)})"
            )
        default = fields[key].default
        expected = type(default)
        if isinstance(default, tuple):
            # a tuple default's items say the type: (10000, 5000) ints, () strings
            item = int if default and isinstance(default[0], int) else str
            words = "integers" if item is int else "strings"
            if not isinstance(value, list) or not all(
                    isinstance(v, item) and not isinstance(v, bool) for v in value):
                raise ConfigError(f"{where}: '{key}' must be a list of {words}, not {value!r}")
            kwargs[key] = tuple(value)
            continue
        if expected is Path or isinstance(default, Path):
            if not isinstance(value, str):
                raise ConfigError(f"{where}: '{key}' must be a path (string), not {value!r}")
            value = Path(value)
        elif expected is int and (isinstance(value, bool) or not isinstance(value, int)):
            raise ConfigError(f"{where}: '{key}' must be an integer, not {value!r}")
        elif expected is not int and not isinstance(value, expected):
            raise ConfigError(
                f"{where}: '{key}' must be {_TYPE_NAMES.get(expected, expected.__name__)}, "
                f"not {value!r}"
            )
        kwargs[key] = value
    return cls(**kwargs)


def _check_values(config: Config, where: str) -> None:
    url = config.database.url
    if url and not url.startswith(("postgresql://", "postgres://")):
        raise ConfigError(
            f"{where}: [database] url must be a PostgreSQL URL such as "
            "\"postgresql://boxoffice@db-host/boxoffice\" (a SQLite file is [database] path)")
    try:
        ZoneInfo(config.venue.timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(
            f"{where}: [venue] timezone '{config.venue.timezone}' is not a known time zone "
            "(expected a name such as \"America/New_York\" or \"Europe/London\")"
        ) from exc
    if len(config.venue.currency) != 3 or not config.venue.currency.isupper():
        raise ConfigError(
            f"{where}: [venue] currency must be a 3-letter ISO code such as \"USD\", "
            f"not {config.venue.currency!r}"
        )
    positive = {
        "[sales] cart_hold_minutes": config.sales.cart_hold_minutes,
        "[sales] payment_hold_max_minutes": config.sales.payment_hold_max_minutes,
        "[security] idle_lock_minutes": config.security.idle_lock_minutes,
        "[printer] timeout_seconds": config.printer.timeout_seconds,
        "[printer] slip_copies": config.printer.slip_copies,
        "[camera] width": config.camera.width,
        "[camera] height": config.camera.height,
        "[backup] keep": config.backup.keep,
        "[gate_server] lane_timeout_ms": config.gate_server.lane_timeout_ms,
        "[gate_server] lane_pull_seconds": config.gate_server.lane_pull_seconds,
        "[web] hold_minutes": config.web.hold_minutes,
        "[web] max_tickets": config.web.max_tickets,
        "[web] reservations_per_email": config.web.reservations_per_email,
        "[web] posts_per_minute": config.web.posts_per_minute,
        "[web] payment_minutes": config.web.payment_minutes,
        "[mail] timeout_seconds": config.mail.timeout_seconds,
    }
    for name, value in positive.items():
        if value <= 0:
            raise ConfigError(f"{where}: {name} must be a positive integer, not {value}")
    for name, value in {"[pricing] fee_cents": config.pricing.fee_cents,
                        "[pricing] tax_basis_points": config.pricing.tax_basis_points,
                        "[web] hold_extensions": config.web.hold_extensions,
                        "[web] reserve_hours": config.web.reserve_hours,
                        "[web] reserve_cutoff_hours": config.web.reserve_cutoff_hours,
                        }.items():
        if value < 0:
            raise ConfigError(f"{where}: {name} must be zero or more, not {value}")
    if config.printer.backend not in PRINTER_BACKENDS:
        raise ConfigError(
            f"{where}: [printer] backend must be one of {', '.join(PRINTER_BACKENDS)}, "
            f"not {config.printer.backend!r}"
        )
    if config.printer.paper_mm not in (58, 80):
        raise ConfigError(f"{where}: [printer] paper_mm must be 58 or 80, "
                          f"not {config.printer.paper_mm}")
    for name, port in {"[gate_server] port": config.gate_server.port,
                       "[web] port": config.web.port, "[mail] port": config.mail.port}.items():
        if not 1 <= port <= 65535:
            raise ConfigError(f"{where}: {name} must be from 1 to 65535, not {port}")
    if config.mail.host and "@" not in config.mail.sender:
        raise ConfigError(f"{where}: [mail] sender must be an email address when [mail] host "
                          f"is set, not {config.mail.sender!r}")
    if config.web.base_url and not config.web.base_url.startswith(("http://", "https://")):
        raise ConfigError(f"{where}: [web] base_url must start with https:// (or http://), "
                          f"not {config.web.base_url!r}")
    _check_closeout(config, where)
    _check_payments(config, where)
    if config.camera.decoder not in DECODERS:
        raise ConfigError(
            f"{where}: [camera] decoder must be one of {', '.join(DECODERS)}, "
            f"not {config.camera.decoder!r}"
        )


def _check_closeout(config: Config, where: str) -> None:
    shifts = config.shifts
    notes = shifts.denominations
    if not notes or any(n <= 0 for n in notes) or len(set(notes)) != len(notes):
        raise ConfigError(f"{where}: [shifts] denominations must be a list of different "
                          f"positive amounts in cents such as [2000, 500, 25], not {list(notes)}")
    if shifts.over_short_tolerance_cents < 0:
        raise ConfigError(f"{where}: [shifts] over_short_tolerance_cents must be zero or "
                          f"more, not {shifts.over_short_tolerance_cents}")
    cards = config.card_reconciliation
    for key in ("amount_column", "time_column", "last4_column", "approval_column",
                "time_format"):
        if not getattr(cards, key).strip():
            raise ConfigError(f"{where}: [card_reconciliation] {key} must name a column "
                              "(or, for time_format, a strptime format)")
    if cards.amount_unit not in ("units", "cents"):
        raise ConfigError(f"{where}: [card_reconciliation] amount_unit must be \"units\" "
                          f"or \"cents\", not {cards.amount_unit!r}")
    if len(cards.delimiter) != 1:
        raise ConfigError(f"{where}: [card_reconciliation] delimiter must be one "
                          f"character, not {cards.delimiter!r}")
    if cards.time_tolerance_minutes < 0:
        raise ConfigError(f"{where}: [card_reconciliation] time_tolerance_minutes must be "
                          f"zero or more, not {cards.time_tolerance_minutes}")
    if cards.timezone:
        try:
            ZoneInfo(cards.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ConfigError(f"{where}: [card_reconciliation] timezone "
                              f"'{cards.timezone}' is not a known time zone") from exc


def _check_payments(config: Config, where: str) -> None:
    """[payments]: a known provider with all three keys of the right kind, or nothing at
    all. The messages name the key and what it must look like, never the key's value."""
    payments = config.payments
    at = f"{where}: [payments]"
    if not payments.provider:
        stray = [f.name for f in dataclasses.fields(payments)
                 if f.name != "provider" and getattr(payments, f.name)]
        if stray:
            raise ConfigError(f"{at} {stray[0]} is set but no provider is: add "
                              f"provider = \"stripe\" (or remove the [payments] keys)")
        return
    if payments.provider not in PAYMENT_PROVIDERS:
        raise ConfigError(f"{at} provider must be one of {', '.join(PAYMENT_PROVIDERS)}, "
                          f"not {payments.provider!r}")
    prefixes = {"secret_key": ("sk_", "rk_"), "publishable_key": ("pk_",),
                "webhook_secret": ("whsec_",)}
    for key, starts in prefixes.items():
        value = getattr(payments, key)
        if not value:
            raise ConfigError(f"{at} {key} is missing (Stripe's dashboard: Developers, "
                              f"{'Webhooks' if key == 'webhook_secret' else 'API keys'})")
        if not value.startswith(starts) or len(value) < 8 or value != value.strip():
            kind = " or ".join(f"{p}..." for p in starts)
            raise ConfigError(f"{at} {key} must be a key that starts with {kind} "
                              f"(is it in the wrong place?)")
    secret_live = "_live_" in payments.secret_key
    if secret_live != ("_live_" in payments.publishable_key):
        raise ConfigError(f"{at} secret_key and publishable_key must both be test keys or "
                          "both live keys")
    for key in ("api_base", "js_url"):
        value = getattr(payments, key)
        if value and not _safe_url(value):
            raise ConfigError(f"{at} {key} must be an https:// URL (plain http:// only to "
                              f"this machine, for a local stand-in), not {value!r}")
    if payments.currency and (len(payments.currency) != 3 or not payments.currency.isupper()):
        raise ConfigError(f"{at} currency must be a 3-letter ISO code such as \"USD\", "
                          f"not {payments.currency!r}")


def _safe_url(url: str) -> bool:
    """https anywhere; http only to a loopback address (the secret key goes in a header)."""
    if url.startswith("https://") and len(url) > len("https://"):
        return True
    if url.startswith("http://"):
        host = url[len("http://"):].split("/", 1)[0]
        host = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        return host in _LOOPBACK_HOSTS
    return False
