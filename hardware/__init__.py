"""Devices: ESC/POS printers, ticket and receipt layout, QR codes, cameras, scanners.

Every device sits behind a small Protocol with a file/replay implementation. This package
may use core's types; it never imports `tui`.
"""
