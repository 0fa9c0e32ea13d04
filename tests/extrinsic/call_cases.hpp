// The calls the extrinsic tests build, sign and decode, with arguments in decode-api's shapes, and
// the metadata files they are built under: one table, so that what signed_oracle_test signs and what
// decode_test decodes are the same calls.
#pragma once

#include <string_view>

namespace pylon::extrinsic::test {

struct CallCase {
  const char* call;
  const char* args;
};

// The calls Pylon sends (every metadata file below has each of them).
inline constexpr CallCase kPylonCalls[] = {
    {"SubtensorModule.set_weights",
     R"({"netuid":1,"dests":[0,1,2],"weights":[65535,100,0],"version_key":7})"},
    {"SubtensorModule.commit_weights",
     R"({"netuid":2,"commit_hash":"0x1111111111111111111111111111111111111111111111111111111111111111"})"},
    {"SubtensorModule.reveal_weights",
     R"({"netuid":2,"uids":[0,5],"values":[1,65535],"salt":[9,8,7,6,5,4,3,2],"version_key":0})"},
    {"Commitments.set_commitment",
     R"({"netuid":2,"info":{"fields":[{"raw4":"0x01020304"},{"sha256":"0xabababababababababababababababababababababababababababababababab"}]}})"},
    {"AdminUtils.sudo_set_weights_set_rate_limit", R"({"netuid":2,"weights_set_rate_limit":0})"},
};

// Not one Pylon sends, but block bodies are full of them: a MultiAddress and a u128 past 2^53.
inline constexpr CallCase kTransfer = {
    "Balances.transfer_keep_alive",
    R"({"dest":{"id":"5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty"},"value":"123456789012345678"})"};

// Below the shared reference folder: finney, the local chain's v15 and v14, devnet's v16.
inline constexpr const char* kMetadataFiles[] = {
    "chain/finney-metadata-v15.option.hex",
    "chain/localnet/spec293-metadata-v15.option.hex",
    "chain/localnet/spec293-metadata-v14.hex",
    "chain/devnet-metadata-v16.scale",
};

}  // namespace pylon::extrinsic::test
