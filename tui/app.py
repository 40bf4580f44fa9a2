"""The window app. It receives its database, config, clock and printer in its
constructor, so tests and the demo hand in their own.

What the window holds between screens lives here: who is signed in (`user`), the sale in
progress (`sale`), and when a key was last pressed (for the idle lock). Screens call core
services with these; printing runs in a thread worker and reports back as a message.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from textual import events, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen

from core import clock
from core.config import Config, ticket_key_dir
from core.errors import BoxOfficeError
from core.people.models import User
from core.store.db import Database, home_path
from core.store.schema import database_id
from core.venue import seat_plan, venues
from tui.sale import Sale

# Orders, ticket signing and printing (with PIL and the ticket renderer) are imported where
# they are used: the sign-in screen needs none of them, and they were a tenth of a second
# of the cold start (bench/README.md).
if TYPE_CHECKING:
    from core.gate.codes import Signer
    from core.sales.card_provider import CardProvider
    from core.sales.models import Order
    from hardware.printer_spec import Printer
    from tui.printing import PrintResult


@dataclass(frozen=True)
class PrintJob:
    order_id: int
    receipt: bool
    kick_drawer: bool
    tickets: bool = True
    slip: str = ""            # "refund", "void", "exchange": a change slip, not the receipt


class BoxOfficeApp(App[None]):
    # The sell screens' CSS is read with the app's: read at the first map open, it made
    # Textual parse every stylesheet again and restyle the whole app (30-50 ms then; no
    # difference measured at start-up)
    CSS_PATH = ["app.tcss", "screens/sell.tcss"]
    TITLE = "Box office"
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", id="app.quit"),
        Binding("ctrl+l", "lock", "Lock", id="app.lock"),
        Binding("ctrl+o", "order_lookup", "Orders", id="app.orders"),
        Binding("f2", "shift", "Shift", id="app.shift"),
        Binding("f3", "reports", "Reports", id="app.reports"),
        Binding("f4", "admin", "Admin", id="app.admin"),
        Binding("f6", "stock", "Stock", id="app.stock"),
        # the same key for a user without `stock`: says why instead of doing nothing
        Binding("f6", "stock_refused", "Stock", show=False, id="app.stock_refused"),
        # groups: in the palette too; kept off the footer, which is full at 80 columns
        Binding("f7", "groups", "Groups", show=False, id="app.groups"),
        Binding("f8", "cases", "Cases", show=False, id="app.cases"),
    ]

    class PrintFinished(Message):
        """A print job came back from the printer worker."""

        def __init__(self, job: PrintJob, result: PrintResult) -> None:
            super().__init__()
            self.job = job
            self.result = result

    def __init__(self, db: Database, config: Config, *,
                 clock: Callable[[], datetime] = clock.now, training: bool = False,
                 station: str = "window-1", key_dir: Path | None = None,
                 printer: Printer | None = None) -> None:
        super().__init__()
        # On a 16-colour terminal, draw ANSI colour names (the price zones) with the
        # terminal's own palette: Textual would otherwise map them through its theme and
        # back down, and a "yellow" zone came out bright red.
        if self.console.color_system == "standard":
            self.ansi_color = True
        self.db = db
        self.config = config
        self.clock = clock
        self.training = training
        self.station = station
        self.user: User | None = None
        self.sale = Sale()
        self.last_print: PrintResult | None = None
        self._key_dir = key_dir
        self._printer = printer
        self._signer: Signer | None = None
        self._seat_indexes: dict[tuple[int, str], seat_plan.SeatIndex] = {}
        self._last_input = clock()
        # the payment's hold: its hard ceiling while the dialog is open, and when it ends
        self._payment_ceiling: datetime | None = None
        self._hold_extended_at: datetime | None = None
        self.hold_until: datetime | None = None
        self._hold_warned: int | None = None
        if training:
            self.TITLE = "Box office - TRAINING"

    # -- who is at the window ----------------------------------------------------------

    @property
    def seller(self) -> User:
        """The signed-in user. Screens past the login screen may rely on it."""
        if self.user is None:
            raise BoxOfficeError("nobody is signed in", code="not_signed_in")
        return self.user

    def on_mount(self) -> None:
        from tui.screens.login import LoginScreen

        if self.config.keymap:
            self.set_keymap(self.config.keymap)
        self.push_screen(LoginScreen())
        # parse the venues' maps while the seller signs in, so the first map opens at
        # once (the stadium's 37,000 seats take a tenth of a second)
        self._warm_seatmaps(venues.current_sources(self.db))
        self.set_interval(1.0, self.check_idle_lock, name="idle-lock")

    @work(thread=True, exclusive=True, group="warm-seatmaps")
    def _warm_seatmaps(self, sources: list[tuple[str, str, str]]) -> None:
        venues.warm_cache(sources)
        # What is alive now (modules, the parsed maps) stays for the life of the process:
        # frozen, the full collections no longer walk the stadium's 37,000 parsed seats
        # (about 165 ms each, landing on whatever the window was doing). Once per
        # process: a later app in the same process (tests) would freeze the previous
        # one's garbage for good.
        if gc.get_freeze_count() == 0:
            gc.freeze()

    def signed_in(self, user: User) -> None:
        """Called by the login and lock screens when a PIN was right."""
        previous = self.user
        self.user = user
        self._last_input = self.clock()
        self.sub_title = f"{user.display_name} ({user.role})  {self.station}" + (
            "  TRAINING" if self.training else "")
        if previous is not None and previous.id != user.id:
            self.notify(f"{user.display_name} now sells at this window; the cart is as it "
                        "was (F5 shows it).", title="Seller switched")
        self.warn_if_hold_ran_out()

    def resume_open_cart(self) -> bool:
        """A seller signing in where their sale was left open (the window closed without
        ending it) gets that cart back while it still holds the seats."""
        from core.sales.carts import resume_cart

        if self.sale.cart_id is not None or self.user is None:
            return False
        cart_id = resume_cart(self.db, self.user, self.station, self.clock())
        if cart_id is None:
            return False
        self.sale.cart_id = cart_id
        self.notify("Your sale at this window was still open: its cart is back (Esc on a "
                    "map, or F5, shows it).", title="Sale resumed")
        return True

    def warn_if_hold_ran_out(self) -> None:
        """Say so when the cart's hold ran out unseen (behind the lock screen): its seats
        went back on sale, and the seller must not find out at Confirm."""
        view = self.sale.view(self.db)
        if (view is None or view.empty or self._hold_warned == view.id
                or view.status not in ("open", "expired") or view.expires_at > self.clock()):
            return
        self._hold_warned = view.id
        self.notify("The cart's hold ran out while the window was locked: its seats went "
                    "back on sale. Check the cart before taking money.", severity="error",
                    title="Hold ran out", timeout=20)

    async def action_quit(self) -> None:
        """Ctrl+Q: with a sale in progress, ask first; quitting puts its seats back on
        sale at once (another window need not wait for the hold to run out)."""
        from tui.screens.dialogs import Confirm

        view = self.sale.view(self.db) if self.user is not None else None
        if (view is None or view.empty or view.status != "open"
                or view.expires_at <= self.clock()):
            self.exit()
            return
        items = sum(good.quantity for good in view.goods)
        what = ", ".join(part for part in (
            f"{view.ticket_count} ticket{'s' if view.ticket_count != 1 else ''}"
            if view.ticket_count else "",
            f"{items} item{'s' if items != 1 else ''}" if items else "") if part)

        def answered(yes: bool | None) -> None:
            if not yes:
                return
            from core.sales.carts import cancel_cart

            try:
                cancel_cart(self.db, self.seller, view.id, self.clock())
            except BoxOfficeError as error:
                self.show_error(error, title="Quit")
                return
            self.sale.clear()
            self.exit()

        self.push_screen(Confirm(f"A sale is in progress ({what}). Quit and put its seats "
                                 "back on sale?"), answered)

    # -- the hold while money is taken ---------------------------------------------------

    def begin_payment(self) -> None:
        """The payment dialog opened: keep the seats held while it is open, up to
        [sales] payment_hold_max_minutes from now."""
        now = self.clock()
        self._payment_ceiling = now + timedelta(
            minutes=self.config.sales.payment_hold_max_minutes)
        self._hold_extended_at = None
        self.keep_payment_hold()

    def end_payment(self) -> None:
        self._payment_ceiling = None

    def keep_payment_hold(self) -> None:
        """Every 30 seconds while the payment is open (the idle lock too), push the
        cart's hold out again, never past the ceiling. `hold_until` is the truth the
        payment dialog counts down."""
        from core.sales.carts import extend_hold

        ceiling, cart_id = self._payment_ceiling, self.sale.cart_id
        if ceiling is None or cart_id is None or self.user is None:
            return
        now = self.clock()
        if (self._hold_extended_at is not None
                and now - self._hold_extended_at < timedelta(seconds=30)):
            return
        self._hold_extended_at = now
        try:
            self.hold_until = extend_hold(
                self.db, self.user, cart_id, now,
                timedelta(minutes=self.config.sales.cart_hold_minutes), not_past=ceiling)
        except BoxOfficeError:
            self._payment_ceiling = None     # too late: Confirm says so, in words

    def back_to_list(self) -> None:
        """Close every screen above the performance list (the sale's cart is the app's,
        not a screen's: it stays)."""
        from tui.screens.performances import PerformancesScreen

        stack = self.screen_stack
        while len(stack) > 1 and not isinstance(stack[-1], PerformancesScreen):
            self.pop_screen()
            stack = self.screen_stack

    def after_sign_in(self) -> None:
        """What a window needs once someone is signed in: a shift to take money in.
        A seller without one counts the float first (Esc puts it off)."""
        from core.people.permissions import has_permission
        from core.till import shifts
        from tui.screens.shift import OpenShiftModal

        user = self.seller
        if (has_permission(self.db, user.role, "sell")
                and shifts.current_shift(self.db, user.id) is None):
            self.push_screen(OpenShiftModal(), self._shift_opened)

    def _shift_opened(self, shift: object) -> None:
        from core.till.models import Shift

        if isinstance(shift, Shift):
            self.notify(f"Shift {shift.id} open at {shift.station}, float "
                        f"{shift.float_cents / 100:.2f}.", title="Shift")
        else:
            self.notify("No shift open: you can look things up, but not take money until "
                        "you open one (F2, then o).", severity="warning",
                        title="Shift")

    # -- idle lock -----------------------------------------------------------------------

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key | events.MouseDown):
            self._last_input = self.clock()
        await super().on_event(event)

    def check_idle_lock(self) -> None:
        """Lock the window after [security] idle_lock_minutes without a key."""
        self.keep_payment_hold()
        minutes = self.config.security.idle_lock_minutes
        if self.user is None or minutes <= 0 or self.is_locked:
            return
        if self.clock() - self._last_input >= timedelta(minutes=minutes):
            self.action_lock()

    @property
    def is_locked(self) -> bool:
        from tui.screens.login import LockScreen, LoginScreen

        return any(isinstance(screen, LockScreen | LoginScreen) for screen in self.screen_stack)

    def action_lock(self) -> None:
        from tui.screens.login import LockScreen

        if self.user is not None and not self.is_locked:
            self.push_screen(LockScreen(self.user))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("lock", "command_palette", "order_lookup", "performances", "shift",
                      "reports", "admin", "groups", "cases"):
            return self.user is not None and not self.is_locked
        if action in ("stock", "stock_refused"):
            if self.user is None or self.is_locked:
                return False
            return self.may("stock") == (action == "stock")
        return True

    def may(self, permission: str) -> bool:
        """Whether the signed-in user's role has `permission` (core checks again)."""
        from core.people.permissions import has_permission

        user = self.user
        return (user is not None and not user.locked
                and has_permission(self.db, user.role, permission))

    def action_command_palette(self) -> None:
        # nothing behind a lock or before sign-in may be reached through the palette
        if self.user is not None and not self.is_locked:
            super().action_command_palette()

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        from tui.commands import window_commands

        if self.user is None or self.is_locked:
            return
        yield from window_commands(self, screen)
        yield from super().get_system_commands(screen)

    # -- devices -------------------------------------------------------------------------

    def key_dir(self) -> Path:
        """Where this database's private signing keys live."""
        if self._key_dir is None:
            return ticket_key_dir(self.config, self.database_path(), database_id(self.db))
        return self._key_dir

    def forget_signer(self) -> None:
        """After a key rotation: the next ticket is signed with the new key."""
        self._signer = None

    def card_provider(self) -> CardProvider | None:
        """The online card provider from [payments] (None when not set up): a refund of
        an order paid online goes back through it."""
        from core.sales.card_provider import provider_from_config

        return provider_from_config(self.config)

    def signer(self) -> Signer:
        """The key that signs ticket codes (made with the database if it has none)."""
        from core.gate import keys

        if self._signer is None:
            key_dir = self.key_dir()
            keys.ensure_signing_key(self.db, key_dir)
            self._signer = keys.load_signer(self.db, key_dir)
        return self._signer

    def seat_index(self, performance_id: int, map_sha: str) -> seat_plan.SeatIndex:
        """The performance's seats both ways, read once per map version: every sell screen
        of a stadium's sections shares it."""
        key = (performance_id, map_sha)
        if key not in self._seat_indexes:
            self._seat_indexes[key] = seat_plan.seat_index(self.db, performance_id)
        return self._seat_indexes[key]

    def database_path(self) -> Path:
        """What the files beside the database are named after (core.store.db.home_path):
        the SQLite file, or for PostgreSQL a name in the config file's directory."""
        source = self.config.source
        if self.db.location == ":memory:":
            return Path(self.config.database.path)
        return home_path(self.db.location, source.parent if source else None)

    def save_beside_database(self, folder: str, name: str, data: bytes | str) -> Path:
        """Write a file the house keeps (a letter, an export, a CSV) into `folder` beside
        the database, so every window of the house finds them together; returns where.
        Raises OSError."""
        path = self.database_path().parent / folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")
        return path

    def printer(self) -> Printer:
        from hardware.printers import open_printer

        if self._printer is None:
            self._printer = open_printer(self.config.printer)
        return self._printer

    def print_order(self, order: Order, *, receipt: bool = True,
                    kick_drawer: bool = False, tickets: bool = True) -> None:
        """Print the order's unprinted live tickets (and the receipt) in a worker; the
        result comes back as PrintFinished, and the app tells the seller. `tickets=False`
        prints only the receipt (will-call tickets print at pickup)."""
        try:
            signer = self.signer()
            printer = self.printer()
        except (BoxOfficeError, OSError) as error:
            message = error.message if isinstance(error, BoxOfficeError) else str(error)
            self.notify(f"Cannot print: {message}. The order is saved; reprint it from "
                        "order lookup (o).", severity="error", title="Printer",
                        timeout=15)
            return
        self._run_print_job(PrintJob(order.id, receipt, kick_drawer, tickets), order, signer,
                            printer, self.seller.display_name)

    @work(thread=True, group="printer")
    def _run_print_job(self, job: PrintJob, order: Order, signer: Signer,
               printer: Printer, seller: str) -> None:
        # A thread of its own with its own connection: sqlite3 connections are not
        # shared across threads, and the UI keeps answering keys while paper feeds.
        from core.store.schema import open_database
        from tui.printing import print_order

        db = open_database(self.db.location, check_location=False)
        try:
            result = print_order(db, self.config, order, signer, printer, seller=seller,
                                 now=self.clock(), receipt=job.receipt,
                                 kick_drawer=job.kick_drawer, tickets=job.tickets)
        finally:
            db.close()
        self.post_message(self.PrintFinished(job, result))

    def print_slip(self, before: Order, after: Order, kind: str) -> None:
        """Print the slip of a refund, void or exchange (and kick the drawer for cash) in
        a worker, after an exchange's new tickets (one worker, so the jobs do not mix on
        the printer); the result comes back as PrintFinished."""
        try:
            printer = self.printer()
            signer = self.signer() if kind == "exchange" else None
        except (BoxOfficeError, OSError) as error:
            message = error.message if isinstance(error, BoxOfficeError) else str(error)
            self.notify(f"Cannot print the {kind} slip: {message}. The {kind} is saved.",
                        severity="error", title="Printer", timeout=15)
            return
        self._run_slip_job(PrintJob(after.id, True, True, False, kind), before, after, kind,
                           signer, printer, self.seller.display_name)

    @work(thread=True, group="printer")
    def _run_slip_job(self, job: PrintJob, before: Order, after: Order, kind: str,
                      signer: Signer | None, printer: Printer, seller: str) -> None:
        from core.store.schema import open_database
        from tui.printing import print_order, print_slip

        db = open_database(self.db.location, check_location=False)
        try:
            result = None
            if signer is not None:
                result = print_order(db, self.config, after, signer, printer, seller=seller,
                                     now=self.clock(), receipt=False)
            if result is None or result.complete:
                slip = print_slip(db, self.config, before, after, kind, printer,
                                  seller=seller, now=self.clock())
                result = slip if result is None else replace(
                    slip, printed=result.printed)
        finally:
            db.close()
        self.post_message(self.PrintFinished(job, result))

    def on_box_office_app_print_finished(self, message: PrintFinished) -> None:
        self.last_print = message.result
        result = message.result
        if result.error is None:
            count = len(result.printed)
            what = f"{count} ticket{'s' if count != 1 else ''}" + (
                " and the receipt" if result.receipt else "")
            if not count and result.receipt:      # a sale of items alone
                what = "the receipt"
            if message.job.slip:
                what = (f"{count} ticket{'s' if count != 1 else ''} and " if count
                        else "") + f"the {message.job.slip} slip"
            self.notify(f"Printed {what}.", title="Printer")
        else:
            self.notify(f"{result.error.message} The order is saved: {len(result.printed)} "
                        "ticket(s) printed. Fix the printer, then reprint from order "
                        "lookup (o).", severity="error", title="Printer problem",
                        timeout=20)

    def print_report(self, title: str, rows: list[tuple[str, str]], label: str, *,
                     quiet: bool = False) -> None:
        """Print a two-column report (X, Z, a summary) on the receipt printer, in a worker;
        `quiet`: no "Printed" toast (the screen says so itself), a problem still shows."""
        try:
            printer = self.printer()
        except BoxOfficeError as error:
            self.show_error(error, title="Printer")
            return
        self._run_report_job(title, rows, label, printer, quiet)

    @work(thread=True, group="printer")
    def _run_report_job(self, title: str, rows: list[tuple[str, str]], label: str,
                        printer: Printer, quiet: bool) -> None:
        from core.admin.training import is_training
        from hardware.file_printers import PreviewPrinter
        from hardware.printer_spec import PrinterError
        from hardware.tickets import report_job

        # the mark is in the database, however the app was started; read on the UI
        # thread, whose connection it is
        training = self.training or self.call_from_thread(is_training, self.db)
        try:
            job = report_job(title, rows, profile=printer.profile, paper_mm=printer.paper_mm,
                             training=training)
            if isinstance(printer, PreviewPrinter):
                printer.send(job, label=label)
            else:
                printer.send(job)
        except PrinterError as error:
            self.call_from_thread(self.notify, f"{error.message} {title} is kept: print it "
                                  "again from Reports (F3).", severity="error",
                                  title="Printer problem", timeout=15)
            return
        if not quiet:
            self.call_from_thread(self.notify, f"Printed {title}.", title="Printer")

    def show_error(self, error: BoxOfficeError, *, title: str = "Not done") -> None:
        """A core error as the seller reads it: its message, never a traceback."""
        self.notify(error.message, severity="error", title=title, timeout=8)

    # -- where the window can go from anywhere -------------------------------------------

    def show_order(self, order_id: int) -> None:
        """The order screen of `order_id` (from a customer's orders, say)."""
        from tui.screens.order_detail import OrderDetailScreen

        self.push_screen(OrderDetailScreen(order_id))

    def show_customer(self, customer_id: int) -> None:
        """A customer's details and orders (from an order, say)."""
        from tui.screens.customer_detail import CustomerScreen

        self.push_screen(CustomerScreen(customer_id))

    def action_performances(self) -> None:
        from tui.screens.performances import PerformancesScreen

        if self.user is None or self.is_locked:
            return
        for screen in self.screen_stack:
            if isinstance(screen, PerformancesScreen):
                while self.screen is not screen:
                    self.pop_screen()
                return
        self.push_screen(PerformancesScreen())

    def action_shift(self) -> None:
        from tui.screens.shift_close import ShiftScreen

        if self.user is not None and not self.is_locked:
            self.push_screen(ShiftScreen())

    def action_reports(self) -> None:
        from tui.screens.reports import ReportScreen

        if self.user is not None and not self.is_locked:
            self.push_screen(ReportScreen())

    def action_admin(self) -> None:
        from tui.screens.admin import AdminScreen

        if self.user is not None and not self.is_locked:
            self.push_screen(AdminScreen())

    def action_groups(self) -> None:
        from tui.screens.groups import GroupsScreen

        if self.user is not None and not self.is_locked and not isinstance(self.screen,
                                                                            GroupsScreen):
            self.push_screen(GroupsScreen())

    def action_cases(self) -> None:
        from tui.screens.cases import CasesScreen

        if self.user is not None and not self.is_locked and not isinstance(self.screen,
                                                                            CasesScreen):
            self.push_screen(CasesScreen())

    def action_stock(self) -> None:
        from tui.screens.stock import StockScreen

        if self.user is None or self.is_locked:
            return
        if not self.may("stock"):
            self.action_stock_refused()
            return
        if not isinstance(self.screen, StockScreen):
            self.push_screen(StockScreen())

    def action_stock_refused(self) -> None:
        if self.user is not None:
            self.notify(f"Stock (items, receiving, counts) is for coordinators: "
                        f"{self.user.display_name} ({self.user.role}) does not have the "
                        "'stock' permission.", severity="warning", title="Stock")

    def action_order_lookup(self) -> None:
        from tui.screens.orders import OrderLookupScreen

        if self.user is not None and not self.is_locked:
            self.push_screen(OrderLookupScreen())
