"""Seed 002's ``ocr.scan`` (``wxcv.OCR`` / ``wxcv.AsyncOCR``) against the emulator: every kind
through its endpoint, one result class per kind, a missing client as ``ConfigError`` with nothing
sent, and the photo/scan mode."""

from __future__ import annotations

import asyncio
import json
from typing import Any, Dict, List, Tuple

import pytest

from wxcv import OCR, AsyncOCR, ConfigError, Emulator, InvalidInputError, ApiError
from wxcv.scan import (
    SCAN_KINDS,
    BankCardScan,
    BusinessCardScan,
    DrivingLicenseScan,
    IdCardScan,
    PassportScan,
    ScanResult,
    TextScan,
)

from conftest import ROOT, fixture_bytes


def setup(emu: Emulator) -> Tuple[List[Dict[str, Any]], bytes]:
    data = json.loads((ROOT / "tests" / "scan.json").read_text(encoding="utf-8"))
    picture = fixture_bytes(data["picture"])
    for k in data["kinds"]:
        emu.register_ocr(k["fixture"], picture, k["reply"])
    return data["kinds"], picture


def value(r: ScanResult) -> str:
    """The first text field of each kind's typed result; a type checker narrows on the class."""
    if isinstance(r, TextScan):
        return r.result.items[0].text
    if isinstance(r, IdCardScan):
        return r.result.name or ""
    if isinstance(r, BankCardScan):
        return r.result.number or ""
    if isinstance(r, DrivingLicenseScan):
        return r.result.id_num or ""
    if isinstance(r, BusinessCardScan):
        return r.result.business_card_infos[0].value
    if isinstance(r, PassportScan):
        return r.result.passport_no or ""
    raise AssertionError(r)


def test_every_kind_answers_its_own_class(emu: Emulator) -> None:
    kinds, picture = setup(emu)
    ocr = OCR(wechat=emu.wechat(), tencentcloud=emu.tencentcloud())
    assert [k["kind"] for k in kinds] == list(SCAN_KINDS)
    for k in kinds:
        r = ocr.scan(picture, k["kind"])
        assert r.kind == k["kind"]
        assert value(r) == k["value"]
        d = r.to_dict()
        assert d["kind"] == k["kind"] and isinstance(d["result"], dict)
    # The endpoint's own errors come through (no fixture for this picture).
    with pytest.raises(ApiError):
        ocr.scan(fixture_bytes("qr.png"), "passport")


def test_match_narrows_on_the_class(emu: Emulator) -> None:
    _, picture = setup(emu)
    ocr = OCR(wechat=emu.wechat(), tencentcloud=emu.tencentcloud())
    match ocr.scan(picture, "idcard"):
        case IdCardScan(result=card):
            assert card.name == "张三" and card.id == "110101199003071234"
        case other:
            raise AssertionError(other)


def test_a_kind_without_its_client_is_a_config_error_and_nothing_is_sent(emu: Emulator) -> None:
    _, picture = setup(emu)
    only_wechat = OCR(wechat=emu.wechat())
    for kind, action in (("businesscard", "BusinessCardOCR"), ("passport", "PassportOCR")):
        with pytest.raises(ConfigError) as e:
            only_wechat.scan(picture, kind)  # type: ignore[arg-type]
        assert "Tencent Cloud" in str(e.value) and kind in str(e.value) and action in str(e.value)
    with pytest.raises(ConfigError, match="WeChat"):
        OCR(tencentcloud=emu.tencentcloud()).scan(picture, "idcard")
    counters = emu.control("GET", "counters")
    assert counters["calls"] == {} and counters["token_issues"] == {}
    assert isinstance(only_wechat.scan(picture, "bankcard"), BankCardScan)


def test_bad_kind_and_mode_never_leave_the_client(emu: Emulator) -> None:
    _, picture = setup(emu)
    ocr = OCR(wechat=emu.wechat(), tencentcloud=emu.tencentcloud())
    with pytest.raises(InvalidInputError) as e:
        ocr.scan(picture, "invoice")  # type: ignore[arg-type]
    assert e.value.field == "kind" and "passport" in str(e.value)
    with pytest.raises(InvalidInputError) as e:
        ocr.scan(picture, "passport", mode="photo")
    assert e.value.field == "mode"
    assert emu.control("GET", "counters")["calls"] == {}
    assert isinstance(ocr.scan(picture, "idcard", mode="scan"), IdCardScan)


def test_async_ocr(emu: Emulator) -> None:
    kinds, picture = setup(emu)

    async def run() -> List[ScanResult]:
        ocr = AsyncOCR(wechat=emu.async_wechat(), tencentcloud=emu.async_tencentcloud())
        return list(await asyncio.gather(*(ocr.scan(picture, k["kind"]) for k in kinds)))

    results = asyncio.run(run())
    assert [r.kind for r in results] == [k["kind"] for k in kinds]
    assert [value(r) for r in results] == [k["value"] for k in kinds]

    async def missing() -> None:
        await AsyncOCR(wechat=emu.async_wechat()).scan(picture, "passport")

    with pytest.raises(ConfigError):
        asyncio.run(missing())
