"""Attribution's use cases for every shell, each taking the principal: a prisoner's
identifiers, a device's prisoners and judgements (:mod:`.attributions`), runs and their
scores (:mod:`.runs`), what the store knows of an identifier (:mod:`.knowledge`), and
what the prisoner and identifier pages show (:mod:`.records`, :mod:`.profiles`)."""
