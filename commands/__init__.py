"""The /csp sub-commands, one module each, free of Slack imports.

A command takes a context (who, which partnership, now) and parsed arguments and
returns a reply (a template name and a view-model). The Slack listeners, the
console and the tests all call the same functions. The plan-level read used by
``csp-bot plan show`` lives in :mod:`partnership.plan`.
"""
