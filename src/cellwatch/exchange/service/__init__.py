"""Exports through the policy, for every shell: what a principal may take away is read
(:mod:`.collect`), written whole or not at all and audited (:mod:`.write`,
:mod:`.exports`, :mod:`.charts`)."""
