"""Scheduled work: what is due, found in our own tables, sent once through the outbox.

The clock (``bot/clock.py``) only wakes :func:`bot.sweeps.run.run_due`; every
sweep module here turns "now" into the messages that are due for one
partnership (:mod:`returns`, :mod:`digests`, :mod:`nudges`, :mod:`rollup`), and
:mod:`outbox` claims, sends and marks each one exactly once. Nothing here
imports Slack: sending goes through the :class:`~bot.sweeps.base.Sender`
protocol, implemented for Slack in ``bot/sender.py``.
"""
