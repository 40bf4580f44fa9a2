"""The window app (Textual) and the `boxoffice` command line."""
