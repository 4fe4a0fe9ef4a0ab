"""Joint working: organisations, users, roles, the access policy, the service layer and audit."""
