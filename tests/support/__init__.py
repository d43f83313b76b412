"""Test machinery shared across the suite (external services the tests start)."""
