"""The box office domain: database, seat maps, performances, users and the journal.

Nothing in this package imports Textual, Rich, python-escpos or OpenCV (a test checks it).
"""
