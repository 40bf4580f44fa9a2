"""Reusable widgets. Widgets never call core services: they show data and post messages."""
