"""The sale screens' key line: every key the screen offers, wrapped over as many rows as
the width needs, never cut (tui/widgets/pieces.py).

It is redrawn only when the keys shown change (Footer rebuilt a widget per key on every
bindings refresh, which made opening a map slow: bench/README.md).
"""

from __future__ import annotations

from rich.text import Text
from textual.screen import Screen

from tui.widgets.pieces import Pieces


class KeyLine(Pieces):
    """The keys of the screen it is on, wrapped to its width."""

    DEFAULT_CSS = """
    KeyLine {
        dock: bottom;
        max-height: 3;
        padding: 0 1;
        background: $footer-background;
        color: $footer-foreground;
    }
    """

    def on_mount(self) -> None:
        # kept: by the time the line is unmounted it may no longer reach its screen
        self._screen: Screen[object] = self.screen
        self._screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self._update_keys()

    def on_unmount(self) -> None:
        self._screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen[object]) -> None:
        if self.is_attached and screen is self.screen:
            self.call_after_refresh(self._update_keys)

    def _update_keys(self) -> None:
        """Each of the screen's actions once, in its order, dim when it cannot be used
        now, the command palette's key last. The app's own keys (F2 shift, Ctrl+L lock...)
        work here too but are left to the performance list and the palette: on the map
        every row they took was a row of seats less at 80x24."""
        if not self.is_attached:
            return   # the screen closed between the change and this refresh
        app = self.app
        keys: list[Text] = []
        palette: list[Text] = []
        actions: set[str] = set()
        for key, (node, binding, enabled, _tip) in self._screen.active_bindings.items():
            shown = Text.assemble((app.get_key_display(binding), "bold"), " ",
                                  binding.description, style="" if enabled else "dim")
            if key == app.COMMAND_PALETTE_BINDING and app.ENABLE_COMMAND_PALETTE:
                palette = [shown]
            elif binding.show and node is not app and binding.action not in actions:
                actions.add(binding.action)
                keys.append(shown)
        self.set_pieces(keys + palette)
