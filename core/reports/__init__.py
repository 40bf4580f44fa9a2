"""Reports: the catalogue every front end lists, close-out, concessions, settlement with
producers, and the PDF export."""
