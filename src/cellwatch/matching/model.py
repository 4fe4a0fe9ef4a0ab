"""The Fellegi-Sunter model: comparisons, their levels and the blocking rules, as data.

Each comparison is a list of ``(label, SQL condition, m prior)`` from most to least
alike; Splink adds the null level first and the else level last. The m priors are where
EM starts and what scores small inputs, too few for EM to be trusted on.
"""

from __future__ import annotations

from typing import Any

# Splink names the two sides of a pair with _l and _r suffixes.
SURNAME = [
    ("surname exact", '"surname_l" = "surname_r"', 0.86),
    ("surname Jaro-Winkler >= 0.92", 'jaro_winkler_similarity("surname_l", "surname_r") >= 0.92',
     0.08),
    ("surname Jaro-Winkler >= 0.80", 'jaro_winkler_similarity("surname_l", "surname_r") >= 0.80',
     0.04),
]
FORENAMES = [
    ("forenames exact", '"forenames_l" = "forenames_r"', 0.78),
    ("first forename exact", '"forename1_l" = "forename1_r"', 0.12),
    ("first forename Jaro-Winkler >= 0.88",
     'jaro_winkler_similarity("forename1_l", "forename1_r") >= 0.88', 0.05),
    # A dropped or reordered forename: one side's first name appears in the other's names.
    ("a forename in common",
     """list_has_any(string_split("forenames_l", ' '), string_split("forenames_r", ' '))""",
     0.03),
]
DOB = [
    ("date of birth exact", '"date_of_birth_l" = "date_of_birth_r"', 0.88),
    ("day and month swapped",
     'substr("date_of_birth_l", 1, 4) = substr("date_of_birth_r", 1, 4) AND '
     'substr("date_of_birth_l", 6, 2) = substr("date_of_birth_r", 9, 2) AND '
     'substr("date_of_birth_l", 9, 2) = substr("date_of_birth_r", 6, 2)', 0.04),
    ("date of birth one character off",
     'levenshtein("date_of_birth_l", "date_of_birth_r") <= 1', 0.04),
    ("date of birth within a year",
     'abs(date_diff(\'day\', CAST("date_of_birth_l" AS DATE), '
     'CAST("date_of_birth_r" AS DATE))) <= 365', 0.02),
]
COMPARISONS = {"surname": SURNAME, "forenames": FORENAMES, "date_of_birth": DOB}
NULL_COLUMNS = {"surname": "surname", "forenames": "forename1",
                "date_of_birth": "date_of_birth"}

# A pair is scored if it shares any of these (sound-alike surname, birth date read
# either way round, or surname start and birth year).
BLOCKING = [("surname_soundex",), ("dob_key",), ("surname_prefix", "birth_year")]
# EM runs on blocks that leave the compared columns free to vary.
EM_BLOCKS = [("dob_key",), ("surname_soundex",)]


def settings(prior: float) -> Any:
    """The Splink settings (``SettingsCreator``) for linking records to prisoners."""
    import splink.comparison_level_library as cll
    from splink import SettingsCreator, block_on
    from splink.comparison_library import CustomComparison

    comparisons: list[Any] = []
    for name, levels in COMPARISONS.items():
        custom: list[Any] = [cll.NullLevel(NULL_COLUMNS[name])]
        custom += [cll.CustomLevel(sql, label).configure(m_probability=m)
                   for label, sql, m in levels]
        else_m = max(0.001, 1.0 - sum(m for _, _, m in levels))
        custom.append(cll.ElseLevel().configure(m_probability=else_m))
        comparisons.append(CustomComparison(custom, output_column_name=name))
    return SettingsCreator(
        link_type="link_only", unique_id_column_name="unique_id",
        probability_two_random_records_match=prior, comparisons=comparisons,
        blocking_rules_to_generate_predictions=[block_on(*cols) for cols in BLOCKING],
        retain_intermediate_calculation_columns=True, retain_matching_columns=False)
