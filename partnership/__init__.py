"""The partnership's own rules, used alike by commands, sweeps, console and CLI."""
