"""Which window (and so which drawer) this process is: its station name.

Several windows run on one box office host, each its own process at a local console or
over SSH; each needs its own name, because a drawer belongs to one shift at a time. The
name comes from, first to last:

1. `boxoffice --station NAME` (the command line);
2. the environment variable BOXOFFICE_STATION (e.g. set per SSH login);
3. `[window] station` in the config file (a config file per window);
4. the terminal the process runs on: `window-tty1` on the first console, `window-pts3`
   on the third pseudo-terminal (an SSH session, a tmux pane);
5. `window-1` when there is no terminal to name (tests, a pipe).

A terminal-derived name changes when an SSH session reconnects on another pseudo-terminal:
a window with a drawer of its own should name itself (2 or 3).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping

DEFAULT_STATION = "window-1"
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,31}")


class StationError(ValueError):
    pass


def check_station(name: str, where: str) -> str:
    """`name` if it is a usable station name (letters, digits, . _ -; at most 32)."""
    if not _NAME.fullmatch(name):
        raise StationError(f"{where}: a station name is 1-32 letters, digits, '.', '_' or "
                           f"'-', starting with a letter or digit, not {name!r}")
    return name


def terminal_station(ttyname: Callable[[int], str] = os.ttyname) -> str | None:
    """`window-pts3` for /dev/pts/3, `window-tty1` for /dev/tty1; None without a tty."""
    for fd in (0, 1, 2):
        try:
            device = ttyname(fd)
        except OSError:
            continue
        tail = device.removeprefix("/dev/").replace("/", "")
        cleaned = re.sub(r"[^A-Za-z0-9._-]", "", tail)
        if cleaned:
            return f"window-{cleaned}"[:32]
    return None


def station_name(explicit: str | None = None, configured: str = "", *,
                 environ: Mapping[str, str] | None = None,
                 ttyname: Callable[[int], str] = os.ttyname) -> str:
    """This window's station name (see the module's docstring for the order)."""
    environ = os.environ if environ is None else environ
    if explicit:
        return check_station(explicit, "--station")
    from_env = environ.get("BOXOFFICE_STATION", "")
    if from_env:
        return check_station(from_env, "BOXOFFICE_STATION")
    if configured:
        return check_station(configured, "[window] station")
    return terminal_station(ttyname) or DEFAULT_STATION
