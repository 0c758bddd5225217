"""The scheduled incremental Luma sync."""
