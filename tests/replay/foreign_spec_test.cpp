// A node that answers get_neurons_lite with another runtime's bytes: the real spec-208 answer of
// the recorded scenario `neurons_lite` (netuid 23, a Vec<u8>-wrapped result) where the spec-343
// layout is expected. Decoding must fail with a located error rather than produce neurons, and
// the follower must keep its last good snapshot and say why it is stale.
#include "replay_test_support.hpp"

namespace pylon::replay {
namespace {

using namespace testing;

// The recorded spec-208 answer, served for the spec-343 get_neurons_lite call.
std::optional<std::string> spec208_answer() {
  auto old = Recording::load(shared_dir() + "/chain/finney-recordings.json", "neurons_lite");
  if (!old.ok()) return std::nullopt;
  const RecordedAnswer* a =
      old->find_raw("state_call", R"(["NeuronInfoRuntimeApi_get_neurons_lite","0x1700"])");
  if (!a || a->is_error) return std::nullopt;
  return a->json;
}

ReplayServer::Override serve_spec208(std::string answer) {
  return [answer = std::move(answer)](std::string_view method,
                                      std::string_view params) -> std::optional<std::string> {
    if (method == "state_call" && contains(params, "\"NeuronInfoRuntimeApi_get_neurons_lite\""))
      return answer;
    return std::nullopt;
  };
}

TEST(ReplayForeignSpec, BuildSnapshotFailsWithALocatedError) {
  PYLON_REPLAY_REQUIRE_SHARED();
  auto answer = spec208_answer();
  ASSERT_TRUE(answer) << "scenario neurons_lite lacks its get_neurons_lite answer";
  auto server = start_server();
  ASSERT_TRUE(server);
  server->set_override(serve_spec208(*answer));
  ClientStack c(server->url());
  ASSERT_TRUE(c.chain);
  auto s = build_recorded(c);
  ASSERT_FALSE(s.ok()) << "spec-208 bytes decoded as " << s->neurons.size() << " spec-343 neurons";
  EXPECT_TRUE(contains(s.error().message, "get_neurons_lite at #6852690")) << s.error().message;
  std::cout << "located error: " << s.error().message << "\n";
}

TEST(ReplayForeignSpec, FollowerKeepsTheLastSnapshotAndSaysWhy) {
  PYLON_REPLAY_REQUIRE_SHARED();
  auto answer = spec208_answer();
  ASSERT_TRUE(answer);
  FollowerRig rig;
  auto good = rig.first();
  ASSERT_TRUE(good) << rig.store.staleness().reason;
  follower::SnapshotStore& store = rig.store;

  rig.server->set_override(serve_spec208(*answer));
  const std::uint64_t next = rig.server->advance_head();
  ASSERT_TRUE(store.wait_until([&] { return store.staleness().stale; }, 10s));
  const std::string reason = store.staleness().reason;
  EXPECT_TRUE(contains(reason, "get_neurons_lite at #" + std::to_string(next))) << reason;
  EXPECT_EQ(store.latest(), good);
  EXPECT_EQ(store.published_count(), 1u);

  rig.server->set_override({});
  rig.expect_recovers_to(next);
}

}  // namespace
}  // namespace pylon::replay
