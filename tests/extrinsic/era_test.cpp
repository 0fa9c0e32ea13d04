#include "extrinsic/era.hpp"

#include <gtest/gtest.h>

namespace pylon::extrinsic {
namespace {

TEST(Era, ImmortalIsOneZeroByte) {
  EXPECT_EQ(Era::immortal().encode(), Bytes{0});
}

TEST(Era, MortalPacksPeriodAndPhase) {
  // period 64 (log2 6 -> 5 in the low nibble), phase 42: 5 | 42 << 4 = 0x02a5, little-endian.
  const Era e = Era::mortal_at(64, 42);
  EXPECT_EQ(e.period, 64u);
  EXPECT_EQ(e.phase, 42u);
  EXPECT_EQ(e.encode(), (Bytes{0xa5, 0x02}));
  // the checkpoint is taken modulo the period; periods round up to a power of two and clamp
  EXPECT_EQ(Era::mortal_at(64, 1000).phase, 1000u % 64);
  EXPECT_EQ(Era::mortal_at(50, 3).period, 64u);
  EXPECT_EQ(Era::mortal_at(1, 3).period, 4u);
  EXPECT_EQ(Era::mortal_at(1u << 20, 3).period, 65536u);
  // long periods quantize the phase (factor period >> 12)
  const Era q = Era::mortal_at(65536, 70000);
  EXPECT_EQ(q.phase % 16, 0u);
  // birth: the latest block <= current whose number is phase mod period
  EXPECT_EQ(e.birth(100), 42u);
  EXPECT_EQ(e.birth(110), 106u);
}

}  // namespace
}  // namespace pylon::extrinsic
