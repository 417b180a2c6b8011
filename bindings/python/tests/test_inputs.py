"""Bad input: a typed InvalidInputError naming the field and the limit, raised before anything is
sent (the emulator counts no call); and the forms a picture may take."""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any, Callable

import pytest

import wxcv
from wxcv import Emulator, Image
from wxcv.wechat import LineColor
from conftest import FIXTURES, fixture_bytes


def rejected(emu: Emulator, endpoint: str, field: str, call: Callable[[], Any], *words: str) -> wxcv.InvalidInputError:
    before = emu.calls(endpoint)
    with pytest.raises(wxcv.InvalidInputError) as info:
        call()
    e = info.value
    assert e.field == field, repr(e)
    assert field in str(e)
    for w in words:
        assert w in e.detail, f"{w!r} not in {e.detail!r}"
    assert isinstance(e, ValueError)
    assert emu.calls(endpoint) == before, "a rejected call reached the emulator"
    return e


BAD_INPUTS = [
    # (endpoint counted by the emulator, field, call, words the message must hold)
    ("img.scan_qrcode", "image", lambda wx, qr: wx.img.scan_qrcode(b""), ("empty",)),
    ("img.scan_qrcode", "image", lambda wx, qr: wx.img.scan_qrcode(b"GIF89a" + b"\0" * 2_097_152), ("2097151",)),
    ("img.scan_qrcode", "image", lambda wx, qr: wx.img.scan_qrcode(fixture_bytes("not-an-image.jpg")), ("not a picture",)),
    ("img.scan_qrcode", "image", lambda wx, qr: wx.img.scan_qrcode(12345), ("bytes, a path, a URL",)),
    ("img.scan_qrcode", "image", lambda wx, qr: wx.img.scan_qrcode("/nonexistent/picture.jpg"), ("/nonexistent/picture.jpg",)),
    ("img.ai_crop", "ratios", lambda wx, qr: wx.img.ai_crop(qr, ratios=[1, 2, 3, 4, 5, 6]), ("5",)),
    ("img.ai_crop", "ratios[0]", lambda wx, qr: wx.img.ai_crop(qr, ratios=[0.0]), ("0.0001",)),
    ("img.ai_crop", "ratios", lambda wx, qr: wx.img.ai_crop(qr, ratios=[math.nan]), ("finite",)),
    ("img.ai_crop", "ratios", lambda wx, qr: wx.img.ai_crop(qr, ratios="wide"), ("sequence",)),
    ("ocr.idcard", "type", lambda wx, qr: wx.ocr.idcard(qr, type="fax"), ("photo", "scan")),
    ("wxacode.create_qrcode", "path", lambda wx, qr: wx.wxacode.create_qrcode("p" * 129), ("128",)),
    ("wxacode.create_qrcode", "path", lambda wx, qr: wx.wxacode.create_qrcode(""), ()),
    ("wxacode.create_qrcode", "width", lambda wx, qr: wx.wxacode.create_qrcode("pages/a", width=2000), ("1280",)),
    ("wxacode.create_qrcode", "width", lambda wx, qr: wx.wxacode.create_qrcode("pages/a", width="wide"), ("i64",)),
    ("wxacode.create_qrcode", "width", lambda wx, qr: wx.wxacode.create_qrcode("pages/a", width=True), ("boolean",)),
    ("wxacode.create_qrcode", "path", lambda wx, qr: wx.wxacode.create_qrcode(42), ("string",)),
    ("wxacode.get_unlimited", "scene", lambda wx, qr: wx.wxacode.get_unlimited("场景"), ()),
    ("wxacode.get_unlimited", "scene", lambda wx, qr: wx.wxacode.get_unlimited("s" * 33), ("32",)),
    ("wxacode.get_unlimited", "page", lambda wx, qr: wx.wxacode.get_unlimited("a=1", page="/pages/index"), ()),
    ("wxacode.get", "line_color", lambda wx, qr: wx.wxacode.get("pages/a", line_color={"r": "red"}), ()),
    ("wxacode.get", "line_color", lambda wx, qr: wx.wxacode.get("pages/a", line_color={1, 2}), ("JSON",)),
    ("media.get_temp_media", "media_id", lambda wx, qr: wx.media.get_temp_media(None), ("required",)),
]


@pytest.mark.parametrize("endpoint,field,call,words", BAD_INPUTS, ids=[f"{b[0]}:{b[1]}:{i}" for i, b in enumerate(BAD_INPUTS)])
def test_bad_input_never_leaves_the_client(emu: Emulator, qr: bytes, endpoint: str, field: str, call: Callable[..., Any], words: Any) -> None:
    wx = emu.wechat()
    rejected(emu, endpoint, field, lambda: call(wx, qr), *words)


def test_bad_input_tencent(emu: Emulator) -> None:
    tc = emu.tencentcloud()
    rejected(emu, "QrcodeOCR", "image", lambda: tc.ocr.qrcode_ocr(b"GIF89a" + b"\0" * (7 * 1024 * 1024)))
    with pytest.warns(DeprecationWarning, match="offline"):
        rejected(emu, "QueryBarCode", "bar_code", lambda: tc.ocr.query_bar_code(6941858722888))  # type: ignore[arg-type]


def test_bad_input_async(emu: Emulator) -> None:
    import asyncio

    wx = emu.async_wechat()
    rejected(emu, "img.ai_crop", "ratios", lambda: asyncio.run(wx.img.ai_crop(b"\x89PNG\r\n\x1a\n", ratios=[1] * 6)))


def test_picture_forms(emu: Emulator, tmp_path: Path) -> None:
    wx = emu.wechat()
    data = fixture_bytes("qr.png")
    p = tmp_path / "qr code.png"
    p.write_bytes(data)
    url = emu.blob_url(data)
    forms: list[Any] = [
        data,
        bytearray(data),
        memoryview(data),
        str(p),
        p,
        url,
        Image.from_bytes(data, content_type="image/png", filename="x.png"),
        Image.from_path(p),
        Image.from_url(url),
    ]
    results = [wx.img.scan_qrcode(f) for f in forms]
    assert all(r == results[0] for r in results), results
    assert results[0].code_results[0].type_name == "QR_CODE"


def test_image_repr_hides_url_query() -> None:
    r = repr(Image.from_url("https://cdn.example/a.jpg?sign=SECRET&t=1"))
    assert "SECRET" not in r and "cdn.example/a.jpg" in r
    assert repr(Image.from_bytes(b"abc")) == "Image.from_bytes(<3 bytes>, content_type=None)"
    with pytest.raises(ValueError):
        Image("file", "x")


def test_model_inputs_take_models(emu: Emulator) -> None:
    wx = emu.wechat()
    a = wx.wxacode.get("pages/a", line_color=LineColor(r=255, g=0, b=0), width=280)
    b = wx.wxacode.get("pages/a", line_color={"r": 255, "g": 0, "b": 0}, width=280)  # type: ignore[arg-type]
    assert a == b and a.content_type == "image/jpeg"


def test_configuration_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    for k in ["WECHAT_APPID", "WECHAT_APPSECRET", "WECHAT_CLOUDBASE", "TENCENTCLOUD_SECRET_ID", "TENCENTCLOUD_SECRET_KEY"]:
        monkeypatch.delenv(k, raising=False)
    with pytest.raises(wxcv.ConfigError, match="WECHAT_APPID"):
        wxcv.WeChat()
    with pytest.raises(wxcv.ConfigError, match="TENCENTCLOUD_SECRET_ID"):
        wxcv.AsyncTencentCloud()
    with pytest.raises(wxcv.ConfigError, match="app_secret"):
        wxcv.WeChat("wx123")
    with pytest.raises(wxcv.ConfigError, match="timeout"):
        wxcv.WeChat("wx123", "s", timeout=-1)
    with pytest.raises(wxcv.ConfigError, match="base URL"):
        wxcv.WeChat("wx123", "s", base_url="ftp://x")
    monkeypatch.setenv("WECHAT_APPID", "wxenv")
    monkeypatch.setenv("WECHAT_APPSECRET", "env-secret")
    assert "wxenv" in repr(wxcv.WeChat())
    assert "env-secret" not in repr(wxcv.WeChat())


def test_unreadable_path_is_named(emu: Emulator, tmp_path: Path) -> None:
    wx = emu.wechat()
    d = tmp_path / "dir.png"
    d.mkdir()
    e = rejected(emu, "img.scan_qrcode", "image", lambda: wx.img.scan_qrcode(d))
    assert os.fspath(d) in e.detail or "directory" in e.detail.lower() or "read" in e.detail.lower()


def test_fixtures_dir_is_there() -> None:
    assert (FIXTURES / "manifest.json").is_file()
