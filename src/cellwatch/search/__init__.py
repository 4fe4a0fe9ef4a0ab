"""Search across what a user may see: prisoners by name (accents and scripts folded),
identifiers (an IMEI's check digit told), cases and orders by reference."""
