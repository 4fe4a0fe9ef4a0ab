"""Protection's use cases for every shell, each taking the principal: protected persons
(:mod:`.persons`) and crime-in-prison referrals (:mod:`.referrals`)."""
