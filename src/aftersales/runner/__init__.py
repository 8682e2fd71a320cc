"""The runner (``aftersales.runner``): the engine with structlog logging around it.

A shell: the core stays silent, the runner logs each event and effect.
"""

from ._runner import Runner

__all__ = ["Runner"]
