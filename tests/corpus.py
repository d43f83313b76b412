"""The compatibility cases the data-driven tests run: schema pairs and histories with the
verdicts Confluent Schema Registry gives, kept in the repository (`tests/data/compat-cases/`)
so the suite runs from any clone."""

from __future__ import annotations

from pathlib import Path

CASES_DIR = Path(__file__).resolve().parent / "data" / "compat-cases"
