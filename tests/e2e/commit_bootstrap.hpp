// The chain test_e2e_commit's tests share: bootstrapped once per binary by the real
// `pylon localnet bootstrap` (two subnets, commit-reveal off and on, the shared `pylon` hotkey
// registered, staked and permitted as validator on both).
#pragma once

#include <cstdint>
#include <string>

#include "common/result.hpp"

namespace pylon::committer::e2e {

struct Bootstrap {
  std::uint16_t plain = 0, reveal = 0;  // the subnets with commit-reveal off and on
  std::string wallets;                  // holds the `pylon` wallet's hotkey `pylon` (mode 600)
};

// The binary's bootstrapped chain (the first call bootstraps it, about a minute).
const Result<Bootstrap>& bootstrapped();

}  // namespace pylon::committer::e2e
