// Tiny JSON-RPC client for the local chain, used by localnet/start (readiness), localnet/new-blocks
// and by hand. chopsticks serves HTTP and WebSocket on the same port; HTTP POST is enough here.
//
//   node rpc.mjs [--port P] call METHOD [PARAMS_JSON]   print the result as JSON (exit 1 on error)
//   node rpc.mjs [--port P] wait SECONDS                 poll chain_getBlockHash(0) until it answers
//   node rpc.mjs [--port P] new-blocks N                 dev_newBlock {count: N}; print the new head
//
// The port defaults to $PYLON_LOCALNET_PORT, else 9944.

function usage(msg) {
  if (msg) console.error(`rpc.mjs: ${msg}`);
  console.error('usage: node rpc.mjs [--port P] call METHOD [PARAMS_JSON] | wait SECONDS | new-blocks N');
  process.exit(2);
}

const args = process.argv.slice(2);
let port = process.env.PYLON_LOCALNET_PORT || '9944';
if (args[0] === '--port') {
  port = args[1];
  args.splice(0, 2);
}
if (!/^[0-9]{1,5}$/.test(String(port)) || Number(port) < 1 || Number(port) > 65535) usage(`bad port '${port}'`);
const url = `http://127.0.0.1:${port}`;

let nextId = 1;
async function rpc(method, params, timeoutMs) {
  const body = JSON.stringify({ jsonrpc: '2.0', id: nextId++, method, params });
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    signal: AbortSignal.timeout(timeoutMs),
  });
  const json = await res.json();
  if (json.error) throw new Error(`${method}: JSON-RPC error ${json.error.code}: ${json.error.message}`);
  return json.result;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function main() {
  const [cmd, ...rest] = args;
  switch (cmd) {
    case 'call': {
      if (rest.length < 1 || rest.length > 2) usage('call takes METHOD [PARAMS_JSON]');
      let params = [];
      if (rest[1] !== undefined) {
        try {
          params = JSON.parse(rest[1]);
        } catch (e) {
          usage(`PARAMS_JSON is not JSON: ${e.message}`);
        }
      }
      console.log(JSON.stringify(await rpc(rest[0], params, 120000)));
      return;
    }
    case 'wait': {
      const seconds = Number(rest[0]);
      if (!(seconds > 0)) usage('wait takes a positive number of seconds');
      const deadline = Date.now() + seconds * 1000;
      let last = 'no answer yet';
      while (Date.now() < deadline) {
        try {
          const hash = await rpc('chain_getBlockHash', [0], 2000);
          if (typeof hash === 'string' && hash.startsWith('0x')) {
            console.log(hash);
            return;
          }
          last = `unexpected answer ${JSON.stringify(hash)}`;
        } catch (e) {
          last = e.cause?.code || e.message;
        }
        await sleep(250);
      }
      console.error(`rpc.mjs: ${url} did not answer chain_getBlockHash within ${seconds} s (${last})`);
      process.exit(1);
      return;
    }
    case 'new-blocks': {
      const n = Number(rest[0] ?? 1);
      if (!Number.isInteger(n) || n < 1) usage('new-blocks takes a positive integer');
      // dev_newBlock answers with the head's hash even when building failed (a runtime panic is
      // only logged), so check that the head really moved by N.
      const before = parseInt((await rpc('chain_getHeader', [], 10000)).number, 16);
      const hash = await rpc('dev_newBlock', [{ count: n }], 600000);
      const number = parseInt((await rpc('chain_getHeader', [hash], 10000)).number, 16);
      if (number !== before + n) {
        throw new Error(`head went from #${before} to #${number}, not #${before + n}: block building failed (see the chopsticks log)`);
      }
      console.log(JSON.stringify({ hash, number }));
      return;
    }
    default:
      usage(cmd ? `unknown command '${cmd}'` : 'no command');
  }
}

main().catch((e) => {
  console.error(`rpc.mjs: ${e.message}${e.cause ? ` (${e.cause.code || e.cause.message})` : ''}`);
  process.exit(1);
});
