"""TRO's use cases for every shell, each taking the principal: applications and orders
(:mod:`.orders`) and the operators' view of the lines sent to them (:mod:`.operator`)."""
