"""People: users and their PINs, roles and the permissions each has, and user
administration."""
