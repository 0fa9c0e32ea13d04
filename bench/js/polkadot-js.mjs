// polkadot-js peer of bench_codec (the library the oracle uses, @polkadot/types 16.5.6):
// (a) metadata parse: new Metadata(registry, raw) + registry.setMetadata, as every polkadot-js
//     client does on connect; (b) the 1024-neuron answer: registry.createType(...).toPrimitive(),
//     the realistic use (plain objects, AccountId32 as SS58 strings).
// Prints one JSON line: median ms per op.
import { TypeRegistry, Metadata } from '@polkadot/types';
import { loadRawMetadata, loadNeurons, measure, consume } from './common.mjs';

const raw = loadRawMetadata();
const neurons = loadNeurons();

const parse = measure(() => {
  const registry = new TypeRegistry();
  const md = new Metadata(registry, raw);
  registry.setMetadata(md);
  consume(registry);
}, { warmup: 3, minRuns: 20, minSeconds: 4 });

const registry = new TypeRegistry();
registry.setMetadata(new Metadata(registry, raw));
const check = registry.createType(neurons.type, neurons.bytes).toPrimitive();
if (!Array.isArray(check) || check.length !== 1024 || typeof check[0].hotkey !== 'string' || !check[0].hotkey.startsWith('5'))
  throw new Error('polkadot-js did not decode 1024 neurons with SS58 hotkeys');

const decode = measure(() => consume(registry.createType(neurons.type, neurons.bytes).toPrimitive()),
  { warmup: 5, minRuns: 30, minSeconds: 4 });

console.log(JSON.stringify({
  peer: 'polkadot-js', version: '@polkadot/types 16.5.6', node: process.version,
  metadata_parse: parse, decode_neurons_lite: { ...decode, neurons: check.length },
}));
