"""The pure core: domain types, the planner and errors. No I/O, no clock, no third-party imports."""
