// Shared by the JavaScript peers of bench_sr25519 and bench_timelock: one timing rule (a warm-up
// of two batches, then `samples` timed batches, the median per call), so both report alike.

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

// Times `batch` calls per sample after a warm-up; returns the median microseconds per call.
// Cheap ops want large batches (the clock's own cost), slow ones fewer (the run's length).
export function timeMicros(fn, { batch, samples }) {
  for (let i = 0; i < batch * 2; ++i) fn();
  const per = [];
  for (let s = 0; s < samples; ++s) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < batch; ++i) fn();
    per.push(Number(process.hrtime.bigint() - t0) / 1000 / batch);
  }
  return median(per);
}
