"""Person matching: find which prisoner a record without a prison number names.

Intelligence reports, police referrals and contact reports name people by name and date
of birth; transfers arrive twice from different feeds with typos. :func:`match_people`
scores each record against the prisoners with a Fellegi-Sunter model in Splink (DuckDB
backend), trained on the data at hand with fixed seeds.
"""

from cellwatch.matching.match import MATCH_COLUMNS, MatchRun, match_people, match_records

__all__ = ["MATCH_COLUMNS", "MatchRun", "match_people", "match_records"]
