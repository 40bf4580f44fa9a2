"""The shipped venue files (data). A package only so that they install with the code."""
