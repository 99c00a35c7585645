#!/usr/bin/env python3
"""Render benchmark results (bench/results/*.json) as one self-contained SVG.

Usage: python3 bench/chart.py RESULTS.json OUT.svg

Draws, top to bottom, under a title line with the machine and generated_at:
  1. throughput (requests/s) per loadgen scenario, as horizontal bars;
  2. latency p50 / p99 / p99.9 (ms) per loadgen scenario plus the
     webhook-to-agent-WebSocket runs (team-latency, team-latency-5000),
     as grouped horizontal bars on a log10 axis, with a legend;
  3. a text panel: team assignment, outbound sending and scale figures.
Every section is optional: whatever is missing from the JSON is skipped.
Standard library only.
"""
import json
import math
import os
import sys
from xml.sax.saxutils import escape

WIDTH, LABEL_W, BAR_X, BAR_MAX_X = 1100, 230, 240, 960
COLORS = {"p50": "#4c8bd6", "p99": "#f0a030", "p99.9": "#d64c4c"}
FONT = "font-family='DejaVu Sans, Helvetica, Arial, sans-serif'"


def obj(x):
    return x if isinstance(x, dict) else {}


def num(x):
    """A finite float, or None for anything else (missing, null, text, bool)."""
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        return None
    return float(x) if math.isfinite(x) else None


def fmt(v, unit=""):
    if v is None:
        return "n/a"
    if abs(v) >= 1000:
        s = f"{v:,.0f}"
    elif v == int(v) and abs(v) >= 10:
        s = f"{v:.0f}"
    else:
        s = f"{v:.3g}"
    return s + unit


class Svg:
    def __init__(self):
        self.parts = []

    def text(self, x, y, s, size=12, anchor="start", weight="normal", fill="#222"):
        self.parts.append(
            f"<text x='{x:.1f}' y='{y:.1f}' font-size='{size}' text-anchor='{anchor}' "
            f"font-weight='{weight}' fill='{fill}'>{escape(str(s))}</text>")

    def rect(self, x, y, w, h, fill):
        self.parts.append(f"<rect x='{x:.1f}' y='{y:.1f}' width='{max(w, 0):.1f}' "
                          f"height='{h:.1f}' fill='{fill}'/>")

    def line(self, x1, y1, x2, y2, stroke="#ccc", dash=""):
        extra = f" stroke-dasharray='{dash}'" if dash else ""
        self.parts.append(f"<line x1='{x1:.1f}' y1='{y1:.1f}' x2='{x2:.1f}' y2='{y2:.1f}' "
                          f"stroke='{stroke}'{extra}/>")

    def render(self, height):
        return (f"<svg xmlns='http://www.w3.org/2000/svg' width='{WIDTH}' height='{height}' "
                f"viewBox='0 0 {WIDTH} {height}' {FONT}>\n"
                f"<rect width='100%' height='100%' fill='white'/>\n"
                + "\n".join(self.parts) + "\n</svg>\n")


def title_line(data):
    scen = obj(data.get("scenarios"))
    machine = obj(data.get("machine")) or obj(obj(scen.get("healthz")).get("machine"))
    for s in scen.values():
        machine = machine or obj(obj(s).get("machine"))
    bits = []
    if machine:
        cores = num(machine.get("cores"))
        if cores is not None:
            bits.append(f"{cores:.0f} cores")
        if machine.get("cpu_model"):
            bits.append(str(machine["cpu_model"]))
        mem = num(machine.get("mem_total_mib"))
        if mem is not None:
            bits.append(f"{mem / 1024:.1f} GiB RAM")
    if data.get("generated_at"):
        bits.append(f"generated {data['generated_at']}")
    return "Benchmark results" + (" — " + ", ".join(bits) if bits else "")


def throughput_panel(svg, y, scen):
    rows = [(k, num(obj(v).get("throughput_rps"))) for k, v in scen.items()]
    rows = [(k, v) for k, v in rows if v is not None]
    if not rows:
        return y
    svg.text(20, y + 18, "Throughput (requests/s), loadgen scenarios", 15, weight="bold")
    y += 34
    top = max(v for _, v in rows) or 1.0
    for label, v in rows:
        w = (BAR_MAX_X - BAR_X) * v / top
        svg.text(LABEL_W, y + 14, label, anchor="end")
        svg.rect(BAR_X, y + 2, w, 16, "#4c8bd6")
        svg.text(BAR_X + w + 6, y + 14, fmt(v, " req/s"), 11)
        y += 24
    return y + 16


def latency_panel(svg, y, data):
    groups = []
    for label, s in obj(data.get("scenarios")).items():
        lat = obj(obj(s).get("latency_ms"))
        groups.append((label, [num(lat.get(k)) for k in ("p50", "p99", "p99_9")]))
    for key, label in (("team-latency", "webhook→WS @1000/s"),
                       ("team-latency-5000", "webhook→WS @5000/s")):
        t = obj(data.get(key))
        groups.append((label, [num(t.get(k)) for k in ("p50_ms", "p99_ms", "p999_ms")]))
    groups = [(label, vals) for label, vals in groups if any(v is not None for v in vals)]
    positive = [v for _, vals in groups for v in vals if v is not None and v > 0]
    if not positive:
        return y
    svg.text(20, y + 18, "Latency (ms, log scale): p50 / p99 / p99.9", 15, weight="bold")
    lx = BAR_X + 330
    for i, (name, color) in enumerate(COLORS.items()):
        svg.rect(lx + i * 80, y + 7, 14, 12, color)
        svg.text(lx + i * 80 + 19, y + 18, name, 12)
    y += 34
    lo = math.floor(math.log10(min(positive)))
    hi = math.ceil(math.log10(max(positive)))
    hi = hi if hi > lo else lo + 1
    span = BAR_MAX_X - BAR_X

    def xpos(v):
        return BAR_X + span * (math.log10(v) - lo) / (hi - lo)

    height = len(groups) * 46
    for d in range(lo, hi + 1):
        x = BAR_X + span * (d - lo) / (hi - lo)
        svg.line(x, y, x, y + height, dash="3,3")
        ms = 10.0 ** d
        svg.text(x, y + height + 16, fmt(ms / 1000, " s") if ms >= 1000 else fmt(ms, " ms"),
                 11, anchor="middle", fill="#555")
    svg.line(BAR_X, y, BAR_X, y + height, stroke="#888")
    for label, vals in groups:
        svg.text(LABEL_W, y + 24, label, anchor="end")
        for i, (v, color) in enumerate(zip(vals, COLORS.values())):
            by = y + 4 + i * 13
            if v is None or v <= 0:
                svg.text(BAR_X + 4, by + 10, "n/a", 10, fill="#888")
                continue
            w = xpos(v) - BAR_X
            svg.rect(BAR_X, by, w, 11, color)
            svg.text(BAR_X + w + 4, by + 10, fmt(v, " ms"), 10)
        y += 46
    return y + 36


def assignment_lines(a):
    if not a:
        return []
    out = []
    secs, assigned, expected = num(a.get("seconds")), num(a.get("assigned")), num(a.get("expected"))
    if assigned is not None:
        out.append(f"assigned: {fmt(assigned)}" + (f" / {fmt(expected)}" if expected is not None else ""))
    for label, v, unit in (("drain time", secs, " s"),
                           ("assignments/s", num(a.get("assignments_per_s")), ""),
                           ("decision p50", num(a.get("decision_p50_ms")), " ms"),
                           ("decision p99", num(a.get("decision_p99_ms")), " ms")):
        if v is not None:
            out.append(f"{label}: {fmt(v, unit)}")
    return out


def outbound_lines(o, data):
    if not o:
        return []
    known = [("overall_rate", "achieved rate", " msg/s"), ("total_rate", "achieved rate", " msg/s"),
             ("numbers", "numbers", ""), ("limit_per_number", "limit/number", " msg/s"),
             ("min_number_rate", "min rate/number", " msg/s"),
             ("max_number_rate", "max rate/number", " msg/s"),
             ("sends", "sends", ""), ("seconds", "duration", " s")]
    out, seen = [], {"server_cpu_percent_of_one_core"}
    for key, label, unit in known:
        v = num(o.get(key))
        if v is not None:
            out.append(f"{label}: {fmt(v, unit)}")
        seen.add(key)
    per_number = o.get("per_number") if isinstance(o.get("per_number"), list) else []
    rates = [num(obj(p).get("rate")) for p in per_number]
    rates = [r for r in rates if r is not None]
    if rates and o.get("min_number_rate") is None:
        out.append(f"rate/number: {fmt(min(rates))} – {fmt(max(rates))} msg/s")
    for key, v in o.items():  # any other numeric fields, as they are
        if key not in seen and num(v) is not None:
            out.append(f"{key.replace('_', ' ')}: {fmt(num(v))}")
    cpu = num(o.get("server_cpu_percent_of_one_core"))
    cpu = cpu if cpu is not None else num(data.get("server_cpu_percent_of_one_core"))
    if cpu is not None:
        out.append(f"server CPU: {cpu:.0f}% of one core")
    return out


def scale_lines(scale):
    out = []
    for row in scale if isinstance(scale, list) else []:
        row = obj(row)
        chats = num(row.get("open_chats"))
        if chats is None:
            continue
        out.append(f"{fmt(chats)} open chats:")
        per, rss, ready = (num(row.get(k)) for k in
                           ("rss_per_chat_bytes", "rss_mib", "restart_to_ready_s"))
        if per is not None or rss is not None:
            out.append(f" RSS/chat {fmt(per, ' B')}, RSS {fmt(rss, ' MiB')}")
        if ready is not None:
            out.append(f" restart to ready {fmt(ready, ' s')}")
    return out


def text_panel(svg, y, data):
    cols = [("Team assignment", assignment_lines(obj(data.get("team-assignment")))),
            ("Outbound", outbound_lines(obj(data.get("outbound")), data)),
            ("Scale", scale_lines(data.get("scale")))]
    cols = [(t, lines) for t, lines in cols if lines]
    if not cols:
        return y
    col_w = (WIDTH - 40) / len(cols)
    for i, (title, lines) in enumerate(cols):
        x = 20 + i * col_w
        svg.text(x, y + 18, title, 15, weight="bold")
        for j, s in enumerate(lines):  # SVG collapses spaces: indent by position
            indent = 8 + 14 * (len(s) - len(s.lstrip()))
            svg.text(x + indent, y + 42 + j * 18, s.strip(), 12)
    return y + 42 + max(len(lines) for _, lines in cols) * 18


def main(argv):
    if len(argv) < 2:
        sys.exit("usage: chart.py RESULTS.json [OUT.svg]")
    src, out = argv[1], argv[2] if len(argv) > 2 else os.path.splitext(argv[1])[0] + ".svg"
    with open(src, encoding="utf-8") as f:
        data = obj(json.load(f))
    svg = Svg()
    svg.text(20, 30, title_line(data), 18, weight="bold")
    y = throughput_panel(svg, 50, obj(data.get("scenarios")))
    y = latency_panel(svg, y, data)
    y = text_panel(svg, y, data)
    if y == 50:
        svg.text(20, 80, "no benchmark figures found in " + src, 13, fill="#888")
        y = 90
    if os.path.dirname(out):
        os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w", encoding="utf-8") as f:
        f.write(svg.render(int(y + 20)))
    print(out)


if __name__ == "__main__":
    main(sys.argv)
