// Corrupt segments (bad magic, truncated, garbage geometry and indices, random bytes) must give a
// clear error from the client and never a crash or an out-of-bounds read (ASan tree checks the
// latter). Client headers only (also compiled as C++17).
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "shm_test_util.hpp"

namespace pylon::shm {
namespace {

// A valid snapshot segment image in private, 8-byte aligned memory.
struct Image {
  Image() : geo(snapshot_geometry(2, 64, 8, 512, 1, 5, 3)), words(geo.segment_size / 8) {
    format_snapshot_segment(bytes(), geo, 1);
    test::TestPublisher pub(bytes(), geo, 64, 3);
    pub.publish(40);
  }
  unsigned char* bytes() { return reinterpret_cast<unsigned char*>(words.data()); }
  SnapshotSegmentHeader* header() { return reinterpret_cast<SnapshotSegmentHeader*>(bytes()); }
  unsigned char* current_slot() { return slot_base(bytes(), geo, header()->current_slot); }
  SnapshotMeta* meta() { return reinterpret_cast<SnapshotMeta*>(current_slot() + geo.meta_offset); }
  ShmStatus copy(std::size_t size = 0) {
    ShmResult<SnapshotReader> r = SnapshotReader::attach(bytes(), size ? size : geo.segment_size);
    if (!r) return r.error();
    Snapshot s;
    return r->copy(s);
  }
  SnapshotSegmentHeader geo;
  std::vector<std::uint64_t> words;
};

std::string msg(const ShmStatus& s) {
  return s.message();
}

TEST(ShmCorrupt, ValidImageReads) {
  Image img;
  EXPECT_TRUE(img.copy().ok()) << msg(img.copy());
}

TEST(ShmCorrupt, BadMagic) {
  Image img;
  img.header()->magic = 0x1234;
  ShmStatus s = img.copy();
  EXPECT_EQ(s.code(), Errc::bad_magic);
  EXPECT_NE(msg(s).find("not a Pylon snapshot segment"), std::string::npos) << msg(s);
}

TEST(ShmCorrupt, TruncatedBelowHeaderAndBelowSegmentSize) {
  Image img;
  EXPECT_EQ(img.copy(100).code(), Errc::truncated);
  ShmStatus s = img.copy(img.geo.segment_size - 64);
  EXPECT_EQ(s.code(), Errc::truncated);
  EXPECT_NE(msg(s).find("claims"), std::string::npos) << msg(s);
}

TEST(ShmCorrupt, GarbageGeometry) {
  {
    Image img;
    img.header()->slot_count = 0;
    EXPECT_EQ(img.copy().code(), Errc::corrupt);
  }
  {
    Image img;
    img.header()->slot_count = 3;  // slots would run past the segment
    EXPECT_EQ(img.copy().code(), Errc::corrupt);
  }
  {
    Image img;
    img.header()->neurons_offset = 8;  // overlaps the slot header and meta
    EXPECT_EQ(img.copy().code(), Errc::corrupt);
  }
  {
    Image img;
    img.header()->commitment_data_offset = img.geo.slot_size - 8;  // data area leaves the slot
    EXPECT_EQ(img.copy().code(), Errc::corrupt);
  }
  {
    Image img;
    img.header()->neuron_capacity = 1u << 30;
    EXPECT_EQ(img.copy().code(), Errc::corrupt);
  }
  {
    Image img;
    img.header()->header_size = 12;
    EXPECT_EQ(img.copy().code(), Errc::corrupt);
  }
}

TEST(ShmCorrupt, GarbageMechanismGeometry) {
  auto refused = [](const char* why, auto&& spoil, const char* needle) {
    Image img;
    spoil(*img.header(), img.geo);
    ShmStatus s = img.copy();
    EXPECT_EQ(s.code(), Errc::corrupt) << why;
    EXPECT_NE(msg(s).find(needle), std::string::npos) << why << ": " << msg(s);
  };
  using H = SnapshotSegmentHeader;
  refused(
      "no mechanism", [](H& h, const H&) { h.mechanism_capacity = 0; }, "mechanism capacity 0");
  refused(
      "more than the ids", [](H& h, const H&) { h.mechanism_capacity = kMaxMechanisms + 1; }, "capacity 257");
  refused(
      "record size", [](H& h, const H&) { h.mechanism_record_size = 16; }, "record sizes");
  refused(
      "records over the commitment data",
      [](H& h, const H& g) { h.mechanisms_offset = g.commitment_data_offset + 8; }, "overlap");
  refused(
      "columns over the records",
      [](H& h, const H& g) { h.mechanism_last_update_offset = g.mechanisms_offset; }, "overlap");
  refused(
      "incentive columns leave the slot",
      [](H& h, const H& g) { h.mechanism_incentives_offset = g.slot_size - 64; }, "overlap");
  refused(
      "room claimed for more mechanisms than the slot holds",
      [](H& h, const H&) { h.mechanism_capacity = 40; }, "overlap");
}

TEST(ShmCorrupt, GarbageIndices) {
  {
    Image img;
    img.header()->current_slot = 7;
    ShmStatus s = img.copy();
    EXPECT_EQ(s.code(), Errc::corrupt);
    EXPECT_NE(msg(s).find("current_slot 7"), std::string::npos) << msg(s);
  }
  {
    Image img;
    img.meta()->neuron_count = 65;  // capacity is 64
    ShmStatus s = img.copy();
    EXPECT_EQ(s.code(), Errc::corrupt);
    EXPECT_NE(msg(s).find("exceed capacity"), std::string::npos) << msg(s);
  }
  {
    Image img;
    img.meta()->mechanism_count = 4;  // capacity is 3
    ShmStatus s = img.copy();
    EXPECT_EQ(s.code(), Errc::corrupt);
    EXPECT_NE(msg(s).find("mechanisms 4) exceed capacity"), std::string::npos) << msg(s);
  }
  {
    Image img;
    auto* index = reinterpret_cast<std::uint16_t*>(img.current_slot() + img.geo.hotkey_index_offset);
    index[3] = 60000;
    ShmStatus s = img.copy();
    EXPECT_EQ(s.code(), Errc::corrupt);
    EXPECT_NE(msg(s).find("hotkey index"), std::string::npos) << msg(s);
  }
  {
    Image img;
    auto* c = reinterpret_cast<CommitmentRecord*>(img.current_slot() + img.geo.commitments_offset);
    c[0].data_offset = 400;
    ShmStatus s = img.copy();
    EXPECT_EQ(s.code(), Errc::corrupt);
    EXPECT_NE(msg(s).find("outside"), std::string::npos) << msg(s);
  }
  {
    Image img;  // index garbage must not make in-place lookups read out of bounds
    auto* index = reinterpret_cast<std::uint16_t*>(img.current_slot() + img.geo.hotkey_index_offset);
    for (int i = 0; i < 64; ++i) index[i] = 65535;
    ShmResult<SnapshotReader> r = SnapshotReader::attach(img.bytes(), img.geo.segment_size);
    ASSERT_TRUE(r.ok());
    std::uint8_t hk[32] = {};
    EXPECT_EQ(r->neuron_by_hotkey(hk).code(), Errc::no_such_neuron);
  }
  {
    Image img;  // a slot stuck "being written" (writer died mid-publish): busy, not a hang
    auto* seq = reinterpret_cast<std::uint64_t*>(img.current_slot());
    *seq |= 1;
    ReaderOptions o;
    o.max_attempts = 1000;
    ShmResult<SnapshotReader> r = SnapshotReader::attach(img.bytes(), img.geo.segment_size, o);
    ASSERT_TRUE(r.ok());
    Snapshot s;
    EXPECT_EQ(r->copy(s).code(), Errc::busy);
  }
}

TEST(ShmCorrupt, RandomBytesNeverCrash) {
  std::mt19937_64 rng(12345);
  Image good;
  std::size_t n = good.words.size();
  int errors = 0;
  for (int iter = 0; iter < 3000; ++iter) {
    std::vector<std::uint64_t> buf = good.words;
    // Flip random words, mostly in the header and the current slot's meta/index.
    int flips = 1 + static_cast<int>(rng() % 8);
    for (int k = 0; k < flips; ++k) {
      std::size_t w = (rng() % 4 == 0) ? rng() % n : rng() % 96;
      buf[w] = rng() % 3 == 0 ? rng() : buf[w] ^ (1ULL << (rng() % 64));
    }
    ShmResult<SnapshotReader> r =
        SnapshotReader::attach(buf.data(), (rng() % 8 == 0) ? rng() % (n * 8) : n * 8);
    if (!r) {
      ++errors;
      EXPECT_NE(r.message()[0], '\0');
      continue;
    }
    Snapshot s;
    ShmStatus st = r->copy(s);
    if (!st) {
      ++errors;
      EXPECT_NE(st.message()[0], '\0');
    }
    std::uint8_t hk[32] = {};
    (void)r->neuron_by_hotkey(hk);
    (void)r->neuron_by_uid(3);
  }
  EXPECT_GT(errors, 0);
}

TEST(ShmCorrupt, QueueHeaderChecks) {
  QueueSegmentHeader g = queue_geometry(2, 8, 1000, 1, 1);
  test::QueueImages img(g);
  unsigned char* base = img.base();
  auto attach = [&](std::size_t qsize, std::size_t asize) {
    return WeightProducer::attach(base, qsize, img.ack_base(), asize).code();
  };
  const std::size_t as = img.ack_geo.segment_size;
  auto* h = reinterpret_cast<QueueSegmentHeader*>(base);
  {
    ShmResult<WeightProducer> p = img.attach();
    ASSERT_TRUE(p.ok()) << p.message();
  }
  h->ring_capacity = 6;  // not a power of two
  EXPECT_EQ(attach(g.segment_size, as), Errc::corrupt);
  h->ring_capacity = 8;
  EXPECT_EQ(attach(g.segment_size - 64, as), Errc::truncated);
  EXPECT_EQ(attach(100, as), Errc::truncated);
  EXPECT_EQ(attach(g.segment_size, 100), Errc::truncated);
  EXPECT_EQ(attach(g.segment_size, as - 64), Errc::corrupt);
  // Segments of the earlier queue ABIs (2: entries without a mechanism; 1: one segment): refused
  // with both versions named.
  static_assert(kQueueAbiVersion == 3);
  for (std::uint32_t old : {1u, 2u}) {
    h->abi_version = old;
    ShmResult<WeightProducer> abi = img.attach();
    EXPECT_EQ(abi.code(), Errc::abi_mismatch);
    const std::string want = "weight-queue segment has ABI version " + std::to_string(old) +
                             " but this client speaks ABI version 3";
    EXPECT_NE(std::string(abi.message()).find(want), std::string::npos) << abi.message();
  }
  h->abi_version = kQueueAbiVersion;
  // A v2 client (its open() runs this same check with its own constant, 2) opening this v3 queue.
  ShmStatus v2 = detail::check_identity(h->magic, kQueueMagic, "weight-queue", h->abi_version, 2);
  EXPECT_EQ(v2.code(), Errc::abi_mismatch);
  EXPECT_NE(std::string(v2.message()).find("ABI version 3 but this client speaks ABI version 2"),
            std::string::npos)
      << v2.message();
  img.ack_header()->generation = g.generation + 1;  // the ack segment of another queue
  EXPECT_EQ(img.attach().code(), Errc::retired);
  img.ack_header()->generation = g.generation;
  img.ack_header()->magic = kQueueMagic;
  EXPECT_EQ(img.attach().code(), Errc::bad_magic);
  img.ack_header()->magic = kAckMagic;
  h->magic = 0;
  EXPECT_EQ(img.attach().code(), Errc::bad_magic);
}

TEST(ShmCorrupt, GarbagePositionsAreNotWrittenInto) {
  QueueSegmentHeader g = queue_geometry(2, 8, 1000, 1, 1);
  test::QueueImages img(g);
  unsigned char* base = img.base();
  for (std::uint32_t i = 0; i < 2; ++i) {
    ProducerSlotControl* c = producer_control(base, g, i);
    c->head = 5;
    img.ack_of(i)->durable = 900;  // durable beyond head: garbage
  }
  ShmResult<WeightProducer> p = img.attach();
  EXPECT_EQ(p.code(), Errc::corrupt);
  // Nothing but the (released) lease words changed.
  for (std::uint32_t i = 0; i < 2; ++i) {
    ProducerSlotControl* c = producer_control(base, g, i);
    EXPECT_FALSE(lease_held(c->lease));
    EXPECT_EQ(c->head, 5u);
    const auto* ring = ring_entries(c);
    for (std::uint32_t k = 0; k < 8; ++k) EXPECT_EQ(ring[k].stamp, 0u);
  }
  // The drain side skips such a slot too.
  test::ProtocolDrainer d = img.drainer();
  EXPECT_EQ(d.drain([](std::uint32_t, std::uint64_t, const WeightEntry&) {}), 0u);
}

}  // namespace
}  // namespace pylon::shm
