"""The ``aftersales`` command line: one package, a module per command group.

A shell around the library. Exit codes mean the same for every command: 0 done;
1 input refused or some records rejected; 2 usage; 3 a runtime failure (an
unreachable database, a file that cannot be written). ``_exit`` maps the
library's errors to them; ``_options`` declares the shared options (``-`` for
standard input, ``--format``, ``AFTERSALES_CASEBOOK``). docs/cli.md lists them.
"""

from ._main import main

__all__ = ["main"]
