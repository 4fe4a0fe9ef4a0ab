"""PostgreSQL row-level security: the database's copy of the scope rules.

On PostgreSQL every guarded transaction drops to the unprivileged role
:data:`APP_ROLE` (``SET LOCAL ROLE``) and publishes the principal's scope as
transaction-local settings; the policies created by migration ``0002_access`` on
``prisoners`` and ``intelligence_reports`` read them. The role does not own the
tables, so the policies bind it without ``FORCE``; the owner (migrations, ingest,
the ``system`` CLI) is deliberately left outside them. Settings that are unset
mean *nothing visible*: a path that forgets to publish a scope fails closed.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

from cellwatch.access.principal import Principal

APP_ROLE = "cellwatch_app"


def scope_settings(principal: Principal) -> dict[str, str]:
    """The transaction settings that describe ``principal`` to the policies."""
    establishments = principal.establishments
    return {
        "cellwatch.bypass": "on" if principal.is_system else "off",
        "cellwatch.org": principal.org_code or "",
        "cellwatch.establishments": "*" if establishments is None
        else ",".join(sorted(establishments)),
    }


# One statement, one round trip: ``set_config('role', ..., true)`` is ``SET LOCAL ROLE``
# (it checks membership the same way), and the scope's settings go in the same SELECT.
# All are transaction-local (``true``), so nothing outlives the transaction on a pooled
# connection. Every value is a bound parameter; the role is the constant above.
_APPLY = text("SELECT set_config('role', :role, true), set_config('cellwatch.bypass', "
              ":bypass, true), set_config('cellwatch.org', :org, true), "
              "set_config('cellwatch.establishments', :establishments, true)")


def apply(session: Session, principal: Principal) -> None:
    """Drop to :data:`APP_ROLE` and publish the scope, for this transaction only."""
    if session.get_bind().dialect.name != "postgresql":
        return
    settings = scope_settings(principal)
    session.execute(_APPLY, {"role": APP_ROLE, "bypass": settings["cellwatch.bypass"],
                             "org": settings["cellwatch.org"],
                             "establishments": settings["cellwatch.establishments"]})
