"""The synthetic camera frames moved to tests/support/frames.py. bench/bench_decode.py and
bench/bench_gate.py still import them as `tests.frames`; delete this file once they import
`tests.support.frames`."""

from tests.support.frames import LEVELS, SIZES, empty_frame, frame, token

__all__ = ["LEVELS", "SIZES", "empty_frame", "frame", "token"]
