"""Shared fixtures: the repository's test pictures and scenarios, and a fresh emulator per test
(started in-process by the package itself, on a free loopback port)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest

from wxcv import Emulator

ROOT = Path(__file__).resolve().parents[3]
FIXTURES = ROOT / "tests" / "fixtures"


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def load_scenarios() -> List[Dict[str, Any]]:
    data = json.loads((ROOT / "tests" / "scenarios.json").read_text(encoding="utf-8"))
    scenarios: List[Dict[str, Any]] = data["scenarios"]
    return scenarios


@pytest.fixture
def emu() -> Iterator[Emulator]:
    with Emulator() as e:
        yield e


@pytest.fixture
def qr() -> bytes:
    return fixture_bytes("qr.png")
