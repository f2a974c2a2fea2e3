#!/usr/bin/env python3
"""Verify that abi/grey.h agrees with abi/grey-v1.json (the source of truth).

Checks:
  1. the JSON is self-consistent (unique names/numbers, pointer/length pairs,
     error and capability references, struct layout, WASI table);
  2. every constant, error code, enum value, struct field and function of the
     JSON is in grey.h with the same value / name / C type / wasm type, and
     grey.h declares nothing the JSON lacks;
  3. unless --no-compile (or clang is absent), compiles a probe that imports
     every function with clang --target=wasm32-wasi and compares the import
     section of the produced wasm with the JSON signatures.

Exit status 0 when everything agrees, 1 with one line per mismatch otherwise.
Python 3 standard library only.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))

problems: list[str] = []


def fail(msg: str) -> None:
    problems.append(msg)


# C type -> wasm value type (wasm32)
def wasm_type_of(c_type: str) -> str | None:
    t = " ".join(c_type.replace("*", " * ").split())
    if t == "void":
        return None
    if t.endswith("*"):
        return "i32"
    base = t.replace("const ", "")
    if base in ("int32_t", "uint32_t", "grey_handle_t", "int", "unsigned"):
        return "i32"
    if base in ("int64_t", "uint64_t", "grey_pid_t"):
        return "i64"
    return "?" + c_type


def norm_c(c_type: str) -> str:
    return " ".join(c_type.replace("*", " * ").split()).replace(" *", "*").replace("* ", "*")


STRUCT_TYPES = {"u64": ("uint64_t", 8), "u32": ("uint32_t", 4), "i64": ("int64_t", 8), "i32": ("int32_t", 4)}


# ---------------------------------------------------------------- JSON self-check
def check_json(spec: dict) -> None:
    if spec.get("abi") != "grey" or spec.get("import_module") != "grey":
        fail("json: abi/import_module must be 'grey'")
    if not isinstance(spec.get("version"), int):
        fail("json: version must be an integer")

    names, numbers = set(), set()
    for e in spec["errors"]:
        if e["name"] in names:
            fail(f"json: error name {e['name']} repeated")
        if e["number"] in numbers:
            fail(f"json: error number {e['number']} reused")
        if not (isinstance(e["number"], int) and e["number"] < 0):
            fail(f"json: error {e['name']} must have a negative number")
        if not e.get("meaning"):
            fail(f"json: error {e['name']} has no meaning")
        names.add(e["name"])
        numbers.add(e["number"])
    error_names = names

    caps = {c["name"] for c in spec["capabilities"]}
    fn_names = set()
    for f in spec["functions"]:
        n = f["name"]
        if n in fn_names:
            fail(f"json: function {n} repeated")
        fn_names.add(n)
        if f["family"] not in ("core", "proc", "time", "random", "log", "fs", "kv"):
            fail(f"json: {n}: unknown family {f['family']}")
        if f["family"] == "core" and not n.startswith("grey_"):
            fail(f"json: {n}: core functions are named grey_*")
        if f["family"] != "core" and not n.startswith(f["family"] + "_"):
            fail(f"json: {n}: name must start with its family '{f['family']}_'")
        if f["capability"] not in caps:
            fail(f"json: {n}: capability {f['capability']} not in capabilities")
        for err in f["errors"]:
            if err not in error_names:
                fail(f"json: {n}: unknown error {err}")
        for err in f.get("completion", {}).get("errors", []):
            if err not in error_names:
                fail(f"json: {n}: unknown completion error {err}")
        if f["noreturn"] != (f["result"]["type"] is None):
            fail(f"json: {n}: noreturn iff result type is null")
        if f["async"] and (f["result"]["type"] != "i32" or "completion" not in f):
            fail(f"json: {n}: async functions return an i32 handle and describe their completion")
        if f["noreturn"] is False and "EQUOTA" not in f["errors"]:
            fail(f"json: {n}: every returning function lists EQUOTA")
        if f["capability"] != "none" and "EACCES" not in f["errors"]:
            fail(f"json: {n}: a function with a capability lists EACCES")
        pnames = {p["name"]: p for p in f["params"]}
        if len(pnames) != len(f["params"]):
            fail(f"json: {n}: duplicate parameter names")
        for p in f["params"]:
            if p["type"] not in ("i32", "i64"):
                fail(f"json: {n}.{p['name']}: type must be i32 or i64")
            if wasm_type_of(p["c_type"]) != p["type"]:
                fail(f"json: {n}.{p['name']}: c_type {p['c_type']} is not wasm {p['type']}")
            kind = p.get("kind")
            if kind == "pointer":
                if p["type"] != "i32":
                    fail(f"json: {n}.{p['name']}: pointers are i32")
                if "length" in p:
                    other = pnames.get(p["length"])
                    if not other or other.get("kind") != "length" or other.get("pointer") != p["name"]:
                        fail(f"json: {n}.{p['name']}: length param {p['length']} does not point back")
                elif not isinstance(p.get("size"), int):
                    fail(f"json: {n}.{p['name']}: pointer without length needs a fixed size")
            elif kind == "length":
                other = pnames.get(p.get("pointer"))
                if not other or other.get("kind") != "pointer" or other.get("length") != p["name"]:
                    fail(f"json: {n}.{p['name']}: pointer param {p.get('pointer')} does not point back")
        rt = f["result"]["type"]
        if rt is not None and wasm_type_of(f["result"]["c_type"]) != rt:
            fail(f"json: {n}: result c_type {f['result']['c_type']} is not wasm {rt}")
    for c in spec["capabilities"]:
        if isinstance(c["functions"], list):
            for fn in c["functions"]:
                f = next((x for x in spec["functions"] if x["name"] == fn), None)
                if f is None or f["capability"] != c["name"]:
                    fail(f"json: capability {c['name']} lists {fn}, which does not require it")

    consts = {c["name"]: c["value"] for c in spec["constants"]}
    if consts.get("GREY_ABI_VERSION") != spec["version"]:
        fail("json: GREY_ABI_VERSION must equal version")
    for s in spec["structs"]:
        off = 0
        for fld in s["fields"]:
            size = STRUCT_TYPES[fld["type"]][1]
            off = (off + size - 1) // size * size
            if fld["offset"] != off:
                fail(f"json: {s['name']}.{fld['name']}: offset {fld['offset']}, natural layout says {off}")
            off = fld["offset"] + size
        if off != s["size"]:
            fail(f"json: {s['name']}: fields end at {off}, size says {s['size']}")
    info = next(s for s in spec["structs"] if s["name"] == "grey_proc_info")
    if consts.get("GREY_PROC_INFO_SIZE") != info["size"]:
        fail("json: GREY_PROC_INFO_SIZE must equal the size of grey_proc_info")

    for group in ("event_kinds", "clocks", "log_levels", "signals", "proc_kinds"):
        vals = [v["value"] for v in spec[group]["values"]]
        if len(vals) != len(set(vals)):
            fail(f"json: {group}: values repeated")

    wasi = spec["wasi_snapshot_preview1"]
    wn = [w["name"] for w in wasi["functions"]]
    if len(wn) != len(set(wn)):
        fail("json: wasi: names repeated")
    if len(wn) != 46:
        fail(f"json: wasi: preview1 has 46 functions, the table lists {len(wn)}")
    for w in wasi["functions"]:
        if any(t not in ("i32", "i64") for t in w["params"]):
            fail(f"json: wasi {w['name']}: bad param type")
        if w["supported"] and not w.get("behaviour"):
            fail(f"json: wasi {w['name']}: supported functions describe their behaviour")
    if wasi["errno_enosys"] != 52:
        fail("json: wasi ENOSYS is 52")


# ---------------------------------------------------------------- header parsing
def strip_comments(src: str) -> str:
    src = re.sub(r"/\*.*?\*/", lambda m: " " * 0 + "\n" * m.group(0).count("\n"), src, flags=re.S)
    return re.sub(r"//[^\n]*", "", src)


def parse_header(src: str) -> dict:
    code = strip_comments(src)
    defines = {}
    for m in re.finditer(r"^\s*#\s*define\s+(\w+)(?!\()[ \t]+([^\n]+)$", code, flags=re.M):
        raw = m.group(2).strip()
        v = raw.strip("()").strip()
        if re.fullmatch(r"-?\d+", v):
            defines[m.group(1)] = int(v)
    imports = []
    for m in re.finditer(
        r'GREY_IMPORT\("(\w+)"\)\s*(__attribute__\(\(noreturn\)\)\s*)?([\w\s\*]+?)\s*\b(\w+)\s*\(([^)]*)\)\s*;',
        code,
    ):
        params = []
        plist = " ".join(m.group(5).split())
        if plist and plist != "void":
            for p in plist.split(","):
                pm = re.fullmatch(r"\s*(.+?)\s*\b(\w+)\s*", p)
                if not pm:
                    fail(f"header: cannot parse parameter '{p}' of {m.group(4)}")
                    continue
                params.append((norm_c(pm.group(1)), pm.group(2)))
        imports.append({
            "import_name": m.group(1),
            "noreturn": bool(m.group(2)),
            "ret": norm_c(m.group(3)),
            "name": m.group(4),
            "params": params,
        })
    structs = {}
    for m in re.finditer(r"struct\s+(\w+)\s*\{([^}]*)\}\s*;", code):
        fields = re.findall(r"(\w+)\s+(\w+)\s*;", m.group(2))
        structs[m.group(1)] = fields
    on_event = re.search(r"int32_t\s+grey_on_event\s*\(([^)]*)\)\s*;", code)
    strerror = re.search(r"grey_strerror\s*\([^)]*\)\s*\{(.*?)\n\}", code, flags=re.S)
    return {
        "defines": defines,
        "imports": imports,
        "structs": structs,
        "on_event": on_event.group(1) if on_event else None,
        "strerror": strerror.group(1) if strerror else "",
        "import_count": len(re.findall(r"GREY_IMPORT\(\"", code)),
    }


def expected_defines(spec: dict) -> dict:
    exp = {}
    for e in spec["errors"]:
        exp[spec["errors_c_prefix"] + e["name"]] = e["number"]
    for group in ("event_kinds", "clocks", "log_levels", "signals", "proc_kinds"):
        for v in spec[group]["values"]:
            exp[spec[group]["c_prefix"] + v["name"]] = v["value"]
    for c in spec["constants"]:
        exp[c["name"]] = c["value"]
    return exp


def check_header(spec: dict, hdr: dict) -> None:
    exp = expected_defines(spec)
    got = hdr["defines"]
    for name, value in exp.items():
        if name not in got:
            fail(f"grey.h: missing #define {name} ({value})")
        elif got[name] != value:
            fail(f"grey.h: {name} is {got[name]}, grey-v1.json says {value}")
    for name, value in got.items():
        if name.startswith("GREY_") and name not in exp:
            fail(f"grey.h: #define {name} {value} is not in grey-v1.json")

    for e in spec["errors"]:
        if f"case {spec['errors_c_prefix']}{e['name']}: return \"{e['name']}\";" not in hdr["strerror"]:
            fail(f"grey.h: grey_strerror lacks {e['name']}")

    if hdr["import_count"] != len(hdr["imports"]):
        fail(f"grey.h: {hdr['import_count']} GREY_IMPORT uses but only {len(hdr['imports'])} parsed declarations")
    by_name = {i["name"]: i for i in hdr["imports"]}
    json_fns = {f["name"]: f for f in spec["functions"]}
    for n in by_name.keys() - json_fns.keys():
        fail(f"grey.h: declares import {n}, not in grey-v1.json")
    for n, f in json_fns.items():
        h = by_name.get(n)
        if h is None:
            fail(f"grey.h: missing import declaration for {n}")
            continue
        if h["import_name"] != n:
            fail(f"grey.h: {n} is imported as '{h['import_name']}'")
        if h["noreturn"] != f["noreturn"]:
            fail(f"grey.h: {n}: noreturn is {h['noreturn']}, json says {f['noreturn']}")
        if h["ret"] != norm_c(f["result"]["c_type"]):
            fail(f"grey.h: {n}: returns {h['ret']}, json says {f['result']['c_type']}")
        if wasm_type_of(h["ret"]) != f["result"]["type"]:
            fail(f"grey.h: {n}: result is wasm {wasm_type_of(h['ret'])}, json says {f['result']['type']}")
        if len(h["params"]) != len(f["params"]):
            fail(f"grey.h: {n}: {len(h['params'])} params, json says {len(f['params'])}")
            continue
        for (ct, pn), p in zip(h["params"], f["params"]):
            if pn != p["name"]:
                fail(f"grey.h: {n}: param '{pn}', json says '{p['name']}'")
            if ct != norm_c(p["c_type"]):
                fail(f"grey.h: {n}.{pn}: C type '{ct}', json says '{p['c_type']}'")
            if wasm_type_of(ct) != p["type"]:
                fail(f"grey.h: {n}.{pn}: wasm {wasm_type_of(ct)}, json says {p['type']}")

    for s in spec["structs"]:
        fields = hdr["structs"].get(s["name"])
        if fields is None:
            fail(f"grey.h: missing struct {s['name']}")
            continue
        want = [(STRUCT_TYPES[f["type"]][0], f["name"]) for f in s["fields"]]
        if len(fields) != len(want):
            fail(f"grey.h: struct {s['name']} has {len(fields)} fields, json says {len(want)}")
        for i, (g, w) in enumerate(zip(fields, want)):
            if g != w:
                fail(f"grey.h: struct {s['name']} field #{i} is '{g[0]} {g[1]}', json says '{w[0]} {w[1]}'")

    svc = next(e for e in spec["exports"]["service"] if e["name"] == "grey_on_event")
    if hdr["on_event"] is None:
        fail("grey.h: missing grey_on_event prototype")
    else:
        got_p = [norm_c(" ".join(p.split()[:-1])) for p in hdr["on_event"].split(",")]
        want_p = [norm_c(p["c_type"]) for p in svc["params"]]
        if got_p != want_p:
            fail(f"grey.h: grey_on_event params {got_p}, json says {want_p}")


# ---------------------------------------------------------------- compiled probe
def leb_u(data: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        b = data[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return result, pos


def wasm_imports(data: bytes) -> list[tuple[str, str, list[str], list[str]]]:
    """(module, name, params, results) of every function import."""
    if data[:8] != b"\0asm\1\0\0\0":
        raise ValueError("not a wasm module")
    vt = {0x7F: "i32", 0x7E: "i64", 0x7D: "f32", 0x7C: "f64"}
    types, imports = [], []
    pos = 8
    while pos < len(data):
        sid = data[pos]
        size, pos = leb_u(data, pos + 1)
        end = pos + size
        if sid == 1:
            n, p = leb_u(data, pos)
            for _ in range(n):
                assert data[p] == 0x60
                np_, p = leb_u(data, p + 1)
                ps = [vt.get(b, hex(b)) for b in data[p:p + np_]]
                p += np_
                nr, p = leb_u(data, p)
                rs = [vt.get(b, hex(b)) for b in data[p:p + nr]]
                p += nr
                types.append((ps, rs))
        elif sid == 2:
            n, p = leb_u(data, pos)
            for _ in range(n):
                ml, p = leb_u(data, p)
                mod = data[p:p + ml].decode()
                p += ml
                nl, p = leb_u(data, p)
                name = data[p:p + nl].decode()
                p += nl
                kind = data[p]
                p += 1
                if kind == 0:
                    ti, p = leb_u(data, p)
                    imports.append((mod, name, *types[ti]))
                elif kind == 1:
                    p += 1
                    flags, p = leb_u(data, p)
                    _, p = leb_u(data, p)
                    if flags & 1:
                        _, p = leb_u(data, p)
                elif kind == 2:
                    flags, p = leb_u(data, p)
                    _, p = leb_u(data, p)
                    if flags & 1:
                        _, p = leb_u(data, p)
                elif kind == 3:
                    p += 2
        pos = end
    return imports


def check_compiled(spec: dict, cc: str) -> None:
    names = [f["name"] for f in spec["functions"]]
    probe = '#include "grey.h"\n' + "void *const grey_probe_table[] = {\n" + "".join(
        f"    (void *){n},\n" for n in names) + "};\n"
    probe += "__attribute__((export_name(\"probe\"))) void *probe(int i) { return grey_probe_table[i]; }\n"
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "probe.c")
        out = os.path.join(tmp, "probe.wasm")
        with open(src, "w") as fh:
            fh.write(probe)
        cmd = [cc, "--target=wasm32-wasi", "-O2", "-Wall", "-Wextra", "-Werror", "-I", HERE,
               "-nostdlib", "-Wl,--no-entry", src, "-o", out]
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode != 0:
            fail("compile: grey.h probe failed to build:\n  " + " ".join(cmd) + "\n" + r.stderr.strip())
            return
        with open(out, "rb") as fh:
            imports = wasm_imports(fh.read())
    got = {name: (ps, rs) for mod, name, ps, rs in imports if mod == spec["import_module"]}
    others = [f"{m}.{n}" for m, n, _, _ in imports if m != spec["import_module"]]
    if others:
        fail(f"compile: probe imports outside '{spec['import_module']}': {others}")
    for f in spec["functions"]:
        want = ([p["type"] for p in f["params"]], [] if f["result"]["type"] is None else [f["result"]["type"]])
        if f["name"] not in got:
            fail(f"compile: the probe does not import grey.{f['name']}")
        elif got[f["name"]] != want:
            fail(f"compile: grey.{f['name']} compiles to {got[f['name']]}, json says {want}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--json", default=os.path.join(HERE, "grey-v1.json"))
    ap.add_argument("--header", default=os.path.join(HERE, "grey.h"))
    ap.add_argument("--cc", default=os.environ.get("CC", "clang-14"))
    ap.add_argument("--no-compile", action="store_true", help="skip the compiled-probe check")
    args = ap.parse_args()

    with open(args.json, encoding="utf-8") as fh:
        spec = json.load(fh)
    with open(args.header, encoding="utf-8") as fh:
        hdr = parse_header(fh.read())

    check_json(spec)
    check_header(spec, hdr)
    compiled = "skipped (--no-compile)"
    if not args.no_compile:
        if shutil.which(args.cc):
            check_compiled(spec, args.cc)
            compiled = f"checked with {args.cc}"
        else:
            compiled = f"skipped ({args.cc} not found)"

    if problems:
        print(f"check_abi: {len(problems)} mismatch(es) between grey.h and grey-v1.json:", file=sys.stderr)
        for p in problems:
            print("  - " + p, file=sys.stderr)
        return 1
    n_def = len(expected_defines(spec))
    print(f"check_abi: OK — grey v{spec['version']}: {len(spec['functions'])} functions, "
          f"{len(spec['errors'])} error codes, {n_def} constants, "
          f"{len(spec['structs'])} struct(s), {len(spec['wasi_snapshot_preview1']['functions'])} WASI entries; "
          f"compiled probe {compiled}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
