"""Screens: each calls core services and decides what widget messages mean."""
