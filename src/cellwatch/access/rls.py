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


def apply(session: Session, principal: Principal) -> None:
    """Drop to :data:`APP_ROLE` and publish the scope, for this transaction only."""
    if session.get_bind().dialect.name != "postgresql":
        return
    # The role name is a constant, never user input; set_config takes bound parameters.
    session.execute(text(f"SET LOCAL ROLE {APP_ROLE}"))
    for name, value in scope_settings(principal).items():
        session.execute(text("SELECT set_config(:n, :v, true)"), {"n": name, "v": value})
