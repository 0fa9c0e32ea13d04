// Timelock encryption of one weights commit (SCALE {hotkey, 256 uids, 256 values, version_key},
// 1069 bytes) to a drand quicknet round, and its decryption with the round's signature. The
// JavaScript peer (../shared/crv4's @noble/curves tle oracle) runs beside it in
// bench/run-timelock-bench.
#include <benchmark/benchmark.h>

#include "timelock/timelock.hpp"

namespace {

// The same bytes bench/js/timelock.mjs builds.
pylon::Bytes commit_256() {
  pylon::Bytes p = {0x80};
  const auto alice = *pylon::from_hex("d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d");
  p.insert(p.end(), alice.begin(), alice.end());
  for (int part = 0; part < 2; ++part) {
    p.push_back(0x01);  // compact(256)
    p.push_back(0x04);
    for (unsigned i = 0; i < 256; ++i) {
      const unsigned x = part == 0 ? i : (65535u - i * 97u) & 0xffffu;
      p.push_back(static_cast<std::uint8_t>(x & 0xff));
      p.push_back(static_cast<std::uint8_t>(x >> 8));
    }
  }
  for (int i = 0; i < 8; ++i) p.push_back(i == 0 ? 42 : 0);
  return p;
}

void BM_TimelockEncryptCommit256(benchmark::State& state) {
  const pylon::Bytes payload = commit_256();
  for (auto _ : state) {
    auto c = pylon::timelock::encrypt(1000, payload);
    if (!c.ok()) state.SkipWithError(c.error().message.c_str());
    benchmark::DoNotOptimize(c);
  }
}
BENCHMARK(BM_TimelockEncryptCommit256)->Unit(benchmark::kMicrosecond);

void BM_TimelockDecryptCommit256(benchmark::State& state) {
  const pylon::Bytes payload = commit_256();
  const pylon::Bytes sig = *pylon::from_hex(
      "b44679b9a59af2ec876b1a6b1ad52ea9b1615fc3982b19576350f93447cb1125e342b73a8dd2bacbe47e4b6b63ed5e39");
  const pylon::Bytes c = *pylon::timelock::encrypt(1000, payload);
  for (auto _ : state) {
    auto p = pylon::timelock::decrypt(sig, c);
    if (!p.ok() || *p != payload) state.SkipWithError("did not decrypt");
    benchmark::DoNotOptimize(p);
  }
}
BENCHMARK(BM_TimelockDecryptCommit256)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
