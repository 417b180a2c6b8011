"""docs/benchmarks.svg from cargo xtask bench's results.json: requests/s of ours against each
anchor, peak RSS of the 2 MB uploads, and the decoders' time per picture.

    plot.py target/bench/results.json docs/benchmarks.svg
"""

import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

OURS, THEIRS = "#2b7bba", "#c8553d"


def rps(results, comparison, side, inflight):
    for r in results["results"]:
        if r["comparison"] == comparison and r["side"] == side and r["inflight"] == inflight:
            return r["rps"]
    return 0.0


def main() -> None:
    data = json.load(open(sys.argv[1]))
    pairs = []  # (label, ours, anchor, anchor name)
    for row in data["rust_client"]["results"]:
        pairs.append((f"Rust scanQRCode\n{row['inflight']} in flight", row["ours"]["rps"], row["raw"]["rps"], "raw reqwest"))
    py, node = data["python_rps"], data["node_rps"]
    for n in (1, 64):
        ours_side = "wxcv sync" if n == 1 else "wxcv async"
        pairs.append((f"Python QrcodeOCR\n{n} in flight", rps(py, "QrcodeOCR", ours_side, n),
                      max(rps(py, "QrcodeOCR", "tencentcloud-sdk-python", n), rps(py, "QrcodeOCR", "tencentcloud-sdk-python async", n)), "tencentcloud-sdk-python"))
        pairs.append((f"Python createQRCode\n{n} in flight", rps(py, "createQRCode", ours_side, n), rps(py, "createQRCode", "wechatpy", n), "wechatpy"))
    for n in (1, 64):
        pairs.append((f"Node QrcodeOCR\n{n} in flight", rps(node, "QrcodeOCR", "wxcv", n), rps(node, "QrcodeOCR", "tencentcloud-sdk-nodejs", n), "tencentcloud-sdk-nodejs"))
        pairs.append((f"Node scanQRCode\n{n} in flight", rps(node, "scanQRCode", "wxcv", n), rps(node, "scanQRCode", "fetch + FormData", n), "fetch + FormData"))

    fig, axes = plt.subplots(3, 1, figsize=(11, 13), gridspec_kw={"height_ratios": [3, 1.6, 0.8]})
    ax = axes[0]
    ys = list(range(len(pairs)))
    ax.barh([y - 0.2 for y in ys], [p[1] for p in pairs], height=0.4, color=OURS, label="wxcv (ours)")
    ax.barh([y + 0.2 for y in ys], [p[2] for p in pairs], height=0.4, color=THEIRS, label="the anchor")
    for y, (_, o, t, name) in zip(ys, pairs):
        ax.text(max(o, t) * 1.02, y, f"{o / t:.1f}x vs {name}" if t else "", va="center", fontsize=8)
    ax.set_yticks(ys, [p[0] for p in pairs], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("requests per second (higher is better)")
    ax.set_xlim(0, max(max(p[1], p[2]) for p in pairs) * 1.35)
    ax.legend(loc="lower right")
    ax.set_title("Requests per second, same emulator, same picture")

    ax = axes[1]
    mem = data["memory"]
    ax.barh(range(len(mem)), [m["peak_rss_kib"] / 1024 for m in mem],
            color=[OURS if ("wxcv" in m["side"] or m["side"] == "rust ours") else THEIRS for m in mem])
    ax.set_yticks(range(len(mem)), [m["side"] for m in mem], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("peak RSS, MiB, 1,000 uploads of a 2 MB picture (lower is better)")

    ax = axes[2]
    dec = {}
    for d in data["decode"]:
        dec.setdefault("ours (rxing)" if d["side"].startswith("ours") else "zxing-cpp", []).append(d["ms_median"])
    names = list(dec)
    ax.barh(range(len(names)), [sorted(v)[len(v) // 2] for v in dec.values()], color=[OURS if n.startswith("ours") else THEIRS for n in names])
    ax.set_yticks(range(len(names)), names, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("ms per picture, the four-code picture decoded (lower is better)")

    fig.tight_layout()
    fig.savefig(sys.argv[2], format="svg", metadata={"Date": None})


if __name__ == "__main__":
    main()
