"""The partnership's rules, used alike by commands, sweeps, the console and the CLI.

The RAG roll-up, quarters and reporting periods, the digest's content, the
plan and Home read models, lookups, permissions and edits. Nothing here imports
Slack, ``bot`` or the templates; it reads and writes through ``storage``.
"""
