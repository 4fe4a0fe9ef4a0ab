"""Ingest's use cases for every shell, each taking the principal: uploads and the
quarantine (:mod:`.uploads`), batches and quarantined rows listed (:mod:`.batches`)."""
