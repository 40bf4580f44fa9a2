"""The venue: venues from their seat map files, events and performances, prices, the seat
inventory (holds, kills, claims), seat plans and best available."""
