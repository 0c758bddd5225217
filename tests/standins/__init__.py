"""Real HTTP servers on 127.0.0.1 that stand in for the external APIs (Airtable, Luma) in tests,
including their limits and failure modes."""
