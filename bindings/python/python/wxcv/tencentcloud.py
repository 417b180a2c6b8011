"""Tencent Cloud OCR: result classes and the ``TencentCloud`` / ``AsyncTencentCloud`` clients.

Generated from the spec into ``wxcv._gen.tencentcloud``; this module is its public name."""

from ._gen.tencentcloud import *  # noqa: F401,F403
from ._gen.tencentcloud import __all__ as __all__
