"""Jinja2 templates (data only; shipped with the package so an installed bot finds them)."""
