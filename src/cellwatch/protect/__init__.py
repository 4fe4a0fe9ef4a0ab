"""Victim protection: protected persons, reports of contact, and resolving senders."""
