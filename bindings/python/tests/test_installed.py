"""Where ``cargo xtask test`` runs this suite against the wheel from target/dist, installed into a
fresh venv with no Rust on PATH: the package imported is that installed one, not the source tree."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

import wxcv
from wxcv import _native


@pytest.mark.skipif(not os.environ.get("WXCV_EXPECT_INSTALLED"), reason="the suite runs against whatever wxcv is importable")
def test_the_package_under_test_is_the_installed_wheel() -> None:
    prefix = Path(sys.prefix).resolve()
    for module in (wxcv, _native):
        assert Path(str(module.__file__)).resolve().is_relative_to(prefix), module.__file__
    assert shutil.which("cargo") is None and shutil.which("rustc") is None, "Rust is on PATH"
