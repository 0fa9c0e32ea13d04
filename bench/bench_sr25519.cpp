// sr25519 sign and verify (schnorrkel-compatible, on libsodium's ristretto255), plus key
// expansion. The JavaScript peer (polkadot-js's WASM sr25519) is run by a script beside this
// one when it exists.
#include <benchmark/benchmark.h>

#include <vector>

#include "keys/derive.hpp"
#include "keys/sr25519.hpp"

namespace {

using namespace pylon::keys;

Keypair alice() {
  return std::move(keypair_from_uri("//Alice")).value();
}

void BM_Sr25519Sign(benchmark::State& state) {
  const Keypair kp = alice();
  const pylon::Bytes msg(static_cast<std::size_t>(state.range(0)), 0x42);
  for (auto _ : state) benchmark::DoNotOptimize(sign(kp, msg));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_Sr25519Sign)->Arg(32)->Arg(256)->Arg(4096);

void BM_Sr25519Verify(benchmark::State& state) {
  const Keypair kp = alice();
  const pylon::Bytes msg(static_cast<std::size_t>(state.range(0)), 0x42);
  const Signature sig = sign(kp, msg);
  for (auto _ : state) {
    auto ok = verify(kp.public_key, msg, sig);
    if (!ok.ok()) state.SkipWithError("signature did not verify");
    benchmark::DoNotOptimize(ok);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_Sr25519Verify)->Arg(32)->Arg(256)->Arg(4096);

void BM_Sr25519FromMiniSecret(benchmark::State& state) {
  const std::vector<std::uint8_t> seed(32, 7);
  for (auto _ : state) benchmark::DoNotOptimize(keypair_from_mini_secret(seed));
}
BENCHMARK(BM_Sr25519FromMiniSecret);

}  // namespace

BENCHMARK_MAIN();
