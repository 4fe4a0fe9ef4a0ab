"""Graded intelligence: handling codes enforced, dissemination recorded."""
