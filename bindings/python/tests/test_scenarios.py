"""The shared scenarios (tests/scenarios.json), replayed through the Python clients, sync and
async, each against a fresh emulator over loopback HTTP."""

from __future__ import annotations

import asyncio
import io
import struct
from typing import Any, Dict, Optional, Tuple

import pytest

import wxcv
from wxcv import BinaryImage, Emulator
from conftest import fixture_bytes, load_scenarios

SCENARIOS = load_scenarios()


def image_arg(emu: Emulator, spec: Dict[str, Any]) -> Any:
    if "file" in spec:
        return fixture_bytes(spec["file"])
    if "blob" in spec:
        return emu.blob_url(fixture_bytes(spec["blob"]))
    if "url" in spec:
        return spec["url"]
    return str(spec["text"]).encode()


def target(emu: Emulator, is_async: bool, call: str) -> Tuple[Any, str]:
    """The bound method a scenario's `call` names: `group.id` on WeChat, `tc.id` on Tencent Cloud."""
    group, name = call.split(".", 1)
    if group == "tc":
        client: Any = emu.async_tencentcloud() if is_async else emu.tencentcloud()
        return getattr(client.ocr, name), name
    client = emu.async_wechat() if is_async else emu.wechat()
    return getattr(getattr(client, group), name), name


def setup(emu: Emulator, s: Dict[str, Any]) -> None:
    for f in s.get("faults", []):
        emu.control("POST", "faults", f)
    for f in s.get("ocr_fixtures", []):
        emu.register_ocr(f["endpoint"], fixture_bytes(f["file"]), f["reply"])


def matches(expected: Any, actual: Any, present: bool = True) -> bool:
    """`expected` is a subset of `actual` (see tests/scenarios.json's `about`)."""
    if expected == "$present":
        return present and actual is not None
    if expected == "$absent":
        return not present or actual is None
    if not present:
        return False
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(matches(v, actual.get(k), k in actual) for k, v in expected.items())
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(expected) != len(actual):
            return False
        used = [False] * len(actual)
        for e in expected:
            for i, a in enumerate(actual):
                if not used[i] and matches(e, a):
                    used[i] = True
                    break
            else:
                return False
        return True
    if isinstance(expected, (int, float)) and not isinstance(expected, bool):
        return isinstance(actual, (int, float)) and float(expected) == float(actual)
    return bool(expected == actual)


def picture_size(data: bytes) -> Tuple[int, int]:
    """Width and height of a PNG or JPEG, read from its header (no imaging library needed)."""
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        w, h = struct.unpack(">II", data[16:24])
        return int(w), int(h)
    f = io.BytesIO(data)
    f.read(2)
    while True:
        marker = f.read(2)
        if len(marker) < 2:
            raise ValueError("no JPEG frame header")
        (length,) = struct.unpack(">H", f.read(2))
        if marker[1] in (0xC0, 0xC1, 0xC2):
            f.read(1)
            h, w = struct.unpack(">HH", f.read(4))
            return int(w), int(h)
        f.read(length - 2)


def check(sc: Dict[str, Any], got: Any, err: Optional[BaseException]) -> None:
    expect = sc["expect"]
    if "error" in expect:
        assert err is not None, f"{sc['name']}: expected {expect['error']}, got {got!r}"
        if isinstance(err, wxcv.ApiError):
            actual = {"kind": "api", "code": err.code}
        elif isinstance(err, wxcv.InvalidInputError):
            actual = {"kind": "invalid_input", "field": err.field}
        else:
            actual = {"kind": type(err).__name__}
        assert matches(expect["error"], actual), f"{sc['name']}: expected {expect['error']}, got {err!r}"
        return
    assert err is None, f"{sc['name']}: unexpected {err!r}"
    if "image" in expect:
        assert isinstance(got, BinaryImage)
        w, h = picture_size(got.data)
        assert matches(expect["image"], {"content_type": got.content_type, "width": w, "height": h}), f"{sc['name']}: {got!r} {w}x{h}"
    else:
        d = got.to_dict()
        assert matches(expect["result"], d), f"{sc['name']}: expected {expect['result']}, got {d}"
        # The typed result and its vendor-shaped dict agree both ways.
        assert type(got).from_dict(d) == got


@pytest.mark.parametrize("sc", SCENARIOS, ids=[s["name"] for s in SCENARIOS])
def test_scenario_sync(emu: Emulator, sc: Dict[str, Any]) -> None:
    setup(emu, sc.get("setup", {}))
    method, _ = target(emu, False, sc["call"])
    args = dict(sc["args"])
    if "image" in args:
        args["image"] = image_arg(emu, args["image"])
    got, err = None, None
    try:
        got = method(**args)
    except wxcv.WxcvError as e:
        err = e
    check(sc, got, err)


@pytest.mark.parametrize("sc", SCENARIOS, ids=[s["name"] for s in SCENARIOS])
def test_scenario_async(emu: Emulator, sc: Dict[str, Any]) -> None:
    setup(emu, sc.get("setup", {}))
    method, _ = target(emu, True, sc["call"])
    args = dict(sc["args"])
    if "image" in args:
        args["image"] = image_arg(emu, args["image"])

    async def run() -> Tuple[Any, Optional[BaseException]]:
        try:
            return await method(**args), None
        except wxcv.WxcvError as e:
            return None, e

    got, err = asyncio.run(run())
    check(sc, got, err)


def test_every_scenario_call_exists() -> None:
    assert len(SCENARIOS) >= 20
    with Emulator() as emu:
        for sc in SCENARIOS:
            method, _ = target(emu, False, sc["call"])
            assert callable(method)
