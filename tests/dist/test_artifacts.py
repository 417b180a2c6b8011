"""The release artifacts in target/dist (written by ``cargo xtask dist``), checked the way a user
meets them: their checksums hold, the wheel is manylinux2014 by auditwheel's reading, no ELF file in
any of them needs a glibc symbol newer than 2.17, the command line's tarball runs the README's main
job from a fresh folder without Rust on PATH, and the sdist builds from source where no wheel fits.

``cargo xtask test`` runs this file after ``cargo xtask dist``, with PATH stripped of every Rust
folder; WXCV_DIST_DIR, WXCV_DIST_TOOLS (the dist tools' bin folder) and WXCV_BUILD_PATH (the PATH
with cargo, for the source build) come from it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shlex
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path
from typing import Dict, List, Tuple

import pytest

ROOT = Path(__file__).resolve().parents[2]
DIST = Path(os.environ.get("WXCV_DIST_DIR", ROOT / "target" / "dist"))
TOOLS = Path(os.environ.get("WXCV_DIST_TOOLS", ROOT / "target" / "dist-tools" / "bin"))
GLIBC_FLOOR = (2, 17)
ELF_MAGIC = b"\x7fELF"

pytestmark = pytest.mark.skipif(not (DIST / "SHA256SUMS").exists(), reason=f"no release artifacts in {DIST} (cargo xtask dist)")


def version() -> str:
    return str(json.loads((ROOT / "bindings" / "node" / "package.json").read_text(encoding="utf-8"))["version"])


def artifact(pattern: str) -> Path:
    found = sorted(DIST.glob(pattern))
    assert len(found) == 1, f"expected one {pattern} in {DIST}, found {[f.name for f in found]}"
    return found[0]


def wheel() -> Path:
    found = artifact(f"wxcv-{version()}-cp39-abi3-*.whl")
    tags = set(found.name[: -len(".whl")].split("-")[-1].split("."))
    assert tags == {"manylinux2014_x86_64", "manylinux_2_17_x86_64"}, found.name
    return found


ARTIFACTS = {
    "wheel": lambda: wheel(),
    "npm platform package": lambda: artifact(f"wxcv-linux-x64-gnu-{version()}.tgz"),
    "command line": lambda: artifact(f"wxcv-{version()}-x86_64-unknown-linux-gnu.tar.gz"),
}


def members(path: Path) -> List[Tuple[str, bytes]]:
    """Every file in a wheel or a tarball, with its bytes."""
    if path.suffix == ".whl":
        with zipfile.ZipFile(path) as z:
            return [(n, z.read(n)) for n in z.namelist() if not n.endswith("/")]
    out = []
    with tarfile.open(path) as t:
        for m in t.getmembers():
            f = t.extractfile(m) if m.isfile() else None
            if f is not None:
                out.append((m.name, f.read()))
    return out


def glibc_needs(elf: Path) -> Dict[str, Tuple[int, ...]]:
    """The dynamic symbols an ELF file takes from glibc, with the version each needs."""
    r = subprocess.run(["objdump", "-T", str(elf)], capture_output=True, text=True, check=True)
    needs: Dict[str, Tuple[int, ...]] = {}
    for line in r.stdout.splitlines():
        # `... DF *UND*  0000000000000000 (GLIBC_2.14) memcpy` (binutils >= 2.35 wraps the version)
        m = re.search(r"\(?GLIBC_(\d+(?:\.\d+)*)\)?\s+(?:\S+\s+)?(\S+)$", line)
        if m and " *UND*" in line:
            needs[m.group(2)] = tuple(int(x) for x in m.group(1).split("."))
    return needs


def test_checksums_cover_every_artifact_and_hold() -> None:
    listed = {}
    for line in (DIST / "SHA256SUMS").read_text(encoding="utf-8").splitlines():
        digest, name = line.split(None, 1)
        listed[name.lstrip("*")] = digest
    files = {p.name for p in DIST.iterdir() if p.is_file() and p.name != "SHA256SUMS"}
    assert set(listed) == files
    for name, digest in listed.items():
        assert hashlib.sha256((DIST / name).read_bytes()).hexdigest() == digest, name
    assert (DIST / f"wxcv-{version()}.tar.gz").exists(), "no sdist"
    assert (DIST / f"wxcv-{version()}.tgz").exists(), "no main npm package"


def test_auditwheel_reads_the_wheel_as_manylinux2014() -> None:
    r = subprocess.run([str(TOOLS / "auditwheel"), "show", str(wheel())], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    text = " ".join(r.stdout.split())
    assert 'consistent with the following platform tag: "manylinux_2_17_x86_64"' in text, r.stdout


@pytest.mark.parametrize("name", sorted(ARTIFACTS))
def test_no_elf_file_needs_glibc_above_2_17(name: str, tmp_path: Path) -> None:
    elves = [(n, data) for n, data in members(ARTIFACTS[name]()) if data[:4] == ELF_MAGIC]
    assert elves, f"the {name} holds no ELF file"
    too_new = []
    for member, data in elves:
        f = tmp_path / Path(member).name
        f.write_bytes(data)
        needs = glibc_needs(f)
        assert needs, f"{member}: objdump found no glibc symbol (is it linked dynamically?)"
        too_new += [f"{member}: {sym}@GLIBC_{'.'.join(map(str, v))}" for sym, v in sorted(needs.items()) if v > GLIBC_FLOOR]
    assert not too_new, "symbols above GLIBC_2.17:\n" + "\n".join(too_new)


def readme_main_job() -> List[str]:
    """The arguments of the README's first command (`cargo run -q -p wxcv-cli -- ARGS`)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("```sh\n", 1)[1].split("```", 1)[0]
    first = block.splitlines()[0].split("#")[0]
    words = shlex.split(first)
    assert words[:2] == ["cargo", "run"] and "--" in words, first
    return words[words.index("--") + 1 :]


def test_the_cli_tarball_runs_the_readme_main_job_from_a_fresh_folder(tmp_path: Path) -> None:
    tarball = ARTIFACTS["command line"]()
    with tarfile.open(tarball) as t:
        t.extractall(tmp_path, filter="data") if sys.version_info >= (3, 12) else t.extractall(tmp_path)
    top = tmp_path / tarball.name[: -len(".tar.gz")]
    for f in ["wxcv", "README.md", "LICENSE-MIT", "LICENSE-APACHE", "THIRD-PARTY-LICENSES.md"]:
        assert (top / f).is_file(), f
    notes = (top / "THIRD-PARTY-LICENSES.md").read_text(encoding="utf-8")
    assert "## reqwest " in notes and "## rxing " in notes and "Licence: MIT OR Apache-2.0" in notes
    work = tmp_path / "fresh"
    work.mkdir()
    os.symlink(ROOT / "tests", work / "tests")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WECHAT_", "TENCENTCLOUD_"))}
    r = subprocess.run([str(top / "wxcv"), *readme_main_job()], cwd=work, env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    reply = json.loads(r.stdout)
    codes = reply["code_results"]
    assert [c["type_name"] for c in codes].count("QR_CODE") == 2 and len(codes) == 4, codes
    assert "http://www.qq.com" in [c["data"] for c in codes]
    assert reply["img_size"] == {"w": 1000, "h": 900}


def test_the_sdist_builds_from_source_where_no_wheel_fits(tmp_path: Path) -> None:
    """A fresh venv with cargo on PATH installs the sdist (maturin builds it), and it runs."""
    build_path = os.environ.get("WXCV_BUILD_PATH")
    if not build_path:
        pytest.skip("WXCV_BUILD_PATH (a PATH with cargo) is not set")
    sdist = DIST / f"wxcv-{version()}.tar.gz"
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    env = dict(os.environ, PATH=build_path, CARGO_TARGET_DIR=str(ROOT / "target"))
    py = str(venv / "bin" / "python")
    r = subprocess.run(
        [py, "-m", "pip", "install", "-q", "--disable-pip-version-check", "--no-binary", "wxcv", str(sdist)],
        env=env, capture_output=True, text=True, timeout=1800,
    )
    assert r.returncode == 0, r.stdout[-4000:] + r.stderr[-4000:]
    script = (
        "import wxcv, sys\n"
        "assert sys.prefix in wxcv.__file__, wxcv.__file__\n"
        "with wxcv.Emulator() as emu:\n"
        f"    print(len(emu.wechat().img.scan_qrcode({str(ROOT / 'tests/fixtures/seed-four-codes.jpg')!r}).code_results))\n"
    )
    r = subprocess.run([py, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "4"


def test_the_wheel_holds_the_package_and_its_typing() -> None:
    with zipfile.ZipFile(wheel()) as z:
        names = set(z.namelist())
        meta = z.read(next(n for n in names if n.endswith(".dist-info/WHEEL"))).decode()
    assert "wxcv/py.typed" in names and "wxcv/__init__.py" in names
    assert any(re.fullmatch(r"wxcv/_native\.abi3\.so", n) for n in names), sorted(names)
    assert "Tag: cp39-abi3-manylinux_2_17_x86_64" in meta, meta
