"""Use cases: import, plan, record, render, deliver, report. They talk to adapters through ports."""
