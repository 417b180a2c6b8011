"""The local emulator of both services (WeChat's image APIs and Tencent Cloud OCR), compiled into
the package: for tests, examples and offline runs. It speaks the vendors' wire protocols on a free
loopback port; nothing leaves the machine.

>>> from wxcv import Emulator
>>> with Emulator() as emu:
...     wx = emu.wechat()
...     wx.img.scan_qrcode("tests/fixtures/seed-four-codes.jpg").code_results[0].data
'http://www.qq.com'
"""

from __future__ import annotations

import base64
import json
import urllib.request
from types import TracebackType
from typing import Any, Mapping, Optional, Type

from . import _native
from .tencentcloud import AsyncTencentCloud, TencentCloud
from .wechat import AsyncWeChat, WeChat

__all__ = ["Emulator"]


class Emulator:
    """A running emulator. ``close()`` (or leaving the ``with`` block) stops it."""

    app_id: str = _native.Emulator.app_id
    """The WeChat app the emulator knows from the start."""
    app_secret: str = _native.Emulator.app_secret
    secret_id: str = _native.Emulator.secret_id
    """The Tencent Cloud key pair the emulator knows from the start."""
    secret_key: str = _native.Emulator.secret_key

    def __init__(self, *, cloudbase: bool = False) -> None:
        """Starts the emulator; ``cloudbase=True`` accepts WeChat calls without an access token,
        as CloudBase Run's open API service does."""
        self._native = _native.Emulator(cloudbase=cloudbase)
        self._cloudbase = cloudbase

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>``: give it to a client as ``base_url``."""
        return self._native.base_url

    def wechat(self, **options: Any) -> WeChat:
        """A blocking WeChat client of the emulator's app (CloudBase mode: no credentials)."""
        if self._cloudbase:
            return WeChat(cloudbase=True, base_url=self.base_url, **options)
        return WeChat(self.app_id, self.app_secret, base_url=self.base_url, **options)

    def async_wechat(self, **options: Any) -> AsyncWeChat:
        """An asyncio WeChat client of the emulator's app."""
        if self._cloudbase:
            return AsyncWeChat(cloudbase=True, base_url=self.base_url, **options)
        return AsyncWeChat(self.app_id, self.app_secret, base_url=self.base_url, **options)

    def tencentcloud(self, **options: Any) -> TencentCloud:
        """A blocking Tencent Cloud client with the emulator's key pair."""
        return TencentCloud(self.secret_id, self.secret_key, base_url=self.base_url, **options)

    def async_tencentcloud(self, **options: Any) -> AsyncTencentCloud:
        """An asyncio Tencent Cloud client with the emulator's key pair."""
        return AsyncTencentCloud(self.secret_id, self.secret_key, base_url=self.base_url, **options)

    def control(self, method: str, path: str, body: Any = None) -> Any:
        """Calls the emulator's control API (``/__emulator/<path>``, JSON in and out): faults,
        fixtures, apps, keys, the clock, the call log and counters."""
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(
            f"{self.base_url}/__emulator/{path.lstrip('/')}",
            data=data,
            method=method,
            headers={"content-type": "application/json"},
        )
        with urllib.request.urlopen(req, timeout=10) as r:
            return json.loads(r.read() or b"null")

    def inject_fault(self, endpoint: str, *, times: int = 1, **fault: Any) -> None:
        """Makes the next ``times`` calls of ``endpoint`` (``img.scan_qrcode``, ``QrcodeOCR``, ``*``)
        fail: ``errcode=-1`` (or a Tencent Cloud code string), ``http_status=502``, ``delay_ms=...``,
        ``drop=True`` (connection closed after the head), ``truncate=True``, ``non_json=True``."""
        self.control("POST", "faults", {"endpoint": endpoint, "times": times, **fault})

    def register_ocr(self, endpoint: str, image: bytes, reply: Mapping[str, Any]) -> None:
        """The reply an OCR endpoint (``ocr.idcard``, ...) gives for exactly this picture."""
        self.control(
            "POST",
            "fixtures/ocr",
            {"endpoint": endpoint, "image_base64": base64.b64encode(image).decode(), "reply": dict(reply)},
        )

    def blob_url(self, data: bytes) -> str:
        """Serves ``data`` at a loopback URL, for the URL form of image inputs."""
        return self._native.blob_url(data)

    def token_issues(self, app_id: Optional[str] = None) -> int:
        """Access tokens issued so far (to the emulator's app by default)."""
        return self._native.token_issues(app_id or self.app_id)

    def calls(self, endpoint: str) -> int:
        """Calls of an endpoint so far (``img.scan_qrcode``, ``QrcodeOCR``, ...)."""
        return self._native.calls(endpoint)

    def close(self) -> None:
        self._native.close()

    def __enter__(self) -> Emulator:
        return self

    def __exit__(self, t: Optional[Type[BaseException]], e: Optional[BaseException], tb: Optional[TracebackType]) -> None:
        self.close()

    def __repr__(self) -> str:
        return repr(self._native)
