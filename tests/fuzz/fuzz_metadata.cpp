// Metadata parsing on arbitrary bytes: every input must give a Metadata or an error, never a
// crash, a hang or an unbounded allocation; the unwrapper's output goes through the parser too.
#include <cstddef>
#include <cstdint>

#include "codec/metadata.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const pylon::ByteSpan bytes(data, size);
  (void)pylon::codec::parse_metadata(bytes);
  auto raw = pylon::codec::unwrap_metadata_bytes(bytes);
  if (raw.ok()) (void)pylon::codec::parse_metadata(*raw);
  return 0;
}
