"""Telecommunications Restriction Orders: from candidate identifier to verified disconnection."""
