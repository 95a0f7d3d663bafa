#!/usr/bin/env python3
"""Check a `leanboot bench --json` file against the keys design.md promises.
Usage: check-bench-json.py FILE NVARIANTS.  Prints one line per problem; exit 1 if any."""
import json, sys

path, nvariants = sys.argv[1], int(sys.argv[2])
problems = []
def need(obj, key, types, where):
    if not isinstance(obj, dict) or key not in obj:
        problems.append(f"{where}: missing key '{key}'")
        return None
    if types and obj[key] is not None and not isinstance(obj[key], types):
        problems.append(f"{where}.{key}: {type(obj[key]).__name__}, want {types}")
    return obj[key]

num = (int, float)
doc = json.load(open(path))
if doc.get("schema_version") != 2:
    problems.append(f"schema_version is {doc.get('schema_version')!r}, want 2")
host = need(doc, "host", dict, "$") or {}
for k, t in (("accel", str), ("clock", str), ("clock_unit", str), ("qemu", str), ("cpu", str), ("smp", int),
             ("memory_mb", int)):
    need(host, k, t, "host")
if host.get("clock") not in ("wall", "insn"):
    problems.append(f"host.clock is {host.get('clock')!r}")
if host.get("accel") not in ("kvm", "tcg"):
    problems.append(f"host.accel is {host.get('accel')!r}")
variants = need(doc, "variants", list, "$") or []
if len(variants) != nvariants:
    problems.append(f"{len(variants)} variants, want {nvariants}")
for i, v in enumerate(variants):
    w = f"variants[{i}]"
    for k, t in (("name", str), ("appliance", str), ("kernel", str), ("append", str), ("runs", int)):
        need(v, k, t, w)
    stages = need(v, "stages", dict, w) or {}
    for st in ("total", "to_ready", "kernel", "initcalls", "firmware", "init", "payload", "shutdown"):
        s = need(stages, st, dict, w + ".stages") or {}
        for k in ("median_ms", "mean_ms", "sd_ms", "min_ms", "max_ms", "spread_pct"):
            need(s, k, num, f"{w}.stages.{st}")
        if s.get("min_ms") is not None and not (s["min_ms"] <= s["median_ms"] <= s["max_ms"]):
            problems.append(f"{w}.stages.{st}: median outside [min, max]")
    ic = need(v, "initcalls", dict, w) or {}
    need(ic, "count", int, w + ".initcalls")
    for j, t in enumerate(need(ic, "top", list, w + ".initcalls") or []):
        for k, ty in (("name", str), ("module", str), ("median_ms", num)):
            need(t, k, ty, f"{w}.initcalls.top[{j}]")
    samples = need(v, "samples_ms", list, w) or []
    if len(samples) != v.get("runs"):
        problems.append(f"{w}: {len(samples)} samples for runs={v.get('runs')}")
    for j, s in enumerate(samples):
        for k in ("total", "to_ready", "initcalls"):
            need(s, k, num, f"{w}.samples[{j}]")
if nvariants == 2:
    comp = need(doc, "comparison", dict, "$") or {}
    for st in ("total", "to_ready", "initcalls"):
        c = need(comp, st, dict, "comparison") or {}
        for k, t in (("ratio", num), ("diff_ms", num), ("ci99_ms", list), ("p_value", num), ("effect_pct", num),
                     ("matters", bool), ("verdict", str)):
            need(c, k, t, f"comparison.{st}")
        ci = c.get("ci99_ms") or []
        if len(ci) != 2 or (None not in ci and ci[0] > ci[1]):
            problems.append(f"comparison.{st}.ci99_ms is {ci}")
        # The interval and the verdict agree: significant at p < 0.01 exactly when the 99% interval excludes 0.
        if len(ci) == 2 and None not in ci and isinstance(c.get("p_value"), (int, float)) and c["p_value"] > 0:
            excludes = ci[0] > 0 or ci[1] < 0
            if excludes != (c["p_value"] < 0.01) and abs(c["p_value"] - 0.01) > 1e-3:
                problems.append(f"comparison.{st}: 99% CI {ci} and p = {c['p_value']} disagree")
    for j, d in enumerate(need(comp, "initcall_diff", list, "comparison") or []):
        for k in ("name", "a_ms", "b_ms", "diff_ms", "change"):
            need(d, k, None, f"comparison.initcall_diff[{j}]")
        if d.get("change") not in ("none", "slower", "faster", "dropped", "added"):
            problems.append(f"comparison.initcall_diff[{j}].change is {d.get('change')!r}")
elif "comparison" in doc:
    problems.append("comparison present with one variant")
for p in problems:
    print(p)
sys.exit(1 if problems else 0)
