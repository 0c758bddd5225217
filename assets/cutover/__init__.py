"""Cutover and rollback: the candidate rows into each application's live tables, and back."""
