"""Benchmarks behind ``hub bench``: measured, not asserted, and reported in the README."""
