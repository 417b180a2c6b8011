"""Errors over the wire: each vendor failure raises its class, with the vendor's code, message,
request id and the spec's meaning; and no secret or token is ever in a message or a repr."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from typing import Any, List

import pytest

import wxcv
from wxcv import Emulator, errors
from conftest import FIXTURES

FIXTURES_QR = FIXTURES / "qr.png"


def test_api_error_fields(emu: Emulator, qr: bytes) -> None:
    wx = emu.wechat()
    with pytest.raises(errors.CertificateNotFoundError) as info:
        wx.ocr.bankcard(qr)
    e = info.value
    assert isinstance(e, errors.NotFoundError) and isinstance(e, wxcv.ApiError) and isinstance(e, wxcv.WxcvError)
    assert (e.vendor, e.endpoint, e.code, e.errcode, e.category) == ("wechat", "ocr.bankcard", "101001", 101001, "not_found")
    assert e.meaning == "No certificate or card was found in the picture"
    assert e.meaning_zh and e.vendor_message and e.request_id and e.request_id in str(e)
    assert ("wechat", "101001") in errors.CertificateNotFoundError.CODES


def test_tencent_error_fields(emu: Emulator) -> None:
    from conftest import fixture_bytes

    tc = emu.tencentcloud()
    with pytest.raises(errors.NothingFoundError) as info:
        tc.ocr.qrcode_ocr(fixture_bytes("blank.png"))
    e = info.value
    assert (e.vendor, e.endpoint, e.code, e.errcode) == ("tencentcloud", "QrcodeOCR", "FailedOperation.ImageNoText", None)
    assert e.request_id and len(e.request_id) == 36


@pytest.mark.parametrize(
    "fault,cls,code",
    [
        ({"errcode": 45009}, wxcv.RateLimitError, "45009"),
        ({"errcode": 45011}, wxcv.RateLimitError, "45011"),
        ({"errcode": -1, "times": 3}, wxcv.ServiceError, "-1"),
        ({"errcode": 101003}, errors.ServiceQuotaExhaustedError, "101003"),
        ({"errcode": 40164}, errors.IpNotWhitelistedError, "40164"),
        ({"errcode": 99999}, wxcv.ApiError, "99999"),
    ],
)
def test_error_classes(emu: Emulator, qr: bytes, fault: Any, cls: type, code: str) -> None:
    emu.inject_fault("img.scan_qrcode", **fault)
    with pytest.raises(cls) as info:
        emu.wechat().img.scan_qrcode(qr)
    assert info.value.code == code  # type: ignore[attr-defined]
    if code == "99999":
        assert type(info.value) is wxcv.ApiError and info.value.category == "unknown"  # type: ignore[attr-defined]


def test_tencent_rate_limit_and_shared_classes(emu: Emulator, qr: bytes) -> None:
    tc = emu.tencentcloud()
    emu.inject_fault("QrcodeOCR", errcode="RequestLimitExceeded")
    with pytest.raises(wxcv.RateLimitError):
        tc.ocr.qrcode_ocr(qr)
    emu.inject_fault("QrcodeOCR", errcode="FailedOperation.DownLoadError")
    with pytest.raises(errors.ImageDownloadFailedError):
        tc.ocr.qrcode_ocr(qr)
    # One class catches the same failure from either vendor.
    with pytest.raises(errors.ImageDownloadFailedError) as info:
        emu.wechat().img.scan_qrcode("http://127.0.0.1:9/missing.jpg")
    assert info.value.code == "101000"


def test_token_rejected_twice_is_a_token_error(emu: Emulator, qr: bytes) -> None:
    emu.inject_fault("img.scan_qrcode", times=2, errcode=42001)
    with pytest.raises(wxcv.TokenError) as info:
        emu.wechat().img.scan_qrcode(qr)
    assert isinstance(info.value, wxcv.AuthenticationError)


def test_token_rejected_once_is_retried(emu: Emulator, qr: bytes) -> None:
    wx = emu.wechat()
    emu.inject_fault("img.scan_qrcode", times=1, errcode=40001)
    assert wx.img.scan_qrcode(qr).code_results
    assert emu.token_issues() == 2


def test_transport_and_decode_errors(emu: Emulator, qr: bytes) -> None:
    wx = emu.wechat(timeout=0.5)
    wx.img.scan_qrcode(qr)  # token fetched first, so the faults below hit the call itself
    emu.inject_fault("img.scan_qrcode", times=3, http_status=502)
    with pytest.raises(wxcv.TransportError) as t:
        wx.img.scan_qrcode(qr)
    assert (t.value.transport_kind, t.value.http_status) == ("http_status", 502)
    emu.inject_fault("img.scan_qrcode", non_json=True)
    with pytest.raises(wxcv.DecodeError):
        wx.img.scan_qrcode(qr)
    emu.inject_fault("img.scan_qrcode", times=3, delay_ms=3000)
    with pytest.raises(wxcv.TransportTimeoutError) as to:
        wx.img.scan_qrcode(qr)
    assert isinstance(to.value, TimeoutError) and to.value.transport_kind == "timeout"
    emu.close()
    with pytest.raises(wxcv.TransportError) as c:
        wx.img.scan_qrcode(qr)
    assert c.value.transport_kind == "connect"


def test_secrets_never_shown(emu: Emulator, qr: bytes, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    secret = "this-app-secret-must-not-leak"
    seen: List[str] = []
    bad = wxcv.WeChat(emu.app_id, secret, base_url=emu.base_url)
    with pytest.raises(errors.InvalidAppSecretError) as info:
        bad.img.scan_qrcode(qr)
    seen += [str(info.value), repr(info.value), repr(bad), repr(bad.img)]
    good = emu.wechat()
    token = good.auth.get_access_token(emu.app_id, emu.app_secret)
    seen += [repr(token), str(token), repr(good)]
    tc = wxcv.TencentCloud(emu.secret_id, "wrong-secret-key-must-not-leak", base_url=emu.base_url)
    with pytest.raises(errors.SignatureFailureError) as tinfo:
        tc.ocr.qrcode_ocr(qr)
    seen += [str(tinfo.value), repr(tinfo.value), repr(tc)]
    seen += [r.getMessage() for r in caplog.records]
    text = "\n".join(seen)
    for s in (secret, emu.app_secret, token.access_token, emu.secret_key, "wrong-secret-key-must-not-leak"):
        assert s not in text
    assert "access_token=<redacted>" in repr(token)
    assert len(token.access_token) > 20  # the attribute itself is the real token


def test_gil_released_while_waiting(emu: Emulator, qr: bytes) -> None:
    """A blocking call lets other Python threads run: while it waits on a slow reply, a pure-Python
    loop in this thread keeps counting (with the GIL held by the call it would not move)."""
    wx = emu.wechat()
    wx.img.scan_qrcode(qr)
    emu.inject_fault("img.scan_qrcode", delay_ms=400)
    done = threading.Event()
    result: List[Any] = []
    t = threading.Thread(target=lambda: (result.append(wx.img.scan_qrcode(qr)), done.set()))
    t.start()
    time.sleep(0.05)  # the call is now waiting on the delayed reply
    spins = 0
    while not done.is_set():
        spins += 1
    t.join()
    assert result and result[0].code_results
    assert spins > 10_000, spins


def test_many_async_calls_in_flight(emu: Emulator) -> None:
    """200 calls at once on one client: every reply belongs to its own request."""
    from conftest import fixture_bytes

    pics = {"qr.png": "QR_CODE", "datamatrix.png": "DATA_MATRIX", "ean13.png": "EAN_13", "code128.png": "CODE_128"}
    data = {k: fixture_bytes(k) for k in pics}
    names = [list(pics)[i % 4] for i in range(200)]

    async def main() -> List[str]:
        wx = emu.async_wechat()
        results = await asyncio.gather(*[wx.img.scan_qrcode(data[n]) for n in names])
        return [r.code_results[0].type_name for r in results]

    got = asyncio.run(main())
    assert got == [pics[n] for n in names]
    assert emu.token_issues() == 1
    assert emu.calls("img.scan_qrcode") == 200


def test_async_errors_and_cancellation(emu: Emulator, qr: bytes) -> None:
    async def main() -> None:
        wx = emu.async_wechat()
        emu.inject_fault("img.scan_qrcode", errcode=45009)
        with pytest.raises(wxcv.RateLimitError):
            await wx.img.scan_qrcode(qr)
        emu.inject_fault("img.scan_qrcode", delay_ms=5000)
        task = asyncio.ensure_future(wx.img.scan_qrcode(qr))
        await asyncio.sleep(0.1)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert (await wx.img.scan_qrcode(qr)).code_results

    asyncio.run(asyncio.wait_for(main(), 10))


def test_interpreter_exits_cleanly_after_async_calls(tmp_path: Any) -> None:
    """The runtime's threads hand back their last results before the interpreter finalizes
    (an exit racing them used to abort the process now and then)."""
    import subprocess
    import sys

    script = tmp_path / "exit.py"
    script.write_text(
        "import asyncio, wxcv, pathlib\n"
        f"qr = pathlib.Path({str(FIXTURES_QR)!r}).read_bytes()\n"
        "emu = wxcv.Emulator()\n"
        "async def main():\n"
        "    wx = emu.async_wechat()\n"
        "    await asyncio.gather(*(wx.img.scan_qrcode(qr) for _ in range(64)))\n"
        "asyncio.run(main())\n"
    )
    for _ in range(8):
        r = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, r.stderr


def test_a_timeout_per_call_with_options(emu: Emulator, qr: bytes) -> None:
    wx = emu.wechat(timeout=10)
    quick = wx.with_options(timeout=0.2)
    assert type(quick) is wxcv.WeChat and quick.img is not wx.img
    wx.img.scan_qrcode(qr)
    emu.inject_fault("img.scan_qrcode", times=3, delay_ms=1500)
    started = time.monotonic()
    with pytest.raises(errors.TransportTimeoutError):
        quick.img.scan_qrcode(qr)
    assert time.monotonic() - started < 1.4
    # The client keeps its own 10 s, and the handle shares its token.
    emu.inject_fault("img.scan_qrcode", times=1, delay_ms=500)
    wx.img.scan_qrcode(qr)
    assert emu.token_issues() == 1

    aw = emu.async_wechat()
    aquick = aw.with_options(timeout=0.2)
    assert type(aquick) is wxcv.AsyncWeChat
    emu.inject_fault("img.scan_qrcode", times=3, delay_ms=1500)
    with pytest.raises(errors.TransportTimeoutError):
        asyncio.run(aquick.img.scan_qrcode(qr))

    tc = emu.tencentcloud().with_options(timeout=0.2)
    emu.inject_fault("QrcodeOCR", times=3, delay_ms=1500)
    with pytest.raises(errors.TransportTimeoutError):
        tc.ocr.qrcode_ocr(qr)
    for bad in (0, -1, float("nan")):
        with pytest.raises(errors.ConfigError, match="timeout"):
            wx.with_options(timeout=bad)
