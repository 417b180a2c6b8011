"""The official SDKs' suite: tencentcloud-sdk-python and wechatpy, unmodified, against the emulator
started as its own process (`wxcv emulator`, the binary named by WXCV_BIN, else target/debug/wxcv).
Only their endpoints and transports are pointed at it, as a user's test would: the Tencent SDK's
HttpProfile endpoint, and a requests adapter on wechatpy's session for https://api.weixin.qq.com."""

import base64
import json
import os
import pathlib
import subprocess
import uuid
from typing import Any, Dict, Iterator

import pytest
import requests

ROOT = pathlib.Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"


class Emulator:
    def __init__(self) -> None:
        binary = os.environ.get("WXCV_BIN") or str(ROOT / "target" / "debug" / "wxcv")
        self.proc = subprocess.Popen([binary, "emulator", "--port", "0"], stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        line = self.proc.stdout.readline() if self.proc.stdout else ""
        if not line:
            self.proc.kill()
            raise RuntimeError(f"{binary} emulator printed nothing (exit {self.proc.wait()})")
        self.base = json.loads(line)["base_url"]
        self.host = self.base.split("://", 1)[1]
        self.http = requests.Session()

    def control(self, path: str, body: Any) -> Dict[str, Any]:
        r = self.http.post(f"{self.base}/__emulator/{path}", json=body, timeout=10)
        assert r.status_code == 200, r.text
        return r.json()

    def counters(self) -> Dict[str, Any]:
        return self.http.get(f"{self.base}/__emulator/counters", timeout=10).json()

    def new_key(self) -> tuple:
        secret_id = f"AKIDsdk{uuid.uuid4().hex[:16]}"
        secret_key = f"sdk-key-{uuid.uuid4().hex}"
        self.control("keys", {"secret_id": secret_id, "secret_key": secret_key})
        return secret_id, secret_key

    def new_app(self) -> tuple:
        appid = f"wxsdk{uuid.uuid4().hex[:12]}"
        secret = f"sdk-secret-{uuid.uuid4().hex}"
        self.control("apps", {"appid": appid, "secret": secret})
        return appid, secret

    def close(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    e = Emulator()
    try:
        yield e
    finally:
        e.close()


@pytest.fixture()
def fresh_emu() -> Iterator[Emulator]:
    """An emulator of its own, for a test that moves the clock."""
    e = Emulator()
    try:
        yield e
    finally:
        e.close()


def picture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def b64(name: str) -> str:
    return base64.b64encode(picture(name)).decode()
