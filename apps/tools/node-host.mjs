// node-host.mjs — a small in-process host for smoke-testing apps/out/*.wasm with
// Node 20, before (or beside) the GreyOS kernel. NOT the kernel: one process, no
// capabilities (proc_spawn / proc_signal answer -EACCES, proc_wait -ESRCH), no
// limits, no gate, blocking done with Atomics.wait. WASI preview1 is Node's own
// `node:wasi` (so the WASI answers are Node's, not GreyOS's).
//
//   node apps/tools/node-host.mjs apps/out/clock.wasm
//   node apps/tools/node-host.mjs apps/out/ticker.wasm        # a service
//   node apps/tools/node-host.mjs apps/out/hello.wasm -- a b  # args after --
//
// grey.log_write records go to stderr as "[log LEVEL] message". The host exits
// with the app's exit code; a trap prints the error and exits 70; a module the
// kernel would refuse (unknown import or wrong signature, checked against
// abi/grey-v1.json; no entry point) is refused with exit 65.
import { readFileSync } from 'node:fs';
import { randomFillSync } from 'node:crypto';
import { WASI } from 'node:wasi';

const E = { EACCES: -1, ENOENT: -2, EINVAL: -3, EQUOTA: -4, EAGAIN: -5, EBADF: -6, EFAULT: -7, ENOSYS: -8,
  ERANGE: -9, ETIMEDOUT: -10, ECANCELED: -11, EIO: -12, ENOMEM: -13, EEXIST: -14, ESRCH: -15 };
const LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'];
const EVENT = { COMPLETION: 1, TIMER: 2, SIGNAL: 3 };
const MAX_NS = 365n * 24n * 3600n * 1000000000n;

const argv = process.argv.slice(2);
const dash = argv.indexOf('--');
const file = argv[0];
const appArgs = dash >= 0 ? argv.slice(dash + 1) : argv.slice(1);
if (!file) {
  console.error('usage: node node-host.mjs FILE.wasm [-- ARGS...]');
  process.exit(64);
}

class Exit { constructor(code) { this.code = code; } }

const origin = process.hrtime.bigint();
const monoNs = () => process.hrtime.bigint() - origin;
const startRealtimeNs = BigInt(Date.now()) * 1000000n;
const sleeper = new Int32Array(new SharedArrayBuffer(4));
function sleepNs(ns) {
  if (ns > 0n) Atomics.wait(sleeper, 0, 0, Number(ns) / 1e6);
}

let instance = null;
let isService = false;
const handles = new Map(); // id -> { kind: 'sleep' | 'timer', due, period, tag }
let nextHandle = 1;

function mem() { return instance?.exports.memory; }
function range(ptr, len) { // -> DataView or null (EFAULT)
  const m = mem();
  ptr >>>= 0; len >>>= 0;
  if (len === 0) return new DataView(new ArrayBuffer(0));
  if (!m || ptr + len > m.buffer.byteLength) return null;
  return new DataView(m.buffer, ptr, len);
}
function newHandle(h) { const id = nextHandle++; handles.set(id, h); return id; }
function ready(h) { return monoNs() >= h.due; }

function pollResult(id) { // consumes like grey_poll; assumes ready
  const h = handles.get(id);
  if (h.kind === 'sleep') { handles.delete(id); return 0n; }
  if (h.period === 0n) { handles.delete(id); return 1n; }
  const n = (monoNs() - h.due) / h.period + 1n;
  h.due += n * h.period;
  return n;
}

const grey = {
  grey_abi_version: () => 1,
  grey_poll(id) {
    const h = handles.get(id);
    if (!h) return BigInt(E.EBADF);
    if (!ready(h)) return BigInt(E.EAGAIN);
    return pollResult(id);
  },
  grey_wait(ptr, count, timeout) {
    count >>>= 0;
    if (count === 0 || count > 1024) return E.EINVAL;
    const dv = range(ptr, count * 4);
    if (!dv) return E.EFAULT;
    const ids = [];
    for (let i = 0; i < count; i++) {
      const id = dv.getInt32(i * 4, true);
      if (!handles.has(id)) return E.EBADF;
      ids.push(id);
    }
    const deadline = timeout < 0n ? null : monoNs() + timeout;
    for (;;) {
      const idx = ids.findIndex((id) => ready(handles.get(id)));
      if (idx >= 0) return idx;
      const now = monoNs();
      if (deadline !== null && now >= deadline) return E.ETIMEDOUT;
      if (isService) return E.EAGAIN; // services never block
      let until = deadline;
      for (const id of ids) { const d = handles.get(id).due; if (until === null || d < until) until = d; }
      sleepNs(until - now);
    }
  },
  grey_close(id) { return handles.delete(id) ? 0 : E.EBADF; },
  grey_read(id, ptr, len) {
    if (!range(ptr, len)) return E.EFAULT;
    return handles.has(id) ? 0 : E.EBADF; // no v1 operation carries a payload
  },
  proc_self(ptr, len) {
    len >>>= 0;
    const dv = range(ptr, Math.min(len, 64));
    if (!dv) return E.EFAULT;
    const b = new DataView(new ArrayBuffer(64));
    b.setBigUint64(0, BigInt(process.pid), true);
    b.setBigUint64(8, 0n, true);
    b.setUint32(16, isService ? 1 : 0, true);
    b.setBigUint64(24, startRealtimeNs, true);
    b.setBigUint64(32, 4n << 30n, true);
    for (let i = 0; i < dv.byteLength; i++) dv.setUint8(i, b.getUint8(i));
    return 64;
  },
  proc_spawn: () => E.EACCES,
  proc_exit(code) { throw new Exit(code); },
  proc_signal: () => E.EACCES,
  proc_wait: () => E.ESRCH,
  time_now(clock, ptr) {
    let v;
    if (clock === 0) v = startRealtimeNs + monoNs();
    else if (clock === 1) v = monoNs();
    else if (clock === 2) v = BigInt(process.cpuUsage().user + process.cpuUsage().system) * 1000n;
    else return E.EINVAL;
    const dv = range(ptr, 8);
    if (!dv) return E.EFAULT;
    dv.setBigUint64(0, v, true);
    return 0;
  },
  time_sleep(ns) {
    if (ns < 0n || ns > MAX_NS) return E.EINVAL;
    return newHandle({ kind: 'sleep', due: monoNs() + ns });
  },
  time_timer(delay, period, tag) {
    if (delay < 0n || delay > MAX_NS || period < 0n || period > MAX_NS) return E.EINVAL;
    if (period > 0n && period < 1000000n) return E.EINVAL;
    return newHandle({ kind: 'timer', due: monoNs() + delay, period, tag });
  },
  random_fill(ptr, len) {
    if ((len >>> 0) > 65536) return E.ERANGE;
    const dv = range(ptr, len);
    if (!dv) return E.EFAULT;
    randomFillSync(new Uint8Array(dv.buffer, dv.byteOffset, dv.byteLength));
    return 0;
  },
  log_write(level, ptr, len) {
    if (level < 0 || level > 4) return E.EINVAL;
    if ((len >>> 0) > 4096) return E.ERANGE;
    const dv = range(ptr, len);
    if (!dv) return E.EFAULT;
    const text = new TextDecoder('utf-8').decode(new Uint8Array(dv.buffer, dv.byteOffset, dv.byteLength));
    process.stderr.write(`[log ${LEVELS[level]}] ${text}\n`);
    return 0;
  },
};

function finish(code) {
  process.exitCode = code;
}

// Function imports with their signatures, read from the binary (Node 20 has no
// type reflection): [{ module, name, params: ['i32', ...], results: [...] }].
function functionImports(bytes) {
  const vt = { 0x7f: 'i32', 0x7e: 'i64', 0x7d: 'f32', 0x7c: 'f64' };
  let pos = 8;
  const leb = () => { let r = 0, shift = 0, b; do { b = bytes[pos++]; r |= (b & 0x7f) << shift; shift += 7; } while (b & 0x80); return r >>> 0; };
  const str = () => { const n = leb(); const s = new TextDecoder().decode(bytes.subarray(pos, pos + n)); pos += n; return s; };
  const types = [], imports = [];
  while (pos < bytes.length) {
    const id = bytes[pos++], size = leb(), end = pos + size;
    if (id === 1) {
      for (let n = leb(); n > 0; n--) {
        pos++; // 0x60
        const params = []; for (let k = leb(); k > 0; k--) params.push(vt[bytes[pos++]]);
        const results = []; for (let k = leb(); k > 0; k--) results.push(vt[bytes[pos++]]);
        types.push({ params, results });
      }
    } else if (id === 2) {
      for (let n = leb(); n > 0; n--) {
        const module = str(), name = str(), kind = bytes[pos++];
        if (kind === 0) imports.push({ module, name, ...types[leb()] });
        else if (kind === 1) { pos++; const f = leb(); leb(); if (f & 1) leb(); }
        else if (kind === 2) { const f = leb(); leb(); if (f & 1) leb(); }
        else pos += 2;
      }
    }
    pos = end;
  }
  return imports;
}

// Refuse, like the kernel, imports that grey v1 / WASI preview1 do not define.
function checkImports(bytes) {
  const spec = JSON.parse(readFileSync(new URL('../../abi/grey-v1.json', import.meta.url), 'utf8'));
  const known = new Map();
  for (const f of spec.functions)
    known.set(`grey.${f.name}`, { params: f.params.map((p) => p.type), results: f.result.type ? [f.result.type] : [] });
  for (const f of spec.wasi_snapshot_preview1.functions)
    known.set(`wasi_snapshot_preview1.${f.name}`, { params: f.params, results: f.result ? [f.result] : [] });
  const sig = (t) => `(${t.params.join(', ')}) -> (${t.results.join(', ')})`;
  const problems = [];
  for (const imp of functionImports(bytes)) {
    const key = `${imp.module}.${imp.name}`, want = known.get(key);
    if (!want) problems.push(`unknown import ${key}`);
    else if (sig(want) !== sig(imp)) problems.push(`import ${key} has type ${sig(imp)}, grey v1 says ${sig(want)}`);
  }
  return problems;
}

const bytes = readFileSync(file);
const refused = checkImports(bytes);
if (refused.length > 0) {
  console.error(`[host] refused ${file}:\n  ${refused.join('\n  ')}`);
  process.exit(65);
}
const module = await WebAssembly.compile(bytes);
const exportNames = WebAssembly.Module.exports(module).map((e) => e.name);
isService = !exportNames.includes('_start') && exportNames.includes('grey_on_event');
if (!isService && !exportNames.includes('_start')) {
  console.error(`[host] refused ${file}: module has neither _start nor grey_on_event`);
  process.exit(65);
}
const usesWasi = WebAssembly.Module.imports(module).some((i) => i.module === 'wasi_snapshot_preview1');
const wasi = new WASI({ version: 'preview1', args: [file, ...appArgs], env: process.env, returnOnExit: true });
instance = await WebAssembly.instantiate(module, { grey, ...wasi.getImportObject() });

try {
  if (!isService) {
    if (usesWasi) finish(wasi.start(instance));
    else { instance.exports._start(); finish(0); } // node:wasi insists on an exported memory
  } else {
    if (exportNames.includes('_initialize')) {
      if (usesWasi) wasi.initialize(instance);
      else instance.exports._initialize();
    }
    const onEvent = instance.exports.grey_on_event;
    let code = null;
    while (code === null) {
      if (handles.size === 0) {
        console.error('[host] service has nothing armed; stopping it (exit 0)');
        code = 0;
        break;
      }
      let next = null;
      for (const [id, h] of handles) if (next === null || h.due < handles.get(next).due) next = id;
      sleepNs(handles.get(next).due - monoNs());
      const h = handles.get(next);
      let r;
      if (h.kind === 'sleep') r = onEvent(EVENT.COMPLETION, next, pollResult(next));
      else { pollResult(next); r = onEvent(EVENT.TIMER, next, h.tag); }
      if (r !== 0) code = r;
    }
    finish(code);
  }
} catch (e) {
  if (e instanceof Exit) finish(e.code);
  else { console.error(`[host] trap: ${e?.message ?? e}`); finish(70); }
}
