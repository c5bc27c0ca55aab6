"""Indicator values at a date (append-only history) and the PILOTE rules: progress, trend, alerts."""
