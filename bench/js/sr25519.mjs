// The JavaScript peer of bench_sr25519: polkadot-js's sr25519 (WASM schnorrkel) signing and
// verifying the same message sizes. Prints one JSON line: median microseconds per op.
import { cryptoWaitReady, sr25519PairFromSeed, sr25519Sign, sr25519Verify } from '@polkadot/util-crypto';
import { timeMicros } from './timing.mjs';

await cryptoWaitReady();
const pair = sr25519PairFromSeed(new Uint8Array(32).fill(7));

const time = (fn) => timeMicros(fn, { batch: 50, samples: 21 });

const out = {};
for (const size of [32, 256, 4096]) {
  const msg = new Uint8Array(size).fill(0x42);
  const sig = sr25519Sign(msg, pair);
  if (!sr25519Verify(msg, sig, pair.publicKey)) throw new Error('polkadot-js signature did not verify');
  out[`sign_${size}`] = time(() => sr25519Sign(msg, pair));
  out[`verify_${size}`] = time(() => sr25519Verify(msg, sig, pair.publicKey));
}
process.stdout.write(JSON.stringify(out) + '\n');
