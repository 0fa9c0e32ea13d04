#!/usr/bin/env python3
"""Seeds the chain fuzz corpora from real node traffic: finney-recordings.json of the shared
reference material ({scenario: {method: {params_json: response}}}). Writes, for each target, the
recorded answers in the shape the target reads:

  fuzz_chain_answers        first line the ChainClient method, then the node's answers, one a line
  fuzz_rpc_message          whole JSON-RPC frames: responses, errors, notifications
  fuzz_chain_notification   the "result" of finalized-head, runtime-version and transaction-status
                            notifications

Run it again when the recordings change: python3 tests/fuzz/corpus_from_recordings.py [shared dir]
(the files are named after their content, so a rerun only adds what is new)."""
import hashlib
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("PYLON_SHARED_DIR", os.path.join(HERE, "../../../shared"))
MAX_BYTES = 20000  # libFuzzer works best on small inputs; the biggest answers add little
PER_KIND = 4  # answers of one method differ in values, rarely in shape: a few of each suffice


def dump(v):
    return json.dumps(v, separators=(",", ":"))


def write(target, name, text):
    if len(text) > MAX_BYTES:
        return
    folder = os.path.join(HERE, "corpus", target)
    os.makedirs(folder, exist_ok=True)
    digest = hashlib.sha1(text.encode()).hexdigest()[:10]
    with open(os.path.join(folder, f"rec-{name}-{digest}"), "w") as f:
        f.write(text)


def main():
    with open(os.path.join(SHARED, "chain", "finney-recordings.json")) as f:
        recordings = json.load(f)
    answers = {}  # method -> [(result json text or None, error object or None)]
    for scenario in recordings.values():
        for method, calls in scenario.items():
            for response in calls.values():
                frames = response if isinstance(response, list) else [response]
                for frame in frames:
                    entry = (dump(frame["result"]), None) if "result" in frame else (None, frame.get("error"))
                    if entry not in answers.setdefault(method, []):
                        answers[method].append(entry)

    def results(method):  # the distinct results, those of different shapes (lengths) first
        rs = [r for r, e in answers.get(method, []) if r is not None]
        by_length = {}
        for r in rs:
            by_length.setdefault(len(r), r)
        firsts = list(by_length.values())
        return (firsts + [r for r in rs if r not in firsts])[:PER_KIND]

    # ChainClient methods, each with the answers it asks for in order.
    ops = {
        "header": [[r] for r in results("chain_getHeader")],
        "finalized_head": [[r] for r in results("chain_getHead")],
        "best_hash": [[r] for r in results("chain_getHead")],
        "block_hash": [[r] for r in results("chain_getBlockHash")],
        "genesis_hash": [[r] for r in results("chain_getBlockHash")],
        "runtime_version": [[r] for r in results("state_getRuntimeVersion")],
        "state_call": [[r] for r in results("state_call")],
        "storage": [[r] for r in results("state_getStorageAt")],
        "outcome_in_block": [[r] for r in results("chain_getBlock")],
    }
    # storage_by_prefix (page size 2): a page of keys, their values, then the empty page.
    keys_pages = [r for r in results("state_getKeysPaged") if r != "[]"]
    values = results("state_queryStorageAt")
    ops["storage_by_prefix"] = [[k, v, "[]"] for k, v in zip(keys_pages, values)]
    # A node refusing a state read (the recorded "State already discarded" of a pruned node).
    codes = [e["code"] for e, in ((e,) for r, e in answers.get("state_getRuntimeVersion", []) if e)]
    ops["runtime_version"] += [[f"!{c}"] for c in codes]
    # Transactions: the pool's statuses as notifications of a recorded block, then the block.
    block = results("chain_getHead")[0]
    for op in ("submit_and_watch", "submit_and_watch_finalized"):
        ops[op] = [['@"ready"', '@{"broadcast":["12D3KooWRmtUjmo5zAB6YgVJ2QHPzybPdxoyBcVqQg6yRAuTaRyX"]}',
                    '@{"inBlock":%s}' % block, '@{"finalized":%s}' % block] + results("chain_getBlock"),
                   ['@"invalid"'], ['@"future"', '@"dropped"'], ['@{"usurped":%s}' % block]]
    ops["submit_and_seal"] = [[r, block] + results("chain_getBlock") for r in results("chain_getHead")[:1]]
    for op, scripts in ops.items():
        for script in scripts:
            write("fuzz_chain_answers", op, "\n".join([op] + script) + "\n")

    # Frames as the node sends them: every recorded response under a request id, the recorded
    # errors, and notifications carrying recorded headers and runtime versions.
    for method, entries in answers.items():
        for i, result in enumerate(results(method)):
            write("fuzz_rpc_message", method, dump({"jsonrpc": "2.0", "id": i + 1, "result": json.loads(result)}))
        for error in [e for r, e in entries if e is not None][:PER_KIND]:
            write("fuzz_rpc_message", method + "-error", dump({"jsonrpc": "2.0", "id": 7, "error": error}))
    subscriptions = {"chain_finalizedHead": results("chain_getHeader"),
                     "state_runtimeVersion": results("state_getRuntimeVersion")}
    for method, rs in subscriptions.items():
        for r in rs[:4]:
            write("fuzz_rpc_message", method,
                  dump({"jsonrpc": "2.0", "method": method,
                        "params": {"subscription": "eMdZXxUxcBs9QK6p", "result": json.loads(r)}}))
    write("fuzz_rpc_message", "subscription-id", '"eMdZXxUxcBs9QK6p"')
    write("fuzz_rpc_message", "subscription-id", "4711")

    # Notification results: headers (finalized heads), runtime versions, transaction statuses.
    for r in results("chain_getHeader"):
        write("fuzz_chain_notification", "head", r)
    for r in results("state_getRuntimeVersion"):
        write("fuzz_chain_notification", "runtime", r)
    for s in ['"future"', '"ready"', '"dropped"', '"invalid"',
              '{"broadcast":["12D3KooWRmtUjmo5zAB6YgVJ2QHPzybPdxoyBcVqQg6yRAuTaRyX"]}'] + [
            '{"%s":%s}' % (k, block) for k in ("inBlock", "retracted", "finalityTimeout", "finalized", "usurped")]:
        write("fuzz_chain_notification", "status", s)


if __name__ == "__main__":
    main()
