"""Every error wxcv raises (see the class tree in ``wxcv._gen.errors``).

Generated from the spec into ``wxcv._gen.errors``; this module is its public name."""

from ._gen.errors import *  # noqa: F401,F403
from ._gen.errors import __all__ as __all__
