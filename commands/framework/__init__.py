"""The /csp command framework: the registry, argument parsing and dispatch; no sub-commands."""
