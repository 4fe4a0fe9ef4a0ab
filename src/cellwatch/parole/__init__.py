"""The parole intelligence summary: chronology, redaction, HTML and PDF."""
