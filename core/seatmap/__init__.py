"""Seat maps: the venue files under seatmaps/, parsed, validated and laid out."""

from core.seatmap.layout import Drawing, overview_drawing, section_drawing, venue_drawing
from core.seatmap.model import Area, Hotspot, Overview, Row, Seat, SeatMap, Section, Zone
from core.seatmap.parser import (
                                 SeatMapInvalid,
                                 SeatMapProblem,
                                 load_seatmap,
                                 parse_seatmap,
                                 read_seatmap_text,
)

__all__ = [
    "Area", "Drawing", "Hotspot", "Overview", "Row", "Seat", "SeatMap", "SeatMapInvalid",
    "SeatMapProblem", "Section", "Zone", "load_seatmap", "overview_drawing", "parse_seatmap",
    "read_seatmap_text", "section_drawing", "venue_drawing",
]
