"""The store: connecting to the database, the one write transaction, migrations applied,
the hash-chained journal, and backups."""
