"""Tests for derive; the layout mirrors the package."""
