"""Running the box office: the demo database and the training copy."""
