"""``python -m bot.cli``: the ``csp-bot`` command line, for a checkout with no console script."""

from bot.cli.parser import main

raise SystemExit(main())
