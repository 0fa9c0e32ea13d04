// What the /api/v1 surface is configured with (the daemon maps config::V1Settings onto it).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/ids.hpp"
#include "keys/secret_bytes.hpp"

namespace pylon::rest::v1 {

using SecretToken = std::shared_ptr<const keys::SecretString>;

struct Identity {
  std::string name;          // the {identity} of the paths
  std::uint16_t netuid = 0;  // its subnet (one the daemon follows)
  SecretToken token;         // never null
  AccountId hotkey{};        // its hotkey: the `self` of the /self routes
};

struct Options {
  std::vector<Identity> identities;
  // Null: open-access paths answer 403 to every Bearer token (pylon-v1.md §5, Pylon's choice).
  SecretToken open_access_token;
  double default_timeout_seconds = 60;  // without X-Pylon-Timeout
  double max_timeout_seconds = 300;     // X-Pylon-Timeout above this is capped, not refused
  std::uint64_t recent_soft_limit_blocks = 100;
  std::uint64_t recent_hard_limit_blocks = 150;
  double block_duration_seconds = 12;
  // POST .../commitments (pylon-v1.md §6.2): attempts in all; the backoff between them starts at
  // the delay and doubles up to 10x it.
  std::uint32_t commitment_retry_attempts = 10;
  double commitment_retry_delay_seconds = 1;
};

}  // namespace pylon::rest::v1
