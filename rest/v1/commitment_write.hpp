// POST /api/v1/identity/{identity}/subnet/{netuid}/commitments (pylon-v1.md §6.2): the call, built
// by name from the metadata of the block at hand, and the backoff between attempts. The handler
// (rest/v1/handlers.cpp) runs the attempts on a worker through the identity's subnet's hotkey Submitter.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "codec/metadata.hpp"
#include "common/hex.hpp"
#include "common/result.hpp"

namespace pylon::rest::v1 {

enum class CommitmentCallErrc : std::uint8_t {
  kNoCall,   // the runtime has no Commitments.set_commitment(netuid, info{fields: [Data]})
  kTooLong,  // the runtime's Data has no Raw variant holding that many bytes
};

// The JSON arguments of Commitments.set_commitment storing `data` as the one field of the
// runtime's CommitmentInfo: {"netuid": n, "info": {"fields": [{"RawN": "0x…"}]}}, RawN being the
// variant of the info's Data type whose one field is [u8; N], N = data.size(), as `md` has it.
// Subtensor's Data stops at Raw128: longer data is kTooLong, which no later block changes short
// of a runtime upgrade, so the handler refuses it (400) instead of retrying.
Result<std::string> set_commitment_args(const codec::Metadata& md, std::uint16_t netuid, ByteSpan data);

// The Data enum of the info's fields of the runtime's Commitments.set_commitment(netuid, info)
// (kNoCall when the call or that shape is missing). Shared with the timelocked write
// (rest/v1/revealed.hpp).
Result<const codec::TypeDef*> commitment_data_type(const codec::Metadata& md);

// The wait after `failures` failed attempts (1, 2, ...): the delay, doubling each time, at most
// 10x the delay (the 2.x service's rule for its weight and commitment retries).
std::chrono::milliseconds commitment_backoff(double delay_seconds, std::uint32_t failures);

}  // namespace pylon::rest::v1
