"""The till: shifts with their float, drops, blind count and Z report; the drawer; deposits;
card reconciliation."""
