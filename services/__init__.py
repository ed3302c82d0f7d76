"""Use cases and domain rules: who may write what, when, and the trace it leaves.

Transport-free on purpose: the bot, the scheduler and the admin panel all call
these functions with a database session, a Clock and the acting staff id.
"""
