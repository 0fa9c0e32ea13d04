// The /api/v1 HTTP tests' common setup on the recorded finney snapshot: the open-access token and
// one identity "sn1" on netuid 1 (holding the first neuron's hotkey, the one with the recorded Raw
// commitment), and the contract's error body. Header-only; built once per test file.
#pragma once

#include <memory>
#include <string>

#include "rest_test_support.hpp"

namespace pylon::rest::test {

inline const std::string kOpen = "open-access-token-0123";
inline const std::string kSn1 = "sn1-identity-token-0123";
inline const std::string kOpenAuth = "Bearer " + kOpen;
inline const std::string kSn1Auth = "Bearer " + kSn1;

inline RestOptions v1_options() {
  RestOptions o;
  o.v1.open_access_token = std::make_shared<const keys::SecretString>(kOpen);
  o.v1.identities.push_back(
      {"sn1", kNetuid, std::make_shared<const keys::SecretString>(kSn1), recorded()->neurons.at(0).hotkey});
  return o;
}

// {"status_code":..,"detail":".."}: every /api/v1 error (pylon-v1.md §1).
inline std::string v1_error(unsigned status, const std::string& detail) {
  return "{\"status_code\":" + std::to_string(status) + ",\"detail\":\"" + detail + "\"}";
}

}  // namespace pylon::rest::test
