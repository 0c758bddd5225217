"""Cutover and rollback of the candidate schemas into the live ones."""
