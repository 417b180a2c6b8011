"""Static types: the generated snippet that calls every endpoint (sync and async) passes
``mypy --strict``; the package itself passes it; and mistakes a user could make are caught."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import List

import pytest

HERE = Path(__file__).resolve().parent


def mypy(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    try:
        import mypy  # noqa: F401
    except ImportError:  # pragma: no cover
        pytest.fail("mypy is not installed in this environment (pip install mypy)")
    env = dict(os.environ, MYPY_CACHE_DIR=str(cwd / ".mypy_cache"))
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-error-summary", "--hide-error-context", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_every_endpoint_snippet_passes_strict(tmp_path: Path) -> None:
    r = mypy(str(HERE / "generated" / "typecheck_every_endpoint.py"), cwd=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr


def test_package_passes_strict(tmp_path: Path) -> None:
    r = mypy("-p", "wxcv", cwd=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr


MISTAKES = {
    "wx.img.scan_qrcode(42)": "arg-type",
    "wx.img.scan_qrcode(b'', ratios=[1.0])": "call-arg",
    "wx.img.ai_crop(b'', ratios=['wide'])": "list-item",
    "wx.ocr.idcard(b'', type='fax')": "arg-type",
    "wx.wxacode.create_qrcode('p', width='300')": "arg-type",
    "n: int = wx.img.scan_qrcode(b'').img_size": "assignment",
    "s: str = wx.img.scan_qrcode(b'').code_results[0].nope": "attr-defined",
    "b: bytes = wx.wxacode.create_qrcode('p')": "assignment",
    "r: int = tc.ocr.qrcode_ocr(b'').code_results[0].url": "assignment",
    "x = wx.img.scan_qrcode(b'').code_results[0].pos.left_top": "union-attr",
}


def test_mistakes_are_caught(tmp_path: Path) -> None:
    lines: List[str] = ["from wxcv import WeChat, TencentCloud", "wx = WeChat('a', 'b')", "tc = TencentCloud('a', 'b')"]
    first = len(lines) + 1
    lines += list(MISTAKES)
    src = tmp_path / "mistakes.py"
    src.write_text("\n".join(lines) + "\n")
    r = mypy(str(src), cwd=tmp_path)
    out = r.stdout
    for i, (code, kind) in enumerate(MISTAKES.items()):
        tag = f"mistakes.py:{first + i}:"
        hits = [l for l in out.splitlines() if l.startswith(tag)]
        assert hits, f"mypy accepted `{code}`:\n{out}"
        assert any(f"[{kind}]" in h for h in hits), f"`{code}`: expected [{kind}], got {hits}"


def test_a_checked_position_has_its_four_corners(tmp_path: Path) -> None:
    """A QR / Data Matrix ``pos`` and Tencent Cloud's ``position`` may be absent, but once checked,
    every corner is there: ``c.pos.left_top.x`` type-checks (the spec marks the corners required)."""
    src = tmp_path / "corners.py"
    src.write_text(
        "from typing import List\n"
        "from wxcv import WeChat, TencentCloud\n"
        "def corners(wx: WeChat, tc: TencentCloud) -> List[int]:\n"
        "    out: List[int] = []\n"
        "    for c in wx.img.scan_qrcode(b'').code_results:\n"
        "        if c.pos is not None:\n"
        "            out += [c.pos.left_top.x, c.pos.right_top.y, c.pos.right_bottom.x, c.pos.left_bottom.y]\n"
        "    for item in wx.ocr.printed_text(b'').items:\n"
        "        if item.pos is not None:\n"
        "            out.append(item.pos.left_top.x)\n"
        "    for t in tc.ocr.qrcode_ocr(b'').code_results:\n"
        "        if t.position is not None:\n"
        "            out += [t.position.left_top.x, t.position.right_bottom.y]\n"
        "    return out\n"
    )
    r = mypy(str(src), cwd=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
