"""The staff, visitor and contractor guard: phones that belong in a prison are held out
of disconnection candidates and attribution until a person decides.

Public API: :mod:`cellwatch.guard.detect` (``staff_patterns``, ``suspected_staff``,
``refresh_holds``), :mod:`cellwatch.guard.service` (the queue for a principal) and
:class:`cellwatch.guard.params.GuardParams` (the documented thresholds).
"""
