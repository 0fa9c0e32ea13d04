// The chain codec on real finney data: the metadata parse (V15, ~spec 343) and the metagraph
// answer of NeuronInfoRuntimeApi_get_neurons_lite (1024 neurons, ~186 KB of SCALE), typed and
// dynamic, with a plain memcpy of the same bytes as the memory floor. bench/run-codec-bench runs
// the JavaScript peers (bench/js: polkadot-js and polkadot-api) on the same inputs and prints
// the ratios. Inputs come from the shared folder (env PYLON_SHARED_DIR, else the build's default).
#include <benchmark/benchmark.h>
#include <simdjson.h>

#include <cctype>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "codec/decoder.hpp"
#include "codec/json_render.hpp"
#include "codec/metadata.hpp"
#include "codec/ss58.hpp"
#include "codec/ss58_book.hpp"
#include "codec/views/neuron_lite.hpp"
#include "common/hex.hpp"

namespace {

using namespace pylon;
using namespace pylon::codec;

std::string shared_dir() {
  if (const char* env = std::getenv("PYLON_SHARED_DIR"); env && *env) return env;
  return PYLON_SHARED_DIR_DEFAULT;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Everything the benchmarks read, loaded once. `error` is non-empty when an input is missing or
// bad; every benchmark then skips with that message rather than measuring nothing.
struct Inputs {
  std::string error;
  Bytes raw_metadata;  // "meta" + version + body, unwrapped from Option<OpaqueMetadata>
  std::shared_ptr<const Metadata> metadata;
  Bytes neurons;  // SCALE Vec<NeuronInfoLite>
  TypeId neurons_type = 0;
};

Inputs load_inputs() {
  Inputs in;
  const std::string dir = shared_dir();
  const std::string md_path = dir + "/chain/finney-metadata-v15.option.hex";
  std::string md_hex = read_text(md_path);
  std::erase_if(md_hex, [](unsigned char c) { return std::isspace(c) != 0; });
  if (md_hex.empty()) {
    in.error = "cannot read " + md_path + " (set PYLON_SHARED_DIR)";
    return in;
  }
  auto md_bytes = from_hex(md_hex);
  if (!md_bytes) {
    in.error = md_path + ": " + md_bytes.error().message;
    return in;
  }
  auto raw = unwrap_metadata_bytes(*md_bytes);
  if (!raw) {
    in.error = md_path + ": " + raw.error().message;
    return in;
  }
  in.raw_metadata = std::move(raw).value();
  auto md = parse_metadata(in.raw_metadata);
  if (!md) {
    in.error = md_path + ": " + md.error().message;
    return in;
  }
  in.metadata = std::move(md).value();
  const RuntimeApiMethod* m = in.metadata->api_method("NeuronInfoRuntimeApi_get_neurons_lite");
  if (!m) {
    in.error = "the finney metadata has no NeuronInfoRuntimeApi_get_neurons_lite";
    return in;
  }
  in.neurons_type = m->output;

  const std::string golden = dir + "/chain/golden/NeuronInfoRuntimeApi_get_neurons_lite.metagraph.json";
  simdjson::padded_string json;
  if (simdjson::padded_string::load(golden).get(json)) {
    in.error = "cannot read " + golden;
    return in;
  }
  simdjson::ondemand::parser parser;
  std::string_view result_hex;
  simdjson::ondemand::document doc;
  if (parser.iterate(json).get(doc) || doc["result_hex"].get_string().get(result_hex)) {
    in.error = golden + ": no string field result_hex";
    return in;
  }
  auto neurons = from_hex(result_hex);
  if (!neurons) {
    in.error = golden + ": " + neurons.error().message;
    return in;
  }
  in.neurons = std::move(neurons).value();
  return in;
}

const Inputs& inputs() {
  static const Inputs in = load_inputs();
  return in;
}

bool ready(benchmark::State& state) {
  if (!inputs().error.empty()) {
    state.SkipWithError(inputs().error.c_str());
    return false;
  }
  return true;
}

void BM_ParseFinneyMetadata(benchmark::State& state) {
  if (!ready(state)) return;
  const Bytes& raw = inputs().raw_metadata;
  for (auto _ : state) {
    auto md = parse_metadata(raw);
    if (!md) {
      state.SkipWithError(md.error().message.c_str());
      return;
    }
    benchmark::DoNotOptimize(md);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * raw.size()));
  state.counters["types"] = static_cast<double>(inputs().metadata->types.types.size());
}
BENCHMARK(BM_ParseFinneyMetadata)->Unit(benchmark::kMillisecond);

// The typed view into a reused vector, then `render(rows)` each round (nothing more, or the SS58
// text of its accounts): the three lines below differ only in what they render.
template <class Render>
void decode_neurons_typed(benchmark::State& state, Render render) {
  if (!ready(state)) return;
  auto view = views::NeuronLiteView::resolve(inputs().metadata);
  if (!view) {
    state.SkipWithError(view.error().message.c_str());
    return;
  }
  const Bytes& bytes = inputs().neurons;
  std::vector<views::NeuronLite> rows;
  for (auto _ : state) {
    auto s = view->decode_all_into(bytes, rows);
    if (!s.ok()) {
      state.SkipWithError(s.error().message.c_str());
      return;
    }
    render(rows);
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bytes.size()));
  state.counters["neurons"] = static_cast<double>(rows.size());
}

// What the daemon does on every metagraph refresh.
void BM_DecodeNeuronsLiteTyped(benchmark::State& state) {
  decode_neurons_typed(state,
                       [](const std::vector<views::NeuronLite>& rows) { benchmark::DoNotOptimize(rows.data()); });
}
BENCHMARK(BM_DecodeNeuronsLiteTyped)->Unit(benchmark::kMicrosecond);

// Plus an SS58 string for every account in the answer (hotkey, coldkey and each stake entry's
// coldkey), because the JavaScript peers hand out SS58 strings for all of them.
void BM_DecodeNeuronsLiteTypedSs58(benchmark::State& state) {
  std::vector<std::string> addresses;
  decode_neurons_typed(state, [&](const std::vector<views::NeuronLite>& rows) {
    addresses.clear();
    for (const auto& n : rows) {
      addresses.push_back(ss58_encode(n.hotkey));
      addresses.push_back(ss58_encode(n.coldkey));
      for (const auto& e : n.stake) addresses.push_back(ss58_encode(e.coldkey));
    }
    benchmark::DoNotOptimize(addresses.data());
  });
  state.counters["addresses"] = static_cast<double>(addresses.size());
}
BENCHMARK(BM_DecodeNeuronsLiteTypedSs58)->Unit(benchmark::kMicrosecond);

// The same output, each distinct account rendered once (codec::Ss58Book, as the REST rendering of
// a snapshot does): the peer of the line above in the same run.
void BM_DecodeNeuronsLiteTypedSs58Book(benchmark::State& state) {
  std::vector<const std::string*> addresses;
  std::size_t distinct = 0;
  decode_neurons_typed(state, [&](const std::vector<views::NeuronLite>& rows) {
    Ss58Book book;
    addresses.clear();
    for (const auto& n : rows) {
      addresses.push_back(&book.text(n.hotkey));
      addresses.push_back(&book.text(n.coldkey));
      for (const auto& e : n.stake) addresses.push_back(&book.text(e.coldkey));
    }
    benchmark::DoNotOptimize(addresses.data());
    distinct = book.size();
  });
  state.counters["addresses"] = static_cast<double>(addresses.size());
  state.counters["distinct"] = static_cast<double>(distinct);
}
BENCHMARK(BM_DecodeNeuronsLiteTypedSs58Book)->Unit(benchmark::kMicrosecond);

// The dynamic decoder: the whole answer into a Value tree, no SS58.
void BM_DecodeNeuronsLiteDynamic(benchmark::State& state) {
  if (!ready(state)) return;
  const Inputs& in = inputs();
  for (auto _ : state) {
    auto v = decode_exact(in.metadata->types, in.neurons_type, in.neurons);
    if (!v) {
      state.SkipWithError(v.error().message.c_str());
      return;
    }
    benchmark::DoNotOptimize(v);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * in.neurons.size()));
}
BENCHMARK(BM_DecodeNeuronsLiteDynamic)->Unit(benchmark::kMicrosecond);

// Dynamic decode plus the JSON text (SS58 accounts): the path of `pylon` tools that print values,
// the closest thing to polkadot-js's toPrimitive + JSON.stringify.
void BM_DecodeNeuronsLiteDynamicJson(benchmark::State& state) {
  if (!ready(state)) return;
  const Inputs& in = inputs();
  std::size_t json_size = 0;
  for (auto _ : state) {
    auto v = decode_exact(in.metadata->types, in.neurons_type, in.neurons);
    if (!v) {
      state.SkipWithError(v.error().message.c_str());
      return;
    }
    std::string json = render_json(*v);
    json_size = json.size();
    benchmark::DoNotOptimize(json.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * in.neurons.size()));
  state.counters["json_bytes"] = static_cast<double>(json_size);
}
BENCHMARK(BM_DecodeNeuronsLiteDynamicJson)->Unit(benchmark::kMicrosecond);

// The memory floor: copying the answer's bytes once.
void BM_MemcpyNeuronsLite(benchmark::State& state) {
  if (!ready(state)) return;
  const Bytes& bytes = inputs().neurons;
  Bytes dst(bytes.size());
  for (auto _ : state) {
    std::memcpy(dst.data(), bytes.data(), bytes.size());
    benchmark::DoNotOptimize(dst.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bytes.size()));
}
BENCHMARK(BM_MemcpyNeuronsLite)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
