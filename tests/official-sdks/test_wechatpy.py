"""wechatpy (pinned in requirements.txt), unmodified, against the emulator: its token fetch (the
reply is `{access_token, expires_in}` alone, as WeChat's), the wxacode calls, and its refresh on
40001 (a fresh token fetched and the call sent again). wechatpy's token URL is fixed to
https://api.weixin.qq.com, so a requests adapter on its session sends that host to the emulator."""

from typing import Any, Iterator, Tuple

import pytest
import requests
from requests.adapters import HTTPAdapter
from wechatpy import WeChatClient
from wechatpy.exceptions import WeChatClientException

from conftest import Emulator

VENDOR = "https://api.weixin.qq.com"


class ToEmulator(HTTPAdapter):
    """Sends https://api.weixin.qq.com/... to the emulator's http://127.0.0.1:PORT/..., unchanged otherwise."""

    def __init__(self, base: str) -> None:
        super().__init__()
        self.base = base
        self.sent: list = []

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        assert request.url and request.url.startswith(VENDOR), request.url
        request.url = self.base + request.url[len(VENDOR):]
        self.sent.append(request.url.split("?", 1)[0])
        return super().send(request, **kwargs)


def wechatpy(emu: Emulator) -> Tuple[WeChatClient, ToEmulator, str]:
    appid, secret = emu.new_app()
    client = WeChatClient(appid, secret)
    adapter = ToEmulator(emu.base)
    client._http.mount(VENDOR, adapter)
    return client, adapter, appid


def token_issues(emu: Emulator, appid: str) -> int:
    return int(emu.counters()["token_issues"].get(appid, 0))


def is_png_or_jpeg(data: bytes) -> bool:
    return data.startswith(b"\x89PNG") or data.startswith(b"\xff\xd8")


def test_token_reply_is_read_as_wechat_sends_it(emu: Emulator) -> None:
    client, adapter, appid = wechatpy(emu)
    result = client.fetch_access_token()
    assert sorted(result) == ["access_token", "expires_in"]
    assert result["expires_in"] == 7200
    assert client.access_token == result["access_token"]
    assert adapter.sent == [f"{emu.base}/cgi-bin/token"]
    assert token_issues(emu, appid) == 1


def test_wrong_secret_is_an_error(emu: Emulator) -> None:
    appid, _ = emu.new_app()
    client = WeChatClient(appid, "wrong-secret")
    client._http.mount(VENDOR, ToEmulator(emu.base))
    with pytest.raises(WeChatClientException) as e:
        client.fetch_access_token()
    assert e.value.errcode == 40125


def test_wxacode_calls_return_images(emu: Emulator) -> None:
    client, adapter, _ = wechatpy(emu)
    qr = client.wxa.create_qrcode("pages/index/index", width=280)
    assert is_png_or_jpeg(qr.content), qr.content[:40]
    code = client.wxa.get_wxa_code("pages/index/index?from=" + "x" * 900, width=430)
    assert is_png_or_jpeg(code.content)
    unlimited = client.wxa.get_wxa_code_unlimited("id=42&k=v", page="pages/index/index", is_hyaline=True)
    assert is_png_or_jpeg(unlimited.content)
    assert adapter.sent[1:] == [f"{emu.base}/cgi-bin/wxaapp/createwxaqrcode", f"{emu.base}/wxa/getwxacode", f"{emu.base}/wxa/getwxacodeunlimit"]


def test_wxacode_errors_are_wechat_client_exceptions(emu: Emulator) -> None:
    client, _, _ = wechatpy(emu)
    with pytest.raises(WeChatClientException) as e:
        client.wxa.get_wxa_code_unlimited("not allowed: <>", page="pages/index/index")
    assert e.value.errcode == 40129
    with pytest.raises(WeChatClientException) as e:
        client.wxa.create_qrcode("p" * 129)
    assert e.value.errcode == 40159
    # wxacode.get's path: up to 1024 characters on the vendor's current page.
    assert is_png_or_jpeg(client.wxa.get_wxa_code("p" * 1024).content)
    with pytest.raises(WeChatClientException) as e:
        client.wxa.get_wxa_code("p" * 1025)
    assert e.value.errcode == 40159


def test_40001_makes_wechatpy_fetch_a_new_token_and_retry(emu: Emulator) -> None:
    client, adapter, appid = wechatpy(emu)
    first = client.access_token
    assert emu.control("tokens/revoke", {"appid": appid})["revoked"] >= 1
    qr = client.wxa.create_qrcode("pages/index/index")
    assert is_png_or_jpeg(qr.content)
    assert client.access_token != first
    assert token_issues(emu, appid) == 2
    assert adapter.sent == [f"{emu.base}/cgi-bin/token", f"{emu.base}/cgi-bin/wxaapp/createwxaqrcode",
                            f"{emu.base}/cgi-bin/token", f"{emu.base}/cgi-bin/wxaapp/createwxaqrcode"]
