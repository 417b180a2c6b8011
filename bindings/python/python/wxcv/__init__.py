"""wxcv: WeChat's image APIs and Tencent Cloud's QR/barcode OCR, typed, sync and async.

>>> from wxcv import WeChat
>>> wx = WeChat("wx...", "secret")            # or WeChat() with WECHAT_APPID / WECHAT_APPSECRET
>>> result = wx.img.scan_qrcode("photo.jpg")  # bytes, a path, or an https:// URL
>>> [c.data for c in result.code_results]

``AsyncWeChat`` / ``AsyncTencentCloud`` are the asyncio twins; ``wxcv.Emulator`` runs both services
locally for tests and offline runs; every error is a ``wxcv.errors.WxcvError``.
"""

from . import errors, scan, tencentcloud, wechat
from ._base import BinaryImage, Image, ImageInput
from ._native import __version__
from .emulator import Emulator
from .errors import (
    ApiError,
    AuthenticationError,
    BadRequestError,
    ConfigError,
    DecodeError,
    InvalidInputError,
    NotFoundError,
    QuotaExceededError,
    RateLimitError,
    ServiceError,
    TokenError,
    TransportError,
    TransportTimeoutError,
    UnavailableError,
    WxcvError,
)
from .scan import OCR, AsyncOCR, ScanResult
from .tencentcloud import AsyncTencentCloud, TencentCloud
from .wechat import AsyncWeChat, WeChat

__all__ = [
    "WeChat",
    "AsyncWeChat",
    "TencentCloud",
    "AsyncTencentCloud",
    "OCR",
    "AsyncOCR",
    "ScanResult",
    "scan",
    "Image",
    "ImageInput",
    "BinaryImage",
    "Emulator",
    "errors",
    "wechat",
    "tencentcloud",
    "WxcvError",
    "ApiError",
    "BadRequestError",
    "AuthenticationError",
    "TokenError",
    "RateLimitError",
    "QuotaExceededError",
    "NotFoundError",
    "UnavailableError",
    "ServiceError",
    "InvalidInputError",
    "ConfigError",
    "TransportError",
    "TransportTimeoutError",
    "DecodeError",
    "__version__",
]
