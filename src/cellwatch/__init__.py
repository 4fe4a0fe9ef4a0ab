"""cellwatch: find, attribute, disconnect and prosecute contraband phones in prisons."""

__version__ = "0.1.0"
