"""Readers of the calendar, accounts and inventory files; every problem reported at once."""
