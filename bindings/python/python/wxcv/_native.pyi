# Types of the compiled module (bindings/python/src/lib.rs). Hand-written: the module is generic
# (it calls endpoints by name); the typed surface is generated in wechat.py / tencentcloud.py.
from typing import Any, Awaitable, List, Optional, Tuple, Union

__version__: str

def _drain(timeout: float) -> int: ...

_ImageArg = Tuple[str, str, Union[bytes, str], Optional[str], Optional[str]]
_Reply = Union[str, Tuple[bytes, str]]

class Client:
    @staticmethod
    def wechat(
        app_id: Optional[str] = None,
        app_secret: Optional[str] = None,
        *,
        cloudbase: bool = False,
        base_url: Optional[str] = None,
        stable_token: Optional[bool] = None,
        timeout: Optional[float] = None,
        from_appid: Optional[str] = None,
        redis_url: Optional[str] = None,
        redis_prefix: Optional[str] = None,
        redis_fallback: Optional[bool] = None,
    ) -> Client: ...
    @staticmethod
    def tencentcloud(
        secret_id: Optional[str] = None,
        secret_key: Optional[str] = None,
        *,
        region: Optional[str] = None,
        token: Optional[str] = None,
        language: Optional[str] = None,
        base_url: Optional[str] = None,
        timeout: Optional[float] = None,
    ) -> Client: ...
    def call(self, name: str, values_json: str, images: List[_ImageArg]) -> _Reply: ...
    def call_async(self, name: str, values_json: str, images: List[_ImageArg]) -> Awaitable[_Reply]: ...
    def with_options(self, *, timeout: Optional[float] = None) -> Client: ...
    @property
    def vendor(self) -> str: ...

class Emulator:
    app_id: str
    app_secret: str
    secret_id: str
    secret_key: str
    def __init__(self, *, cloudbase: bool = False) -> None: ...
    @property
    def base_url(self) -> str: ...
    def blob_url(self, data: bytes) -> str: ...
    def token_issues(self, app_id: str) -> int: ...
    def calls(self, endpoint: str) -> int: ...
    def close(self) -> None: ...
