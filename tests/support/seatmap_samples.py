"""A small venue header shared by the seat map tests."""

HEAD = """\
format = 1
[venue]
code = "T"
name = "Test Hall"
[zones]
A = { name = "Front", color = "yellow" }
B = { name = "Back", color = "green" }
[legend]
w = { zone = "B", wheelchair = true }
c = { zone = "B", companion = true }
o = { zone = "A", view = "obstructed" }
"""
