"""Data exchange with partner systems: STIX 2.1, MISP, FollowTheMoney, link charts.

The record exports read through :mod:`cellwatch.access` (scope, handling codes, audit,
disseminations) in :mod:`cellwatch.exchange.service.collect`, then map the same neutral
rows (:mod:`cellwatch.exchange.rows`) to a format: :mod:`~cellwatch.exchange.stix`,
:mod:`~cellwatch.exchange.misp` and :mod:`~cellwatch.exchange.ftm`. Link charts
(:mod:`~cellwatch.exchange.linkgraph`) go to GraphML, GEXF
(:mod:`~cellwatch.exchange.graphml`) and i2 (:mod:`~cellwatch.exchange.anx`).
The heavy libraries (stix2, pymisp, followthemoney) are imported only inside the mapping
functions. The shells call :mod:`cellwatch.exchange.service`.
"""
