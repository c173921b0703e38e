"""Check machinery used by more than one result (imported by the result modules, never the reverse)."""
