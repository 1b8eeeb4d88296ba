"""Jinja2 rendering of notices and MIME building of the messages."""
