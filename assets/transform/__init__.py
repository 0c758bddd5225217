"""The transform phase: SQL models from raw to the candidate schemas (groups per layer)."""
