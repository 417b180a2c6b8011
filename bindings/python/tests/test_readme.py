"""The README's Python example runs as written, offline, against the compiled-in emulator."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from conftest import ROOT


def test_readme_example_runs(tmp_path: Path) -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Python", 1)[1]
    blocks = re.findall(r"```python\n(.*?)```", section, flags=re.S)
    assert blocks, "no Python example in the README"
    (tmp_path / "example.py").write_text(blocks[0], encoding="utf-8")
    os.symlink(ROOT / "tests", tmp_path / "tests")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WECHAT_", "TENCENTCLOUD_"))}
    r = subprocess.run([sys.executable, "example.py"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert "QR_CODE http://www.qq.com" in out and "EAN_13 5906789678957" in out
    assert "{'w': 1000, 'h': 900}" in out
    assert "invalid input for ocr.idcard: image:" in out
    assert "101001 No certificate or card was found in the picture" in out
    assert "64 decoded" in out
    assert (tmp_path / "code.png").read_bytes().startswith(b"\x89PNG")
