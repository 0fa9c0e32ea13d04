// What the mechanism tests of the weights endpoints share: the epoch holding the recorded block,
// the recorded neurons' hotkeys, and the replay node made to answer a mechanism count the
// recording (a runtime without mechanisms) lacks.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "chain/storage_key.hpp"
#include "codec/ss58.hpp"
#include "committer/chain_storage.hpp"
#include "common/hex.hpp"
#include "rest_test_support.hpp"

namespace pylon::rest::test {

constexpr std::uint64_t kRecordedEpoch = 6852499;  // the epoch holding the recorded block (tempo 360)

inline std::string recorded_hotkey(std::size_t i) {
  return codec::ss58_encode(recorded()->neurons.at(i).hotkey);
}

// The replay node answers SubtensorModule.MechanismCountCurrent(kNetuid) with `count` (SCALE u8)
// while this lives; other reads go to the recording as before. When it cannot answer (no replay
// node, no key from the recorded metadata) the test fails here; `armed()` says whether it answers.
class MechanismCountAnswer {
 public:
  explicit MechanismCountAnswer(std::uint8_t count) {
    auto& node = replay_node();
    if (!node.stack || !node.server) {
      ADD_FAILURE() << "no replay node to answer MechanismCountCurrent";
      return;
    }
    auto md = node.stack->chain->metadata(recorded()->block_hash);
    if (!md.ok()) {
      ADD_FAILURE() << md.error().message;
      return;
    }
    auto key = chain::storage_key(**md, "SubtensorModule", "MechanismCountCurrent",
                                  {committer::netuid_key(kNetuid)});
    if (!key.ok()) {
      ADD_FAILURE() << key.error().message;
      return;
    }
    const std::string hex = to_hex(*key).substr(2);
    const std::string value = "\"" + to_hex(Bytes{count}) + "\"";
    node.server->set_override(
        [hex, value](std::string_view method, std::string_view params) -> std::optional<std::string> {
          if (method.rfind("state_getStorage", 0) == 0 && params.find(hex) != std::string_view::npos)
            return value;
          return std::nullopt;
        });
    armed_ = true;
  }
  ~MechanismCountAnswer() {
    if (replay_node().server) replay_node().server->set_override({});
  }
  MechanismCountAnswer(const MechanismCountAnswer&) = delete;
  MechanismCountAnswer& operator=(const MechanismCountAnswer&) = delete;
  bool armed() const { return armed_; }

 private:
  bool armed_ = false;
};

}  // namespace pylon::rest::test
