"""The REST API: a thin shell over :mod:`cellwatch.access`; build it with :func:`create_app`."""

from cellwatch.api.app import create_app

__all__ = ["create_app"]
