// Shared by the JavaScript peers of bench_codec: the same inputs (finney metadata V15, the
// 1024-neuron get_neurons_lite answer) and the same timing rule (warm-up, then many timed runs,
// median per op), so the ratios bench/run-codec-bench prints compare like with like.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
export const sharedDir = process.env.PYLON_SHARED_DIR || join(here, '..', '..', '..', 'shared');

function hexToBytes(text) {
  const h = text.trim().replace(/^0x/i, '');
  if (h.length % 2 !== 0 || /[^0-9a-f]/i.test(h)) throw new Error('not hex');
  return Uint8Array.from(Buffer.from(h, 'hex'));
}

// SCALE compact length at `pos`: [value, bytes used]. Only the modes a metadata length can use.
function compactAt(b, pos) {
  const mode = b[pos] & 3;
  if (mode === 0) return [b[pos] >> 2, 1];
  if (mode === 1) return [(b[pos] | (b[pos + 1] << 8)) >>> 2, 2];
  if (mode === 2) return [(b[pos] | (b[pos + 1] << 8) | (b[pos + 2] << 16) | (b[pos + 3] << 24)) >>> 2, 4];
  throw new Error('metadata length in big-integer compact mode');
}

// Raw "meta…" bytes out of the file's Option<OpaqueMetadata> (0x01 + compact length + raw), the
// same bytes bench_codec hands to parse_metadata.
export function loadRawMetadata() {
  const file = join(sharedDir, 'chain', 'finney-metadata-v15.option.hex');
  const b = hexToBytes(readFileSync(file, 'utf8'));
  if (b[0] !== 0x01) throw new Error(`${file}: not Some(OpaqueMetadata)`);
  const [len, used] = compactAt(b, 1);
  const raw = b.slice(1 + used);  // a copy: scale-ts reads the whole underlying buffer
  if (raw.length !== len || raw[0] !== 0x6d || raw[1] !== 0x65 || raw[2] !== 0x74 || raw[3] !== 0x61)
    throw new Error(`${file}: bad OpaqueMetadata framing`);
  return raw;
}

export function loadNeurons() {
  const file = join(sharedDir, 'chain', 'golden', 'NeuronInfoRuntimeApi_get_neurons_lite.metagraph.json');
  const golden = JSON.parse(readFileSync(file, 'utf8'));
  return { bytes: hexToBytes(golden.result_hex), type: golden.output_type };
}

// Runs `fn` for a warm-up (JIT, caches), then times single calls until both `minRuns` and
// `minSeconds` are reached; returns the median and spread in milliseconds.
export function measure(fn, { warmup = 5, minRuns = 30, minSeconds = 3 } = {}) {
  for (let i = 0; i < warmup; i++) fn();
  const times = [];
  const start = process.hrtime.bigint();
  while (times.length < minRuns || Number(process.hrtime.bigint() - start) / 1e9 < minSeconds) {
    const t0 = process.hrtime.bigint();
    fn();
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  times.sort((a, b) => a - b);
  const at = (q) => times[Math.min(times.length - 1, Math.floor(q * times.length))];
  return { median_ms: at(0.5), p10_ms: at(0.1), p90_ms: at(0.9), runs: times.length };
}

// Keeps results alive so the JIT cannot drop the work.
export let sink = 0;
export function consume(x) {
  sink ^= typeof x === 'object' && x !== null ? Object.keys(x).length : 1;
}
