"""Click parameter types for the numbers a user types: every id and count has a range
(core.limits), so a huge number is a usage error, never an OverflowError from SQLite."""

from __future__ import annotations

import click

from core.limits import MAX_ID, MAX_QUANTITY

ID = click.IntRange(1, MAX_ID)                          # a row id: performance, shift, ...
COUNT = click.IntRange(1, MAX_QUANTITY)                 # how many: --best, --limit
QUANTITY = click.IntRange(0, MAX_QUANTITY)              # received, low-stock level
SIGNED_QUANTITY = click.IntRange(-MAX_QUANTITY, MAX_QUANTITY)   # an adjustment
BASIS_POINTS = click.IntRange(0, 10_000)                # 0-100 %
