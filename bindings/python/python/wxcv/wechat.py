"""WeChat's image APIs: result classes, the ``WeChat`` / ``AsyncWeChat`` clients and their endpoint groups.

Generated from the spec into ``wxcv._gen.wechat``; this module is its public name."""

from ._gen.wechat import *  # noqa: F401,F403
from ._gen.wechat import __all__ as __all__
