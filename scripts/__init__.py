"""Developer scripts, importable from the repository root (`python -m scripts.stack`, or
`from scripts.stack import Stack` in tests and benches)."""
