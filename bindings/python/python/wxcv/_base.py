"""The hand-written runtime the generated modules import: pictures in and out, the model base
class, and the glue from a generated method to the compiled core (``wxcv._native``)."""

from __future__ import annotations

import asyncio
import atexit
import dataclasses
import json
import math
import os
import tempfile
import warnings
from typing import Any, ClassVar, Dict, FrozenSet, List, Mapping, Optional, Tuple, TypeVar, Union

from . import _native
from ._gen.errors import InvalidInputError

# At exit, let the runtime's threads finish handing back results before the interpreter goes away.
atexit.register(_native._drain, 5.0)


def _resolve(fut: "asyncio.Future[Any]", ok: bool, value: Any) -> None:
    """Completes an async call's future on its loop (called by ``wxcv._native``)."""
    if fut.done():
        return
    if ok:
        fut.set_result(value)
    else:
        fut.set_exception(value)


__all__ = ["Image", "ImageInput", "BinaryImage", "Model", "SyncApi", "AsyncApi", "ClientBase"]


def _redact_url(url: str) -> str:
    """Scheme, host and path only: a URL's query may carry a signature."""
    return url.split("?", 1)[0].split("#", 1)[0]


class Image:
    """A picture argument in an explicit form.

    Every image parameter also takes plain values: ``bytes`` (or ``bytearray`` / ``memoryview``)
    are uploaded, an ``os.PathLike`` is read when the call is made, and a ``str`` is a URL the
    vendor fetches when it starts with ``http://`` or ``https://``, and a file path otherwise.
    """

    __slots__ = ("kind", "payload", "content_type", "filename")

    kind: str
    payload: Union[bytes, str]
    content_type: Optional[str]
    filename: Optional[str]

    def __init__(self, kind: str, payload: Union[bytes, str], content_type: Optional[str] = None, filename: Optional[str] = None) -> None:
        if kind not in ("bytes", "path", "url"):
            raise ValueError(f"Image kind must be bytes, path or url, not {kind!r}")
        self.kind = kind
        self.payload = payload
        self.content_type = content_type
        self.filename = filename

    @classmethod
    def from_bytes(
        cls, data: Union[bytes, bytearray, memoryview], *, content_type: Optional[str] = None, filename: Optional[str] = None
    ) -> Image:
        """Bytes to upload; the content type is sniffed from the magic bytes when not given."""
        return cls("bytes", bytes(data), content_type, filename)

    @classmethod
    def from_path(cls, path: Union[str, os.PathLike[str]]) -> Image:
        """A file, read when the call is made."""
        return cls("path", os.fspath(path))

    @classmethod
    def from_url(cls, url: str) -> Image:
        """A URL the vendor downloads itself (``img_url`` / ``ImageUrl``)."""
        return cls("url", url)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Image):
            return NotImplemented
        return (self.kind, self.payload, self.content_type, self.filename) == (other.kind, other.payload, other.content_type, other.filename)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        if self.kind == "bytes":
            return f"Image.from_bytes(<{len(self.payload)} bytes>, content_type={self.content_type!r})"
        if self.kind == "url":
            return f"Image.from_url({_redact_url(str(self.payload))!r})"
        return f"Image.from_path({self.payload!r})"


ImageInput = Union[bytes, bytearray, memoryview, str, "os.PathLike[str]", Image]
"""What an image parameter takes: bytes, a path, a URL, or an :class:`Image`."""

_ImageArg = Tuple[str, str, Union[bytes, str], Optional[str], Optional[str]]


def _image_arg(endpoint: str, name: str, v: Any) -> _ImageArg:
    if isinstance(v, Image):
        return (name, v.kind, v.payload, v.content_type, v.filename)
    if isinstance(v, bytes):
        return (name, "bytes", v, None, None)
    if isinstance(v, (bytearray, memoryview)):
        return (name, "bytes", bytes(v), None, None)
    if isinstance(v, str):
        if v.startswith(("http://", "https://")):
            return (name, "url", v, None, None)
        return (name, "path", v, None, None)
    if isinstance(v, os.PathLike):
        p = os.fspath(v)
        if isinstance(p, str):
            return (name, "path", p, None, None)
    detail = f"must be bytes, a path, a URL or a wxcv.Image, not {type(v).__name__}"
    raise InvalidInputError(f"invalid input for {endpoint}: {name}: {detail}", endpoint=endpoint, field=name, detail=detail)


def _json_value(endpoint: str, name: str, v: Any) -> Any:
    """A value as JSON: models by their ``to_dict()``; floats must be finite."""
    if isinstance(v, Model):
        return v.to_dict()
    if isinstance(v, (list, tuple)):
        return [_json_value(endpoint, name, x) for x in v]
    if isinstance(v, float) and not math.isfinite(v):
        detail = f"must be a finite number, not {v}"
        raise InvalidInputError(f"invalid input for {endpoint}: {name}: {detail}", endpoint=endpoint, field=name, detail=detail)
    return v


def _encode(endpoint: str, values: Mapping[str, Any], images: Mapping[str, Any]) -> Tuple[str, List[_ImageArg]]:
    present = {k: _json_value(endpoint, k, v) for k, v in values.items() if v is not None}
    try:
        text = json.dumps(present, allow_nan=False)
    except (TypeError, ValueError):
        for k, v in present.items():
            try:
                json.dumps(v, allow_nan=False)
            except (TypeError, ValueError):
                detail = f"cannot be sent: a {type(v).__name__} is not a JSON value"
                raise InvalidInputError(f"invalid input for {endpoint}: {k}: {detail}", endpoint=endpoint, field=k, detail=detail) from None
        raise
    return text, [_image_arg(endpoint, k, v) for k, v in images.items() if v is not None]


class BinaryImage:
    """A picture the vendor sent back (wxacode, media): its bytes and content type."""

    __slots__ = ("data", "content_type")

    data: bytes
    content_type: str

    def __init__(self, data: bytes, content_type: str) -> None:
        self.data = data
        self.content_type = content_type

    def save(self, path: Union[str, os.PathLike[str]]) -> None:
        """Writes the picture to ``path`` atomically: a reader never sees half a file."""
        target = os.fspath(path)
        directory = os.path.dirname(os.path.abspath(target))
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=".wxcv-", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(self.data)
            os.replace(tmp, target)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise

    def __bytes__(self) -> bytes:
        return self.data

    def __len__(self) -> int:
        return len(self.data)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, BinaryImage):
            return NotImplemented
        return self.data == other.data and self.content_type == other.content_type

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"BinaryImage(content_type={self.content_type!r}, <{len(self.data)} bytes>)"


class Model:
    """Base of every generated result class: frozen dataclasses with equality, a readable repr
    (secret fields such as access tokens shown as ``<redacted>``) and ``to_dict()``."""

    _SECRET: ClassVar[FrozenSet[str]] = frozenset()

    def to_dict(self) -> Dict[str, Any]:  # pragma: no cover - every generated model overrides it
        raise NotImplementedError

    def __repr__(self) -> str:
        parts = []
        for f in dataclasses.fields(self):  # type: ignore[arg-type]
            v = getattr(self, f.name)
            if v is None or (isinstance(v, list) and not v and f.default_factory is list):
                continue
            parts.append(f"{f.name}=<redacted>" if f.name in self._SECRET else f"{f.name}={v!r}")
        return f"{type(self).__name__}({', '.join(parts)})"


class _Api:
    __slots__ = ("_client",)

    def __init__(self, client: _native.Client) -> None:
        self._client = client

    @staticmethod
    def _deprecated(note: str) -> None:
        warnings.warn(note, DeprecationWarning, stacklevel=3)


class SyncApi(_Api):
    """A group of endpoints on a blocking client."""

    __slots__ = ()

    def _json(self, name: str, endpoint: str, values: Mapping[str, Any], images: Mapping[str, Any]) -> Dict[str, Any]:
        text, imgs = _encode(endpoint, values, images)
        out = self._client.call(name, text, imgs)
        assert isinstance(out, str)
        result: Dict[str, Any] = json.loads(out)
        return result

    def _binary(self, name: str, endpoint: str, values: Mapping[str, Any], images: Mapping[str, Any]) -> BinaryImage:
        text, imgs = _encode(endpoint, values, images)
        out = self._client.call(name, text, imgs)
        assert isinstance(out, tuple)
        return BinaryImage(out[0], out[1])


class AsyncApi(_Api):
    """A group of endpoints on an asyncio client."""

    __slots__ = ()

    async def _json(self, name: str, endpoint: str, values: Mapping[str, Any], images: Mapping[str, Any]) -> Dict[str, Any]:
        text, imgs = _encode(endpoint, values, images)
        out = await self._client.call_async(name, text, imgs)
        assert isinstance(out, str)
        result: Dict[str, Any] = json.loads(out)
        return result

    async def _binary(self, name: str, endpoint: str, values: Mapping[str, Any], images: Mapping[str, Any]) -> BinaryImage:
        text, imgs = _encode(endpoint, values, images)
        out = await self._client.call_async(name, text, imgs)
        assert isinstance(out, tuple)
        return BinaryImage(out[0], out[1])


_Client = TypeVar("_Client", bound="ClientBase")


class ClientBase:
    """What every client shares: the compiled core client (HTTP pool, token cache)."""

    __slots__ = ("_native",)

    def __init__(self, native: _native.Client) -> None:
        self._attach(native)

    def _attach(self, native: _native.Client) -> None:
        """Sets the core client (the generated classes add their endpoint groups)."""
        self._native = native

    def with_options(self: _Client, *, timeout: Optional[float] = None) -> _Client:
        """A client for some calls with other settings: ``timeout`` is seconds per attempt of each
        call made through it. It shares this client's connections and access tokens, so it is
        cheap; this client keeps its own settings::

            wx.with_options(timeout=2.0).img.scan_qrcode(picture)
        """
        clone = object.__new__(type(self))
        clone._attach(self._native.with_options(timeout=timeout))
        return clone

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._native!r})"
