"""Grading rules as pure functions, one module per circular (no database, no transport).

`grading.registry.get_circular("tt22")` returns the rules a school year uses.
"""
