// The JavaScript peer of bench_timelock: ../shared/crv4's tle oracle (@noble/curves, installed by
// script/install-oracle in build/crv4-oracle) encrypting and decrypting the same 256-uid commit.
// Prints one JSON line: median microseconds per op.
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { timeMicros } from './timing.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const oracleDir = process.env.PYLON_CRV4_ORACLE_DIR || join(here, '..', '..', 'build', 'crv4-oracle');
const { encrypt, decrypt, unhex } = await import(pathToFileURL(join(oracleDir, 'tle_oracle.mjs')).href);

// The same bytes as bench_timelock.cpp's commit_256(): SCALE {hotkey, uids, values, version_key}.
function commit256() {
  const p = [0x80, ...unhex('d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d')];
  for (let part = 0; part < 2; ++part) {
    p.push(0x01, 0x04);
    for (let i = 0; i < 256; ++i) {
      const x = part === 0 ? i : (65535 - i * 97) & 0xffff;
      p.push(x & 0xff, x >> 8);
    }
  }
  p.push(42, 0, 0, 0, 0, 0, 0, 0);
  return Uint8Array.from(p);
}

const time = (fn) => timeMicros(fn, { batch: 5, samples: 11 });

const payload = commit256();
const sig = unhex('b44679b9a59af2ec876b1a6b1ad52ea9b1615fc3982b19576350f93447cb1125e342b73a8dd2bacbe47e4b6b63ed5e39');
const ct = encrypt(payload, 1000);
if (Buffer.compare(Buffer.from(decrypt(ct, sig)), Buffer.from(payload)) !== 0) throw new Error('oracle round trip failed');
const out = { payload_bytes: payload.length };
out.encrypt = time(() => encrypt(payload, 1000));
out.decrypt = time(() => decrypt(ct, sig));
process.stdout.write(JSON.stringify(out) + '\n');
