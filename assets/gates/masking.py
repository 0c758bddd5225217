"""The gates' and the report's personal-data masking: the one in pipelines/masking.py (the landing
masks its error messages and library logs with it too)."""

from pipelines.masking import mask_email, mask_label, mask_text  # noqa: F401  (re-exported)
