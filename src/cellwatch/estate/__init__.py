"""Prisons and prisoners, read through the policy."""
