"""The Fellegi-Sunter model: comparisons, their levels and the blocking rules, as data.

Each comparison is a list of ``(label, SQL condition, m prior)`` from most to least
alike; Splink adds the null level first and the else level last. The m priors are where
EM starts and what scores small inputs, too few for EM to be trusted on.
"""

from __future__ import annotations

from typing import Any

# Splink names the two sides of a pair with _l and _r suffixes.
# Forename and surname written the wrong way round (a form filled in surname first):
# each side's surname is the other's first forename, near enough.
SWAPPED = ('jaro_winkler_similarity("surname_l", "forename1_r") >= 0.92 AND '
           'jaro_winkler_similarity("forename1_l", "surname_r") >= 0.92')
SURNAME = [
    ("surname exact", '"surname_l" = "surname_r"', 0.80),
    ("surname Jaro-Winkler >= 0.92", 'jaro_winkler_similarity("surname_l", "surname_r") >= 0.92',
     0.07),
    ("names swapped", SWAPPED, 0.05),
    ("surname within two edits", 'damerau_levenshtein("surname_l", "surname_r") <= 2', 0.03),
    ("surname Jaro-Winkler >= 0.80", 'jaro_winkler_similarity("surname_l", "surname_r") >= 0.80',
     0.02),
    # One name crossed over: this side's surname is the other's forename, or back.
    ("a name crossed", 'jaro_winkler_similarity("surname_l", "forename1_r") >= 0.92 OR '
                       'jaro_winkler_similarity("forename1_l", "surname_r") >= 0.92', 0.01),
]
FORENAMES = [
    ("forenames exact", '"forenames_l" = "forenames_r"', 0.72),
    ("first forename exact", '"forename1_l" = "forename1_r"', 0.10),
    ("names swapped", SWAPPED, 0.05),
    ("first forename Jaro-Winkler >= 0.88",
     'jaro_winkler_similarity("forename1_l", "forename1_r") >= 0.88', 0.05),
    ("first forename within two edits",
     'damerau_levenshtein("forename1_l", "forename1_r") <= 2', 0.03),
    # A dropped or reordered forename: one side's first name appears in the other's names.
    ("a forename in common",
     """list_has_any(string_split("forenames_l", ' '), string_split("forenames_r", ' '))""",
     0.02),
]
DOB = [
    ("date of birth exact", '"date_of_birth_l" = "date_of_birth_r"', 0.88),
    ("day and month swapped",
     'substr("date_of_birth_l", 1, 4) = substr("date_of_birth_r", 1, 4) AND '
     'substr("date_of_birth_l", 6, 2) = substr("date_of_birth_r", 9, 2) AND '
     'substr("date_of_birth_l", 9, 2) = substr("date_of_birth_r", 6, 2)', 0.04),
    ("date of birth one character off",
     'levenshtein("date_of_birth_l", "date_of_birth_r") <= 1', 0.04),
    ("date of birth two characters off",
     'levenshtein("date_of_birth_l", "date_of_birth_r") <= 2', 0.02),
    ("date of birth within a year",
     'abs(date_diff(\'day\', CAST("date_of_birth_l" AS DATE), '
     'CAST("date_of_birth_r" AS DATE))) <= 365', 0.02),
]
COMPARISONS = {"surname": SURNAME, "forenames": FORENAMES, "date_of_birth": DOB}
NULL_COLUMNS = {"surname": "surname", "forenames": "forename1",
                "date_of_birth": "date_of_birth"}

# Exact agreement on a rare name says more than on a common one (Splink's term-frequency
# adjustment, against the names' frequencies in the data at hand).
TERM_FREQUENCY = {"surname exact": "surname", "forenames exact": "forenames"}

# A pair is scored if it shares any of these (sound-alike surname, birth date read
# either way round, or surname start and birth year).
BLOCKING = [("surname_soundex",), ("dob_key",), ("surname_prefix", "birth_year"),
            ("forename1", "birth_year"), ("forename1", "surname_prefix")]
# ... or has a name crossed over (written the wrong way round).
CROSSED_BLOCKING = ['l."forename1" = r."surname"', 'l."surname" = r."forename1"']
# EM runs on blocks that leave the compared columns free to vary.
EM_BLOCKS = [("dob_key",), ("surname_soundex",)]


def settings(prior: float) -> Any:
    """The Splink settings (``SettingsCreator``) for linking records to prisoners."""
    import splink.comparison_level_library as cll
    from splink import SettingsCreator, block_on
    from splink.blocking_rule_library import CustomRule
    from splink.comparison_library import CustomComparison

    comparisons: list[Any] = []
    for name, levels in COMPARISONS.items():
        custom: list[Any] = [cll.NullLevel(NULL_COLUMNS[name])]
        for label, sql, m in levels:
            level = cll.CustomLevel(sql, label).configure(m_probability=m)
            if label in TERM_FREQUENCY:
                level = level.configure(tf_adjustment_column=TERM_FREQUENCY[label],
                                        tf_adjustment_weight=1.0)
            custom.append(level)
        else_m = max(0.001, 1.0 - sum(m for _, _, m in levels))
        custom.append(cll.ElseLevel().configure(m_probability=else_m))
        comparisons.append(CustomComparison(custom, output_column_name=name))
    blocking: list[Any] = [block_on(*cols) for cols in BLOCKING]
    blocking += [CustomRule(sql) for sql in CROSSED_BLOCKING]
    return SettingsCreator(
        link_type="link_only", unique_id_column_name="unique_id",
        probability_two_random_records_match=prior, comparisons=comparisons,
        blocking_rules_to_generate_predictions=blocking,
        retain_intermediate_calculation_columns=True, retain_matching_columns=False)
