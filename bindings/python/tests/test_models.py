"""Result classes: attributes, equality, repr, to_dict()/from_dict(), and binary results."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest

from wxcv import BinaryImage, Emulator
from wxcv import tencentcloud as tc
from wxcv import wechat as wx
from conftest import fixture_bytes


def test_to_dict_is_the_vendor_shape(emu: Emulator) -> None:
    r = emu.wechat().img.scan_qrcode(fixture_bytes("seed-four-codes.jpg"))
    d = r.to_dict()
    assert list(d) == ["code_results", "img_size"]
    assert d["img_size"] == {"w": 1000, "h": 900}
    assert d["code_results"][0]["pos"]["left_top"] == {"x": 585, "y": 378}
    assert "pos" not in d["code_results"][2]  # barcodes report no position
    assert wx.ScanQrcodeResult.from_dict(d) == r
    t = emu.tencentcloud().ocr.qrcode_ocr(fixture_bytes("seed-four-codes.jpg"))
    td = t.to_dict()
    assert set(td) >= {"CodeResults", "ImgSize", "RequestId"}
    assert td["ImgSize"] == {"Wide": 1000, "High": 900}
    assert t.img_size == tc.QrcodeImgSize(wide=1000, high=900)


def test_models_are_frozen_values() -> None:
    a = wx.Point(x=1, y=2)
    assert a == wx.Point(x=1, y=2) and a != wx.Point(x=2, y=1)
    assert repr(a) == "Point(x=1, y=2)"
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.x = 3  # type: ignore[misc]
    assert hash(a) == hash(wx.Point(x=1, y=2))
    r = wx.ScanQrcodeResult.from_dict({"code_results": [{"type_name": "QR_CODE", "data": "x"}], "unknown": 1})
    assert repr(r) == "ScanQrcodeResult(code_results=[CodeResult(type_name='QR_CODE', data='x')])"
    assert wx.ScanQrcodeResult.from_dict({}) == wx.ScanQrcodeResult()
    assert wx.ScanQrcodeResult().to_dict() == {}


def test_binary_result(emu: Emulator, tmp_path: Path) -> None:
    img = emu.wechat().wxacode.get_unlimited("id=1", is_hyaline=True)
    assert isinstance(img, BinaryImage) and img.content_type == "image/png"
    assert img.data.startswith(b"\x89PNG") and len(img) == len(img.data) and bytes(img) == img.data
    out = tmp_path / "code.png"
    img.save(out)
    assert out.read_bytes() == img.data
    assert [p.name for p in tmp_path.iterdir()] == ["code.png"]  # no temporary file left
    with pytest.raises(OSError):
        img.save(tmp_path / "missing-dir" / "code.png")
    assert sorted(os.listdir(tmp_path)) == ["code.png"]
    assert repr(img).startswith("BinaryImage(content_type='image/png', <")


def test_superresolution_fetch(emu: Emulator) -> None:
    wxc = emu.wechat()
    with pytest.warns(DeprecationWarning):
        pic = wxc.img.superresolution_fetch(fixture_bytes("qr.png"))
    assert pic.content_type in ("image/jpeg", "image/png") and len(pic) > 100
