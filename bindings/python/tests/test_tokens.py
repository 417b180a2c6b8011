"""Access tokens shared through Redis (a real redis-server per test, on a free loopback port, with a
password that must never be printed): clients share one token, a token rejected by the vendor is
replaced once for all of them, Redis going away is a clear error or a fallback as configured."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import time
from typing import Iterator

import pytest

from wxcv import Emulator, errors

PASSWORD = "REDIS-PASSWORD-never-printed"


class RedisServer:
    def __init__(self) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
            + ["--requirepass", PASSWORD, "--loglevel", "warning"],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "redis-server did not start"
                time.sleep(0.02)

    @property
    def url(self) -> str:
        return f"redis://:{PASSWORD}@127.0.0.1:{self.port}/0"

    def stop(self) -> None:
        self.proc.kill()
        self.proc.wait()


@pytest.fixture
def redis() -> Iterator[RedisServer]:
    server = RedisServer()
    try:
        yield server
    finally:
        server.stop()


def test_sync_and_async_clients_share_one_token(emu: Emulator, qr: bytes, redis: RedisServer) -> None:
    a = emu.wechat(redis_url=redis.url, redis_prefix="py:")
    b = emu.async_wechat(redis_url=redis.url, redis_prefix="py:")
    assert a.img.scan_qrcode(qr).code_results[0].type_name == "QR_CODE"

    async def many() -> None:
        replies = await asyncio.gather(*(b.img.scan_qrcode(qr) for _ in range(50)))
        assert all(r.code_results[0].type_name == "QR_CODE" for r in replies)

    asyncio.run(many())
    assert emu.token_issues() == 1
    assert PASSWORD not in repr(a) and "redis://" in repr(a)

    # Another instance rotated the token: one new token for both clients, no failed call.
    emu.control("POST", "tokens/revoke", {"appid": emu.app_id})
    assert a.img.scan_qrcode(qr).code_results
    asyncio.run(many())
    assert emu.token_issues() == 2


def test_get_access_token_answers_the_shared_token(emu: Emulator, qr: bytes, redis: RedisServer) -> None:
    """Asked for the client's own app, the token call answers the token every process shares
    instead of replacing it at WeChat; stable_token's force_refresh fetches one new token."""
    a = emu.wechat(redis_url=redis.url, redis_prefix="ep:")
    b = emu.async_wechat(redis_url=redis.url, redis_prefix="ep:")
    first = a.auth.get_access_token(emu.app_id, emu.app_secret)
    assert 7000 <= first.expires_in <= 7200

    async def from_b() -> str:
        t = await b.auth.get_access_token(emu.app_id, emu.app_secret)
        await b.img.scan_qrcode(qr)
        return t.access_token

    assert asyncio.run(from_b()) == first.access_token
    assert emu.token_issues() == 1

    s1 = a.auth.get_stable_access_token(emu.app_id, emu.app_secret)
    assert a.auth.get_stable_access_token(emu.app_id, emu.app_secret).access_token == s1.access_token
    s2 = a.auth.get_stable_access_token(emu.app_id, emu.app_secret, force_refresh=True)
    assert s2.access_token != s1.access_token
    assert a.auth.get_stable_access_token(emu.app_id, emu.app_secret).access_token == s2.access_token


def test_get_access_token_without_a_store_uses_the_client_cache(emu: Emulator, qr: bytes) -> None:
    wx = emu.wechat()
    wx.img.scan_qrcode(qr)
    t1 = wx.auth.get_access_token(emu.app_id, emu.app_secret)
    t2 = wx.auth.get_access_token(emu.app_id, emu.app_secret)
    assert t1.access_token == t2.access_token
    assert emu.token_issues() == 1


def test_a_wrong_redis_password_is_a_config_error(emu: Emulator, qr: bytes, redis: RedisServer) -> None:
    wrong = f"redis://:wrong-password-never-printed@127.0.0.1:{redis.port}/0"
    with pytest.raises(errors.ConfigError) as e:
        emu.wechat(redis_url=wrong).img.scan_qrcode(qr)
    assert "password" in str(e.value) and "wrong-password-never-printed" not in str(e.value) + repr(e.value)


def test_redis_going_away(emu: Emulator, qr: bytes, redis: RedisServer) -> None:
    strict = emu.wechat(redis_url=redis.url, redis_prefix="away:")
    lenient = emu.wechat(redis_url=redis.url, redis_prefix="away:", redis_fallback=True)
    strict.img.scan_qrcode(qr)
    lenient.img.scan_qrcode(qr)
    assert emu.token_issues() == 1
    redis.stop()
    emu.control("POST", "tokens/revoke", {"appid": emu.app_id})
    started = time.monotonic()
    with pytest.raises(errors.TransportError) as e:
        strict.img.scan_qrcode(qr)
    assert e.value.transport_kind == "token_store"
    assert f"127.0.0.1:{redis.port}" in str(e.value) and PASSWORD not in str(e.value) + repr(e.value)
    assert lenient.img.scan_qrcode(qr).code_results
    assert time.monotonic() - started < 10
    assert emu.token_issues() == 2


@pytest.mark.parametrize(
    "options, needle",
    [
        ({"redis_url": "rediss://h:6380"}, "TLS is not supported"),
        ({"redis_url": "http://h"}, "redis://"),
        ({"redis_prefix": "x:"}, "needs redis_url"),
        ({"redis_fallback": True}, "needs redis_url"),
    ],
)
def test_bad_redis_settings_are_config_errors(emu: Emulator, options: dict, needle: str) -> None:
    with pytest.raises(errors.ConfigError, match=needle):
        emu.wechat(**options)
