"""Example plans transcribed from real partnership documents (data only)."""
