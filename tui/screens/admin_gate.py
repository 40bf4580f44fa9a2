"""Admin, Gate (F4): each event's re-entry policy, and the keys that sign ticket codes.

Space turns an event's re-entry on or off (`event_setup`). The keys table lists every
signing key: `r` rotates to a new key (old tickets stay valid until their key is
retired), `x` retires the highlighted key (its tickets then scan as unknown), `e` writes
the public keys a gate device needs to a file. Key changes need `user_admin`."""

from __future__ import annotations

import json
from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Static

from core.gate import checkin, keys
from core.gate.keys import SigningKey
from core.venue import performances
from core.venue.performances import Event
from tui.format import local_time
from tui.screens.admin_base import AdminSectionScreen
from tui.screens.dialogs import AskText, Confirm


class GateAdminScreen(AdminSectionScreen):
    AUTO_FOCUS = "#gate-events"
    BINDINGS = [
        Binding("space", "toggle_reentry", "Re-entry on/off", id="admin_gate.reentry"),
        Binding("r", "rotate", "Rotate key", id="admin_gate.rotate"),
        Binding("x", "retire", "Retire key", id="admin_gate.retire"),
        Binding("e", "export", "Export public keys", id="admin_gate.export"),
        Binding("escape", "back", "Back", id="admin_gate.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.events: list[Event] = []
        self.keys: list[SigningKey] = []

    def compose(self) -> ComposeResult:
        yield Static(Text.assemble(("Gate", "bold"), "  events' re-entry, signing keys"),
                     id="heading")
        yield DataTable(id="gate-events", cursor_type="row", zebra_stripes=True)
        yield DataTable(id="gate-keys", cursor_type="row", zebra_stripes=True)
        yield Static(id="info")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#gate-events", DataTable).add_columns("Event", "Producer",
                                                              "Re-entry")
        self.query_one("#gate-keys", DataTable).add_columns("Key", "Created", "Status")
        self.load()
        self.say("Space turns an event's re-entry on or off. Tab moves to the signing keys.")

    def load(self) -> None:
        db, zone = self.box_office.db, self.box_office.config.zone
        events_table = self.query_one("#gate-events", DataTable)
        row = events_table.cursor_row
        events_table.clear()
        self.events = performances.list_events(db)
        for event in self.events:
            events_table.add_row(event.name[:34], event.producer[:22],
                                 "ALLOWED" if event.reentry else "no", key=str(event.id))
        if self.events:
            events_table.move_cursor(row=min(max(row, 0), len(self.events) - 1))
        keys_table = self.query_one("#gate-keys", DataTable)
        keys_table.clear()
        self.keys = keys.list_keys(db)
        for key in self.keys:
            status = {"signing": "SIGNING new tickets", "valid": "valid at the gate",
                      "retired": "retired " + (local_time(key.retired_at, zone)
                                               if key.retired_at else "")}[key.status]
            keys_table.add_row(f"#{key.key_id}", local_time(key.created_at, zone), status,
                               key=str(key.key_id))
        self.refresh_bindings()

    @property
    def event(self) -> Event | None:
        row = self.query_one("#gate-events", DataTable).cursor_row
        return self.events[row] if self.events and 0 <= row < len(self.events) else None

    @property
    def key(self) -> SigningKey | None:
        row = self.query_one("#gate-keys", DataTable).cursor_row
        return self.keys[row] if self.keys and 0 <= row < len(self.keys) else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "toggle_reentry":
            return self.event is not None and self.focused is self.query_one("#gate-events")
        if action == "retire":
            key = self.key
            return (key is not None and key.status != "retired"
                    and self.focused is self.query_one("#gate-keys"))
        return True

    def on_descendant_focus(self) -> None:
        self.refresh_bindings()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.refresh_bindings()

    def action_toggle_reentry(self) -> None:
        event = self.event
        if event is None or not self.may("event_setup"):
            return
        allowed = not event.reentry
        done = (f"{event.name}: re-entry {'allowed' if allowed else 'off'} (a scan after an "
                "exit scan " + ("admits again)." if allowed else "is refused as ALREADY IN)."))
        self.attempt(lambda: checkin.set_reentry(self.box_office.db, self.box_office.seller,
                                                 event.id, allowed), done)
        self.load()

    def action_rotate(self) -> None:
        if not self.may("user_admin"):
            return
        self.app.push_screen(Confirm("Make a new signing key? New tickets are signed with "
                                     "it; tickets already printed stay valid until their "
                                     "key is retired."), self._rotate)

    def _rotate(self, yes: bool | None) -> None:
        if not yes:
            return
        made = self.attempt(
            lambda: keys.rotate_signing_key(self.box_office.db, self.box_office.seller,
                                            self.box_office.key_dir()),
            lambda key_id: f"Key #{key_id} now signs new tickets. Export the public keys "
                           "(e) to every gate device that works offline.")
        if made is not None:
            self.box_office.forget_signer()
        self.load()

    def action_retire(self) -> None:
        key = self.key
        if key is None or not self.may("user_admin"):
            return
        self.app.push_screen(Confirm(f"Retire key #{key.key_id}? Every ticket signed with "
                                     "it then scans as not valid here. This cannot be "
                                     "undone."), lambda yes: self._retire(key, yes))

    def _retire(self, key: SigningKey, yes: bool | None) -> None:
        if not yes:
            return
        self.attempt(lambda: keys.retire_key(self.box_office.db, self.box_office.seller,
                                             key.key_id),
                     f"Key #{key.key_id} retired: its tickets no longer scan.")
        self.load()

    def action_export(self) -> None:
        default = str(self.box_office.database_path().with_name("gate-public-keys.json"))
        self.app.push_screen(AskText("Write the gate's public keys to which file?",
                                     value=default), self._export)

    def _export(self, answer: str | None) -> None:
        if not answer:
            return
        path = Path(answer).expanduser()
        exported = keys.export_public_keys(self.box_office.db)
        try:
            path.write_text(json.dumps(exported, indent=2) + "\n")
        except OSError as error:
            self.say(f"Not written: {error.strerror or error} ({path})", error=True)
            return
        self.say(f"{len(exported)} public key(s) written to {path}: copy it to the gate "
                 "devices (they cannot sign tickets with it).")

    def action_back(self) -> None:
        self.dismiss()
