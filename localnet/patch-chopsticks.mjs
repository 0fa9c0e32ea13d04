// Install-time patch for chopsticks 1.5.1 (run by `npm ci` as postinstall).
//
// Why: chopsticks probes the runtime's `AuraApi_slot_duration` with unresolved host imports
// forbidden. The subtensor runtime imports BLS12-381 host calls, so the probe fails silently,
// chopsticks falls back to 12 s slots and block #1 panics "Timestamp slot must match CurrentSlot".
// Letting that one probe allow unresolved imports (as every other call made with
// --allow-unresolved-imports does) gives the real 1 s slot duration.
//
// This edits exactly one spot per build flavour (esm, cjs) and fails loudly when the code does
// not look as expected, so a version bump cannot silently drop the fix. Re-running is harmless.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const EXPECTED_VERSION = '1.5.1';

function fail(msg) {
  console.error(`patch-chopsticks: ${msg}`);
  process.exit(1);
}

// The package's "exports" hide package.json from require.resolve, so look where npm puts it:
// hoisted to the top, or nested under chopsticks when versions conflict.
const candidates = [
  join(here, 'node_modules', '@acala-network', 'chopsticks-core'),
  join(here, 'node_modules', '@acala-network', 'chopsticks', 'node_modules', '@acala-network', 'chopsticks-core'),
];
const coreDir = candidates.find((d) => existsSync(join(d, 'package.json')));
if (!coreDir) fail(`@acala-network/chopsticks-core is not installed (looked in ${candidates.join(', ')})`);
const version = JSON.parse(readFileSync(join(coreDir, 'package.json'), 'utf8')).version;
if (version !== EXPECTED_VERSION) {
  fail(`expected chopsticks-core ${EXPECTED_VERSION}, found ${version}: review this patch before updating`);
}

// From the probe's name to the end of its options object: only this call is touched.
const probe = /('AuraApi_slot_duration',\s*\[\]\s*\]\s*\],\s*mockSignatureHost:\s*false,\s*allowUnresolvedImports:\s*)(false|true)(,)/g;

for (const flavour of ['esm', 'cjs']) {
  const file = join(coreDir, 'dist', flavour, 'wasm-executor', 'index.js');
  let text;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    fail(`cannot read ${file}: ${e.message}`);
  }
  const matches = [...text.matchAll(probe)];
  if (matches.length !== 1) {
    fail(`${file}: expected exactly one AuraApi_slot_duration probe, found ${matches.length}`);
  }
  if (matches[0][2] === 'true') {
    console.log(`patch-chopsticks: ${flavour} already patched`);
    continue;
  }
  writeFileSync(file, text.replace(probe, '$1true$3'));
  console.log(`patch-chopsticks: ${flavour}: AuraApi_slot_duration probe now allows unresolved imports`);
}
