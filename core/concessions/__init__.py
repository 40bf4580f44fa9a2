"""Concessions: items, their stock moves and counts, and the goods sold less returned."""
