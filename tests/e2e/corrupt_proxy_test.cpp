// The real daemon (`build/pylon run`) following the local chain through a proxy that corrupts the
// node's answers (tests/e2e/corrupting_proxy.hpp): headers without parentHash or number or with
// mistyped fields, non-object headers, truncated and random state_call/state_getStorage results,
// bogus runtime versions, nulls everywhere. For each corruption, while blocks are made, the daemon
// must stay up (`/live` 200, the process alive), never serve data of a corrupt answer as its
// latest (every `/latest_block` and `/metagraph` it serves is of a real block, with the block's
// real hash and the subnet's real neurons, and the block never goes back), and say it is behind
// (`/health`'s stale_reason) where a corrupt answer broke a snapshot; then, with the proxy back to
// pass-through, it must serve the chain's new head again. Three modes also restart the daemon
// while the node answers garbage, since only its start reads a header (the crash of a header
// without parentHash, fixed in 8aea815, was there: with that fix undone this test fails).
//
// The random corruptions draw from a seed printed at the start; PYLON_PROXY_SEED=N replays one.
#include <simdjson.h>

#include <cstdlib>
#include <iostream>
#include <map>
#include <random>
#include <string>
#include <utility>

#include "chain/chain_client.hpp"
#include "corrupting_proxy.hpp"
#include "daemon_harness.hpp"
#include "e2e_support.hpp"
#include "localnet_env.hpp"

namespace pylon::e2e {
namespace {

using std::chrono::seconds;
using test::eventually;

// hotkey -> (uid, coldkey): what the subnet holds, the same at every block of this test.
using Fingerprint = std::map<std::string, std::pair<std::uint64_t, std::string>>;

std::string strip0x(std::string_view s) {
  return std::string(s.substr(0, 2) == "0x" ? s.substr(2) : s);
}

std::size_t count_of(const std::string& text, std::string_view what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

struct Health {
  int status = 0;
  std::string state;         // "ok", "stale", "loading"
  std::string stale_reason;  // empty when the follower reports nothing wrong
};

Health health_of(std::uint16_t port) {
  Health h;
  const HttpAnswer a = http(port, "GET", "/health");
  h.status = a.status;
  simdjson::dom::parser p;
  simdjson::dom::element e;
  if (p.parse(a.body).get(e)) return h;
  std::string_view s;
  if (!e["status"].get_string().get(s)) h.state = std::string(s);
  if (!e["stale_reason"].get_string().get(s)) h.stale_reason = std::string(s);
  return h;
}

// Everything the daemon serves, looked at once and checked against the chain as the test reads it
// (directly, not through the proxy).
class Watcher {
 public:
  Watcher(DaemonProcess& d, ChainProbe& probe) : d_(d), probe_(probe) {}

  void set_baseline(Fingerprint f) { baseline_ = std::move(f); }
  std::uint64_t latest() const { return latest_; }

  // One look; failures are recorded with `what` (the mode). Returns whether this look found none.
  // With `may_be_loading`, a daemon that has no snapshot yet (just restarted) may say so (503).
  bool look(std::string_view what, bool may_be_loading = false) {
    const std::string w(what);
    const int failures_before = failures();
    if (!d_.running()) {
      ADD_FAILURE() << w << ": the daemon died\n" << d_.log_tail();
      return false;
    }
    const HttpAnswer live = http(d_.port(), "GET", "/live");
    EXPECT_EQ(live.status, 200) << w << ": /live";
    if (live.status != 200) return false;

    HttpAnswer lb = http(d_.port(), "GET", "/latest_block");
    if (may_be_loading && lb.status == 503) {
      const Health h = health_of(d_.port());
      if (h.state == "loading") return failures() == failures_before;
      // The first snapshot may be published between the two requests; once /health says the
      // daemon is past loading, a snapshot exists and never goes away: /latest_block must serve it.
      lb = http(d_.port(), "GET", "/latest_block");
      EXPECT_EQ(lb.status, 200) << w << ": /health is " << h.status << " \"" << h.state
                                << "\" after /latest_block said 503, and /latest_block still says " << lb.status;
    }
    EXPECT_EQ(lb.status, 200) << w << ": /latest_block " << lb.body;
    simdjson::dom::parser p1;
    simdjson::dom::element e;
    std::uint64_t block = 0;
    if (lb.status != 200 || p1.parse(lb.body).get(e) || e["block"].get_uint64().get(block)) {
      ADD_FAILURE() << w << ": /latest_block answered " << lb.body;
      return false;
    }
    EXPECT_GE(block, latest_) << w << ": /latest_block went back";
    latest_ = std::max(latest_, block);

    const HttpAnswer mg = http(d_.port(), "GET", "/metagraph");
    simdjson::dom::parser p2;
    std::uint64_t mg_block = 0;
    std::string_view mg_hash;
    simdjson::dom::object neurons;
    if (mg.status != 200 || p2.parse(mg.body).get(e) || e["block"].get_uint64().get(mg_block) ||
        e["block_hash"].get_string().get(mg_hash) || e["neurons"].get_object().get(neurons)) {
      ADD_FAILURE() << w << ": /metagraph answered " << mg.status << " " << mg.body.substr(0, 300);
      return false;
    }
    EXPECT_GE(mg_block, block) << w << ": /metagraph older than /latest_block";
    const auto real = probe_.chain().block_hash(mg_block);
    EXPECT_TRUE(real.ok() && real->has_value()) << w << ": the chain has no block #" << mg_block;
    if (real.ok() && real->has_value()) {
      EXPECT_EQ(strip0x(mg_hash), strip0x(chain::hash_hex(**real)))
          << w << ": /metagraph's block_hash of #" << mg_block << " is not the chain's";
    }
    Fingerprint f;
    for (auto [hotkey, n] : neurons) {
      std::uint64_t uid = 0;
      std::string_view coldkey;
      if (n["uid"].get_uint64().get(uid) || n["coldkey"].get_string().get(coldkey)) {
        ADD_FAILURE() << w << ": a neuron without uid or coldkey in /metagraph";
        return false;
      }
      f[std::string(hotkey)] = {uid, std::string(coldkey)};
    }
    if (baseline_.empty()) return !f.empty();
    EXPECT_EQ(f, baseline_) << w << ": /metagraph's neurons are not the subnet's at #" << mg_block;

    const Health h = health_of(d_.port());
    EXPECT_TRUE((h.status == 200 && h.state == "ok") || (h.status == 503 && h.state == "stale"))
        << w << ": /health " << h.status << " " << h.state;
    return failures() == failures_before;
  }

 private:
  static int failures() {
    return ::testing::UnitTest::GetInstance()->current_test_info()->result()->total_part_count();
  }

  DaemonProcess& d_;
  ChainProbe& probe_;
  Fingerprint baseline_;
  std::uint64_t latest_ = 0;
};

Fingerprint fingerprint(std::uint16_t port) {
  Fingerprint f;
  const HttpAnswer mg = http(port, "GET", "/metagraph");
  simdjson::dom::parser p;
  simdjson::dom::element e;
  simdjson::dom::object neurons;
  if (mg.status != 200 || p.parse(mg.body).get(e) || e["neurons"].get_object().get(neurons)) return f;
  for (auto [hotkey, n] : neurons) {
    std::uint64_t uid = 0;
    std::string_view coldkey;
    if (n["uid"].get_uint64().get(uid) || n["coldkey"].get_string().get(coldkey)) return {};
    f[std::string(hotkey)] = {uid, std::string(coldkey)};
  }
  return f;
}

// What a mode must do to the daemon, beyond being survived and not served.
enum class Effect {
  kIgnoredHead,   // the head notification is unreadable: the follower skips it, last block, stale_reason set
  kBrokenBuild,   // the snapshot of the new head cannot be built: last block served, stale_reason set
  kMayAdvance,    // the snapshot path may not need the corrupt part: it may move on, on real data
};

struct ModeCase {
  Corruption mode;
  Effect effect;
  // Also restart the daemon while the node answers so: its start reads a header (the finalized
  // head's), the genesis hash, runtime versions and subscriptions through the corruption.
  bool restart;
};

constexpr ModeCase kModes[] = {
    {Corruption::kHeaderNoParent, Effect::kMayAdvance, true},
    {Corruption::kHeaderNoNumber, Effect::kIgnoredHead, false},
    {Corruption::kHeaderMistyped, Effect::kIgnoredHead, false},
    {Corruption::kHeaderNotObject, Effect::kIgnoredHead, true},
    {Corruption::kStateTruncated, Effect::kBrokenBuild, false},
    {Corruption::kStateRandom, Effect::kBrokenBuild, false},
    {Corruption::kRuntimeBogus, Effect::kMayAdvance, false},
    {Corruption::kNulls, Effect::kIgnoredHead, true},
};

// The follower's warnings about unreadable head notifications, counted in the daemon's log: how
// the test knows the daemon has seen (and skipped) a corrupt head before it looks again.
std::size_t skipped_heads(const DaemonProcess& d) {
  const std::string log = d.log_tail(std::size_t{1} << 30);
  return count_of(log, "finalized head notification without a number") +
         count_of(log, "finalized head with a bad number");
}

// The daemon follows subnet 1 of the chain's genesis, whose neurons no block of this test changes:
// nothing here needs the bootstrap's subnets, so the chain is not bootstrapped (about 35 blocks).
class CorruptProxyLocalnet : public GenesisLocalnetTest {};
constexpr std::uint16_t kGenesisNetuid = 1;

TEST_F(CorruptProxyLocalnet, SurvivesCorruptAnswersServesNothingCorruptAndRecovers) {
  std::uint64_t seed = std::random_device{}();
  if (const char* s = std::getenv("PYLON_PROXY_SEED")) seed = std::strtoull(s, nullptr, 10);
  std::cout << "corrupting proxy seed: " << seed << " (replay with PYLON_PROXY_SEED=" << seed << ")" << std::endl;
  RecordProperty("proxy_seed", std::to_string(seed));

  CorruptingProxy proxy(static_cast<std::uint16_t>(net::testing::LocalnetEnv::get().port()), seed);
  DaemonProcess d(kGenesisNetuid, {{"PYLON_CHAIN_URLS", proxy.url()}, {"PYLON_WALLET_PATH", hotkey_wallets()}});
  ChainProbe probe;
  d.start();
  ASSERT_TRUE(wait_ready(d, probe)) << d.log_tail();

  Watcher watch(d, probe);
  // Polls `cond` until it holds; a dead daemon ends the wait at once (the look reported it).
  auto wait_for = [&](auto&& cond, seconds limit) {
    return eventually([&] { return !d.running() || cond(); }, limit) && d.running();
  };
  // The baseline: the daemon caught up with the chain through the sound proxy.
  const std::uint64_t first = probe.new_blocks(1);
  ASSERT_TRUE(wait_for([&] { return watch.look("start") && watch.latest() >= first; }, seconds(60)))
      << d.log_tail();
  const Fingerprint baseline = fingerprint(d.port());
  ASSERT_FALSE(baseline.empty());
  watch.set_baseline(baseline);

  for (const ModeCase& c : kModes) {
    const auto mode_started = std::chrono::steady_clock::now();
    const std::string name(corruption_name(c.mode));
    SCOPED_TRACE(name);
    ASSERT_TRUE(watch.look(name + " (before)"));
    const std::uint64_t before = watch.latest();
    const std::uint64_t corrupted_before = proxy.corrupted();
    const std::size_t skipped_before = skipped_heads(d);
    proxy.set_mode(c.mode);

    std::uint64_t head = 0;
    for (int i = 0; i < 3; ++i) {
      head = probe.new_blocks(1);
      ASSERT_TRUE(watch.look(name)) << d.log_tail();
    }
    ASSERT_GT(head, before);
    // Wait until the daemon has met the corruption, looking at what it serves all the while.
    bool met = false;
    switch (c.effect) {
      case Effect::kIgnoredHead:
        met = wait_for([&] { return watch.look(name) && skipped_heads(d) >= skipped_before + 3; }, seconds(30));
        break;
      case Effect::kBrokenBuild:
        met = wait_for([&] { return watch.look(name) && !health_of(d.port()).stale_reason.empty(); }, seconds(30));
        break;
      case Effect::kMayAdvance:
        met = wait_for(
            [&] {
              return watch.look(name) && proxy.corrupted() > corrupted_before &&
                     (watch.latest() >= head || !health_of(d.port()).stale_reason.empty());
            },
            seconds(30));
        break;
    }
    EXPECT_TRUE(met) << name << ": the daemon never showed it met the corruption\n" << d.log_tail();
    EXPECT_GT(proxy.corrupted(), corrupted_before) << name << ": the proxy corrupted nothing";
    ASSERT_TRUE(watch.look(name)) << d.log_tail();
    if (c.effect != Effect::kMayAdvance) {
      EXPECT_EQ(watch.latest(), before) << name << ": a snapshot past the last sound one was published";
    }
    if (c.effect != Effect::kMayAdvance) {  // an unreadable head or a broken build: behind
      const Health h = health_of(d.port());
      EXPECT_FALSE(h.stale_reason.empty()) << name << ": /health does not say the latest snapshot is behind";
    }
    std::cout << name << ": corrupted " << proxy.corrupted() - corrupted_before << " frames; served #"
              << watch.latest() << " with the chain at #" << head << "; /health stale_reason: \""
              << health_of(d.port()).stale_reason << "\"" << std::endl;

    if (c.restart) {
      // SIGTERM drains and exits 0 even while the node answers garbage; the new process starts
      // through the same garbage and must stay up, serving nothing or only sound blocks.
      ASSERT_EQ(d.terminate(), 0) << name << ": the daemon did not stop cleanly\n" << d.log_tail();
      const std::uint64_t corrupted_at_start = proxy.corrupted();
      d.start();
      // Until its listener is up, the new process answers nothing: that is starting, not failing.
      eventually([&] { return !d.running() || http(d.port(), "GET", "/live").status == 200; }, seconds(30));
      const bool up = wait_for(
          [&] { return watch.look(name + " (restarted)", true) && proxy.corrupted() > corrupted_at_start; },
          seconds(30));
      ASSERT_TRUE(up) << name << ": the restarted daemon did not come up through the corruption\n" << d.log_tail();
      (void)probe.new_blocks(1);
      ASSERT_TRUE(watch.look(name + " (restarted)", true)) << d.log_tail();
    }

    // A sound node again: the daemon serves the new head, fresh and not marked stale.
    proxy.set_mode(Corruption::kNone);
    const std::uint64_t target = probe.new_blocks(1);
    const bool recovered = wait_for(
        [&] {
          if (!watch.look(name + " (recovering)", c.restart) || watch.latest() < target) return false;
          const Health h = health_of(d.port());
          return h.status == 200 && h.stale_reason.empty();
        },
        seconds(60));
    std::cout << name << ": recovered at #" << watch.latest() << " ("
              << std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - mode_started)
                     .count()
              << " ms for the mode)" << std::endl;
    ASSERT_TRUE(recovered) << name << ": the daemon did not serve #" << target << " after the node was sound again\n"
                           << d.log_tail();
  }
  EXPECT_TRUE(d.running());
  EXPECT_EQ(d.terminate(), 0) << d.log_tail();
}

}  // namespace
}  // namespace pylon::e2e
