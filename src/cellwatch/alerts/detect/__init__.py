"""The alert rules' detectors, above the alerts core and the domains they read: each
turns what the store and the lake show into drafts the core raises (:mod:`.run` runs them)."""
