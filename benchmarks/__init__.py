"""Benchmarks: ``python -m benchmarks`` runs them all and writes results/latest.json and latest.md."""
