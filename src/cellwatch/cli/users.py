"""``cellwatch users`` and ``cellwatch orgs``: who takes part (as the configured principal)."""

from __future__ import annotations

import sys

import typer

from cellwatch.access import directory
from cellwatch.cli.context import cli_access, console, print_json
from cellwatch.errors import InvalidData


def register(app: typer.Typer) -> None:
    """Add the ``users`` and ``orgs`` command groups."""
    users = typer.Typer(help="Users: who signs in, in which organisation, with which roles.",
                        no_args_is_help=True)
    users.command("add")(add_user)
    users.command("list")(list_users)
    users.command("disable")(disable_user)
    orgs = typer.Typer(help="Organisations taking part in joint working.", no_args_is_help=True)
    orgs.command("add")(add_org)
    orgs.command("list")(list_orgs)
    app.add_typer(users, name="users")
    app.add_typer(orgs, name="orgs")


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = typer.prompt("Password", hide_input=True)
    if typer.prompt("Again", hide_input=True) != first:
        raise InvalidData("passwords differ", {"password": ["the two entries differ"]})
    return str(first)


def add_user(
    username: str = typer.Argument(..., help="Sign-in name."),
    org: str = typer.Option(..., "--org", help="Organisation code."),
    role: list[str] = typer.Option(..., "--role", help="Role; repeat for several."),
    password_stdin: bool = typer.Option(False, "--password-stdin",
                                        help="Read the password from the first line of stdin."),
) -> None:
    """Add a user to an organisation."""
    user = directory.create_user(cli_access(), username, org, role, _password(password_stdin))
    console().print(f"user {user.username} added to {user.org_code} as {', '.join(user.roles)}")


def list_users(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """List users the principal may see."""
    rows = directory.list_users(cli_access())
    if as_json:
        print_json([{"username": u.username, "org": u.org_code, "roles": u.roles,
                     "active": u.active} for u in rows])
        return
    for u in rows:
        console().print(f"{u.username:<24} {u.org_code:<12} {','.join(u.roles)}"
                        f"{'' if u.active else '  (disabled)'}", highlight=False)


def disable_user(username: str = typer.Argument(..., help="Sign-in name.")) -> None:
    """Disable a user; their tokens stop working at once."""
    directory.set_active(cli_access(), username, False)
    console().print(f"user {username} disabled")


def add_org(
    code: str = typer.Argument(..., help="Organisation code, e.g. HEI-SIT or WMP."),
    kind: str = typer.Option(..., "--kind", help="NATIONAL, REGIONAL, ESTABLISHMENT, POLICE, "
                             "PAROLE_BOARD or OPERATOR."),
    name: str | None = typer.Option(None, "--name", help="Full name (default the code)."),
    establishment: str | None = typer.Option(None, "--establishment",
                                             help="For an establishment team."),
    region: str | None = typer.Option(None, "--region", help="For a regional unit."),
    network: str | None = typer.Option(None, "--network", help="For an operator: its network "
                                       "as order lines name it, e.g. EE or 'Vodafone UK'."),
) -> None:
    """Add an organisation."""
    org = directory.create_org(cli_access(), code, name or code, kind, establishment, region,
                               network)
    console().print(f"organisation {org.code} ({org.kind}) added")


def list_orgs(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """List organisations."""
    rows = directory.list_orgs(cli_access(), kind=None)
    docs = [{"code": o.code, "name": o.name, "kind": o.kind, "establishment": o.establishment,
             "region": o.region, "network": o.network} for o in rows]
    if as_json:
        print_json(docs)
        return
    for d in docs:
        console().print(f"{d['code']:<12} {d['kind']:<14} {d['name']}", highlight=False)
