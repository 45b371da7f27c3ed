"""The `clubbot` program: the composition root that opens a runtime and starts an adapter.

`main` (the commands and their options), `db_commands` (`clubbot db ...`), `demo` (the
scripted demo), `failures` (an expected failure explained in a line or two).
"""
