"""The Python side of `cargo xtask bench`: our clients against tencentcloud-sdk-python and wechatpy,
and the zxing-cpp decoder. Run by xtask in its scratch venv; prints one JSON object on stdout.

    bench.py rps --base URL --image P --calls N --rounds R
    bench.py cold --base URL --calls 1000
    bench.py memory --base URL --image P --calls 1000 --side SIDE
    bench.py decode --image P --seconds S
    bench.py agree --corpus DIR --jobs N
    bench.py paced --base URL --image P --delay-ms D   (the emulator answers QrcodeOCR D ms late)
"""

import argparse
import asyncio
import base64
import json
import os
import resource
import statistics
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Awaitable, Callable, Dict, List, Optional

import requests


def control(base: str, path: str, body: Dict[str, Any]) -> Dict[str, Any]:
    r = requests.post(f"{base}/__emulator/{path}", json=body, timeout=10)
    r.raise_for_status()
    return r.json()


def new_app(base: str, name: str) -> tuple:
    appid = f"wxbench{name}{uuid.uuid4().hex[:12]}"
    secret = f"bench-secret-{appid}"
    control(base, "apps", {"appid": appid, "secret": secret})
    return appid, secret


def token_requests(base: str, appid: str) -> int:
    return int(requests.get(f"{base}/__emulator/counters", timeout=10).json()["token_issues"].get(appid, 0))


# --- the anchors --------------------------------------------------------------------------------

def tencent_clients(base: str, secret_id: str, secret_key: str):
    from tencentcloud.common import credential
    from tencentcloud.common.profile.client_profile import ClientProfile
    from tencentcloud.common.profile.http_profile import HttpProfile
    from tencentcloud.ocr.v20181119 import ocr_client, ocr_client_async, models

    host = base.split("://", 1)[1]
    # keepAlive on: the SDK at its best (its default opens a connection per call).
    profile = ClientProfile(httpProfile=HttpProfile(protocol="http", endpoint=host, keepAlive=True))
    cred = credential.Credential(secret_id, secret_key)
    return ocr_client.OcrClient(cred, "ap-guangzhou", profile), ocr_client_async.OcrClient(cred, "ap-guangzhou", profile), models


def qrcode_ocr_request(models: Any, picture_b64: str) -> Any:
    """tencentcloud-sdk-python's QrcodeOCR request for the picture."""
    req = models.QrcodeOCRRequest()
    req.ImageBase64 = picture_b64
    return req


def check_codes(codes: Any) -> None:
    if not codes:
        raise RuntimeError("no code in the canned QrcodeOCR reply")


def wechatpy_client(base: str, appid: str, secret: str):
    from wechatpy import WeChatClient

    class EmulatorWeChatClient(WeChatClient):
        """wechatpy with its API base URLs pointed at the emulator (its token URL is fixed in code)."""

        API_BASE_URL = f"{base}/cgi-bin/"

        def fetch_access_token(self):
            return self._fetch_access_token(
                url=f"{base}/cgi-bin/token",
                params={"grant_type": "client_credential", "appid": self.appid, "secret": self.secret},
            )

    client = EmulatorWeChatClient(appid, secret)
    client.wxa.API_BASE_URL = f"{base}/"
    return client


# --- requests per second ------------------------------------------------------------------------

def run_sync(call: Callable[[], Any], calls: int, inflight: int) -> float:
    start = time.perf_counter()
    if inflight == 1:
        for _ in range(calls):
            call()
    else:
        with ThreadPoolExecutor(max_workers=inflight) as pool:
            for f in [pool.submit(call) for _ in range(calls)]:
                f.result()
    return calls / (time.perf_counter() - start)


def run_async(loop: asyncio.AbstractEventLoop, call: Callable[[], Awaitable[Any]], calls: int, inflight: int) -> float:
    async def go() -> float:
        left = calls

        async def worker() -> None:
            nonlocal left
            while left > 0:
                left -= 1
                await call()

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(inflight)))
        return calls / (time.perf_counter() - start)

    return loop.run_until_complete(go())


def rps(args: argparse.Namespace) -> Dict[str, Any]:
    import wxcv

    base = args.base
    picture = open(args.image, "rb").read()
    picture_b64 = base64.b64encode(picture).decode()
    appid, secret = new_app(base, "py")
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)

    wx = wxcv.WeChat(appid, secret, base_url=base)
    tc = wxcv.TencentCloud(args.secret_id, args.secret_key, region="ap-guangzhou", base_url=base)
    awx = wxcv.AsyncWeChat(appid, secret, base_url=base)
    atc = wxcv.AsyncTencentCloud(args.secret_id, args.secret_key, region="ap-guangzhou", base_url=base)
    tsync, tasync, models = tencent_clients(base, args.secret_id, args.secret_key)
    wpy = wechatpy_client(base, appid, secret)

    def tc_request():
        return qrcode_ocr_request(models, picture_b64)

    def check_png(data: bytes) -> None:
        if data[:3] != b"\xff\xd8\xff" and data[:4] != b"\x89PNG":
            raise RuntimeError("createQRCode did not answer a picture")

    # (comparison, side, kind, call)
    sides: List[tuple] = [
        ("QrcodeOCR", "wxcv sync", "sync", lambda: check_codes(tc.ocr.qrcode_ocr(picture).code_results)),
        ("QrcodeOCR", "wxcv async", "async", lambda: _await_check(atc.ocr.qrcode_ocr(picture), lambda r: check_codes(r.code_results))),
        ("QrcodeOCR", "tencentcloud-sdk-python", "sync", lambda: check_codes(tsync.QrcodeOCR(tc_request()).CodeResults)),
        ("QrcodeOCR", "tencentcloud-sdk-python async", "async", lambda: _await_check(tasync.QrcodeOCR(tc_request()), lambda r: check_codes(r.CodeResults))),
        ("createQRCode", "wxcv sync", "sync", lambda: check_png(wx.wxacode.create_qrcode("pages/index", width=430).data)),
        ("createQRCode", "wxcv async", "async", lambda: _await_check(awx.wxacode.create_qrcode("pages/index", width=430), lambda r: check_png(r.data))),
        ("createQRCode", "wechatpy", "sync", lambda: check_png(wpy.wxa.create_qrcode("pages/index", width=430).content)),
    ]
    results = []
    for inflight in args.inflight:
        calls = args.calls if inflight == 1 else args.calls * 2
        samples: Dict[str, List[float]] = {f"{c}|{s}": [] for c, s, _, _ in sides}
        for c, s, kind, call in sides:  # warm up: connections, tokens, imports
            (run_sync(call, 50, inflight) if kind == "sync" else run_async(loop, call, 50, inflight))
        for rnd in range(args.rounds):
            order = sides if rnd % 2 == 0 else list(reversed(sides))
            for c, s, kind, call in order:
                r = run_sync(call, calls, inflight) if kind == "sync" else run_async(loop, call, calls, inflight)
                samples[f"{c}|{s}"].append(r)
        for key, xs in samples.items():
            c, s = key.split("|")
            results.append({"comparison": c, "side": s, "inflight": inflight, "calls_per_batch": calls,
                            "rps": statistics.median(xs), "rps_samples": [round(x) for x in xs]})
    loop.run_until_complete(tasync.close()) if hasattr(tasync, "close") else None
    return {"scenario": "python_rps", "bytes": len(picture), "results": results}


def _await_check(aw: Awaitable[Any], check: Callable[[Any], None]) -> Awaitable[None]:
    async def go() -> None:
        check(await aw)

    return go()


# --- cold token ---------------------------------------------------------------------------------

def cold(args: argparse.Namespace) -> Dict[str, Any]:
    import wxcv

    base, n = args.base, args.calls
    out = []

    def threads(call: Callable[[], Any]) -> tuple:
        gate = threading.Barrier(n)
        errors: List[str] = []

        def one() -> None:
            gate.wait()
            try:
                call()
            except Exception as e:  # noqa: BLE001 - counted and reported
                errors.append(repr(e)[:200])

        ts = [threading.Thread(target=one) for _ in range(n)]
        start = time.perf_counter()
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        return time.perf_counter() - start, errors

    appid, secret = new_app(base, "coldsync")
    wx = wxcv.WeChat(appid, secret, base_url=base)
    secs, errs = threads(lambda: wx.wxacode.create_qrcode("pages/index"))
    out.append({"side": "wxcv sync (1,000 threads)", "calls": n, "failed": len(errs), "token_requests": token_requests(base, appid), "seconds": secs})

    appid, secret = new_app(base, "coldasync")
    awx = wxcv.AsyncWeChat(appid, secret, base_url=base)

    async def gathered() -> tuple:
        start = time.perf_counter()
        rs = await asyncio.gather(*(awx.wxacode.create_qrcode("pages/index") for _ in range(n)), return_exceptions=True)
        return time.perf_counter() - start, [repr(r)[:200] for r in rs if isinstance(r, BaseException)]

    secs, errs = asyncio.run(gathered())
    out.append({"side": "wxcv async (1,000 tasks)", "calls": n, "failed": len(errs), "token_requests": token_requests(base, appid), "seconds": secs})

    appid, secret = new_app(base, "coldwechatpy")
    wpy = wechatpy_client(base, appid, secret)
    secs, errs = threads(lambda: wpy.wxa.create_qrcode("pages/index"))
    out.append({"side": "wechatpy (1,000 threads)", "calls": n, "failed": len(errs), "token_requests": token_requests(base, appid),
                "seconds": secs, "errors_sample": errs[:2]})
    return {"scenario": "cold_token", "language": "python", "results": out}


# --- memory -------------------------------------------------------------------------------------

def memory(args: argparse.Namespace) -> Dict[str, Any]:
    base, side = args.base, args.side
    picture = open(args.image, "rb").read()
    appid, secret = new_app(base, "mem")
    if side == "wxcv":
        import wxcv

        wx = wxcv.WeChat(appid, secret, base_url=base)
        call = lambda: wx.img.scan_qrcode(picture)  # noqa: E731
    elif side == "tencentcloud-sdk-python":
        tsync, _, models = tencent_clients(base, args.secret_id, args.secret_key)

        def call() -> Any:
            return tsync.QrcodeOCR(qrcode_ocr_request(models, base64.b64encode(picture).decode()))
    elif side == "wechatpy":
        # wechatpy wraps no image API: its generic post (token handling, requests) with the file.
        wpy = wechatpy_client(base, appid, secret)

        def call() -> Any:
            r = wpy.post("cv/img/qrcode", api_base_url=f"{base}/", files={"img": ("picture.jpg", picture, "image/jpeg")})
            if r.get("errcode", 0) != 0:
                raise RuntimeError(r)
            return r
    else:
        raise SystemExit(f"unknown side {side}")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    for _ in range(args.calls):
        call()
    return {"scenario": "memory", "side": f"python {side}", "calls": args.calls, "rss_before_kib": before,
            "peak_rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, "seconds": time.perf_counter() - start}


# --- decoding -----------------------------------------------------------------------------------

def decode(args: argparse.Namespace) -> Dict[str, Any]:
    import io

    import zxingcpp
    from PIL import Image

    data = open(args.image, "rb").read()

    def once() -> int:
        return len(zxingcpp.read_barcodes(Image.open(io.BytesIO(data))))

    codes = once()
    times: List[float] = []
    start = time.perf_counter()
    while time.perf_counter() - start < args.seconds or len(times) < 5:
        t = time.perf_counter()
        once()
        times.append((time.perf_counter() - t) * 1e3)
    return {"scenario": "decode", "side": f"zxing-cpp {zxingcpp.__version__ if hasattr(zxingcpp, '__version__') else ''} (Pillow decodes the file)".replace("  ", " "),
            "codes": codes, "runs": len(times), "ms_median": statistics.median(times), "ms_min": min(times)}

# zxing-cpp's formats, as the emulator names the symbologies it reads; other formats (Micro QR,
# Aztec, ITF...) are not the vendors' and are left out of the comparison.
ZXING_NAMES = {
    "QRCode": "QR_CODE", "QRCodeModel1": "QR_CODE", "QRCodeModel2": "QR_CODE",
    "DataMatrix": "DATA_MATRIX", "PDF417": "PDF_417", "CompactPDF417": "PDF_417",
    "EAN13": "EAN_13", "ISBN": "EAN_13", "EAN8": "EAN_8", "UPCA": "UPC_A", "UPCE": "UPC_E",
    "Code128": "CODE_128", "Code39": "CODE_39", "Code39Std": "CODE_39", "Code39Ext": "CODE_39",
    "Code93": "CODE_93",
}


def read_picture(path: str) -> Dict[str, Any]:
    """One picture of the corpus read by zxing-cpp with its defaults, Pillow decoding the file."""
    import zxingcpp
    from PIL import Image

    t = time.perf_counter()
    found = zxingcpp.read_barcodes(Image.open(path))
    seconds = time.perf_counter() - t
    codes = []
    for b in found:
        name = ZXING_NAMES.get(b.format.name)
        if name is None or not b.valid:
            continue
        text = b.text
        # zxing-cpp gives every UPC as its GTIN-13; the emulator (and the vendors) as ZXing does.
        if name == "UPC_E":
            text = (b.extra or {}).get("UPCE", text)
        elif name in ("EAN_13", "UPC_A") and len(text) == 13 and text.startswith("0"):
            name, text = "UPC_A", text[1:]
        p = b.position
        corners = [[p.top_left.x, p.top_left.y], [p.top_right.x, p.top_right.y],
                   [p.bottom_right.x, p.bottom_right.y], [p.bottom_left.x, p.bottom_left.y]]
        codes.append({"symbology": name, "text": text, "corners": corners})
    return {"file": os.path.basename(path), "seconds": seconds, "codes": codes}


def agree(args: argparse.Namespace) -> Dict[str, Any]:
    """Every picture of the corpus (DIR/truth.json) read by zxing-cpp, on `jobs` processes."""
    import multiprocessing

    truth = json.load(open(os.path.join(args.corpus, "truth.json")))
    paths = [os.path.join(args.corpus, p["file"]) for p in truth]
    read_picture(paths[0])  # the library loaded and warm before the clock starts
    start = time.perf_counter()
    if args.jobs <= 1:
        pictures = [read_picture(p) for p in paths]
    else:
        with multiprocessing.Pool(args.jobs) as pool:
            pool.map(read_picture, paths[:args.jobs])
            start = time.perf_counter()
            pictures = pool.map(read_picture, paths, chunksize=1)
    wall = time.perf_counter() - start
    from importlib.metadata import version

    return {"scenario": "agree", "side": f"zxing-cpp {version('zxing-cpp')}", "jobs": args.jobs,
            "wall_seconds": wall, "pictures": pictures}


# --- at the pace of the real services -----------------------------------------------------------

def paced(args: argparse.Namespace) -> Dict[str, Any]:
    """QrcodeOCR against an emulator that takes `delay_ms` a call (xtask arms the delay): CPU time
    and context switches of this whole process per call, each side at 1 and at 64 in flight."""
    import wxcv

    base = args.base
    picture = open(args.image, "rb").read()
    picture_b64 = base64.b64encode(picture).decode()
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    tc = wxcv.TencentCloud(args.secret_id, args.secret_key, region="ap-guangzhou", base_url=base)
    atc = wxcv.AsyncTencentCloud(args.secret_id, args.secret_key, region="ap-guangzhou", base_url=base)
    tsync, tasync, models = tencent_clients(base, args.secret_id, args.secret_key)

    def tc_request():
        return qrcode_ocr_request(models, picture_b64)


    sides = [
        ("wxcv sync", "sync", lambda: check_codes(tc.ocr.qrcode_ocr(picture).code_results)),
        ("wxcv async", "async", lambda: _await_check(atc.ocr.qrcode_ocr(picture), lambda r: check_codes(r.code_results))),
        ("tencentcloud-sdk-python", "sync", lambda: check_codes(tsync.QrcodeOCR(tc_request()).CodeResults)),
        ("tencentcloud-sdk-python async", "async", lambda: _await_check(tasync.QrcodeOCR(tc_request()), lambda r: check_codes(r.CodeResults))),
    ]

    def switches() -> int:
        u = resource.getrusage(resource.RUSAGE_SELF)
        return u.ru_nvcsw + u.ru_nivcsw

    results: List[Dict[str, Any]] = []
    control(base, "faults", {"endpoint": "QrcodeOCR", "times": 1_000_000, "delay_ms": args.delay_ms})
    try:
        paced_sides(sides, args, loop, switches, results)
    finally:
        requests.delete(f"{base}/__emulator/faults", timeout=10).raise_for_status()
    return {"scenario": "paced", "language": "python", "delay_ms": args.delay_ms, "bytes": len(picture), "results": results}


def paced_sides(sides: List[tuple], args: argparse.Namespace, loop: asyncio.AbstractEventLoop,
                switches: Callable[[], int], results: List[Dict[str, Any]]) -> None:
    for inflight in args.inflight:
        calls = args.calls if inflight == 1 else inflight * 8
        pool = ThreadPoolExecutor(max_workers=inflight)

        def batch(kind: str, call: Callable[[], Any], n: int) -> None:
            if kind == "async":
                async def go() -> None:
                    left = n

                    async def worker() -> None:
                        nonlocal left
                        while left > 0:
                            left -= 1
                            await call()

                    await asyncio.gather(*(worker() for _ in range(inflight)))

                loop.run_until_complete(go())
            elif inflight == 1:
                for _ in range(n):
                    call()
            else:
                for f in [pool.submit(call) for _ in range(n)]:
                    f.result()

        for side, kind, call in sides:
            batch(kind, call, max(inflight, 10))  # warm: connections, tokens, the pool's threads
            cpu, ctx, wall = time.process_time(), switches(), time.perf_counter()
            batch(kind, call, calls)
            cpu, ctx, wall = time.process_time() - cpu, switches() - ctx, time.perf_counter() - wall
            results.append({"side": side, "inflight": inflight, "calls": calls, "cpu_us_per_call": cpu * 1e6 / calls,
                            "switches_per_call": ctx / calls, "ms_per_call": wall * 1e3 / calls * inflight})
        pool.shutdown()


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("scenario", choices=["rps", "cold", "memory", "decode", "agree", "paced"])
    p.add_argument("--base")
    p.add_argument("--image")
    p.add_argument("--calls", type=int, default=1000)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--inflight", type=lambda s: [int(x) for x in s.split(",")], default=[1, 64])
    p.add_argument("--side")
    p.add_argument("--seconds", type=float, default=3.0)
    p.add_argument("--corpus")
    p.add_argument("--jobs", type=int, default=1)
    p.add_argument("--delay-ms", type=int, default=0)
    p.add_argument("--secret-id", default=os.environ.get("TENCENTCLOUD_SECRET_ID"))
    p.add_argument("--secret-key", default=os.environ.get("TENCENTCLOUD_SECRET_KEY"))
    args = p.parse_args()
    out = {"rps": rps, "cold": cold, "memory": memory, "decode": decode,
           "agree": agree, "paced": paced}[args.scenario](args)
    print(json.dumps(out))


if __name__ == "__main__":
    sys.exit(main())
