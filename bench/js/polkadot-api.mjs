// polkadot-api peer of bench_codec (@polkadot-api/substrate-bindings 0.21.0,
// @polkadot-api/metadata-builders 0.15.0): (a) metadata parse: decode with substrate-bindings'
// metadata codec, unify, build the lookup and the dynamic builder (codecs are then built lazily,
// so the runtime-call codec's first build is timed separately); (b) the 1024-neuron answer: the
// dynamic builder's output codec of NeuronInfoRuntimeApi.get_neurons_lite (objects with SS58
// strings for every AccountId32, bigint for u64).
// Prints one JSON line: median ms per op.
import { metadata as metadataCodec, unifyMetadata } from '@polkadot-api/substrate-bindings';
import { getDynamicBuilder, getLookupFn } from '@polkadot-api/metadata-builders';
import { loadRawMetadata, loadNeurons, measure, consume } from './common.mjs';

const raw = loadRawMetadata();
const neurons = loadNeurons();

function build() {
  const decoded = metadataCodec.dec(raw);
  const unified = unifyMetadata(decoded);
  return getDynamicBuilder(getLookupFn(unified));
}

const parse = measure(() => consume(build()), { warmup: 3, minRuns: 30, minSeconds: 3 });
const callCodec = measure(() => consume(build().buildRuntimeCall('NeuronInfoRuntimeApi', 'get_neurons_lite')),
  { warmup: 3, minRuns: 30, minSeconds: 3 });

const codec = build().buildRuntimeCall('NeuronInfoRuntimeApi', 'get_neurons_lite').value;
const check = codec.dec(neurons.bytes);
if (!Array.isArray(check) || check.length !== 1024 || typeof check[0].hotkey !== 'string' || !check[0].hotkey.startsWith('5'))
  throw new Error('polkadot-api did not decode 1024 neurons with SS58 hotkeys');

const decode = measure(() => consume(codec.dec(neurons.bytes)), { warmup: 10, minRuns: 50, minSeconds: 4 });

console.log(JSON.stringify({
  peer: 'polkadot-api', version: 'substrate-bindings 0.21.0, metadata-builders 0.15.0', node: process.version,
  metadata_parse: parse, metadata_parse_plus_call_codec: callCodec,
  decode_neurons_lite: { ...decode, neurons: check.length },
}));
