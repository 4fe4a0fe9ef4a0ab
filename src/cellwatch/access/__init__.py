"""The rules of joint working: principals, roles, the policy, scopes, audit, users and
organisations.

Every domain imports these; nothing here imports a domain.
:class:`~cellwatch.access.service.Access` runs one use case under the policy; the use
cases themselves are each domain's service.
"""
