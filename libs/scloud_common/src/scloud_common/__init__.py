"""Cross-cutting plumbing for SCloud services. No domain code lives here."""
