"""The ``csp-bot`` command line: the parser (:mod:`bot.cli.parser`), sub-commands, the console."""
