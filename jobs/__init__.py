"""Headless runs of the lab's experiments that write archived run files (strict JSON)."""
