"""The running bot, by what each part is.

``bot/slack/`` the Slack edge, ``bot/schedule/`` the clock and its sweeps,
``bot/cli/`` the command line and the console, ``bot/render/`` the templates'
environment and Block Kit's limits; ``settings`` and ``logs`` are shared by all
four. See docs/architecture.md.
"""
