"""Benchmarks for the speed and memory targets the issues set; `make bench` runs them all."""
