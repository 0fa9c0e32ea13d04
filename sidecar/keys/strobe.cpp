#include "keys/strobe.hpp"

#include <sodium.h>

#include "keys/keccak.hpp"

namespace pylon::keys {

Strobe128::Strobe128(std::span<const std::uint8_t> protocol_label) {
  // Domain header from the STROBE spec: [1, R+2, 1, 0, 1, 12*8] then "STROBEv1.0.2".
  const std::uint8_t header[6] = {1, kRate + 2, 1, 0, 1, 96};
  static constexpr char kVersion[] = "STROBEv1.0.2";
  for (int i = 0; i < 6; ++i) state_[i] = header[i];
  for (int i = 0; i < 12; ++i) state_[6 + i] = static_cast<std::uint8_t>(kVersion[i]);
  keccak_f1600_bytes(state_);
  meta_ad(protocol_label, false);
}

// The state is keyed material once KEY ran (merlin's witness rng), so it is wiped.
Strobe128::~Strobe128() {
  sodium_memzero(state_.data(), state_.size());
}

void Strobe128::run_f() {
  state_[pos_] ^= pos_begin_;
  state_[pos_ + 1] ^= 0x04;
  state_[kRate + 1] ^= 0x80;
  keccak_f1600_bytes(state_);
  pos_ = 0;
  pos_begin_ = 0;
}

void Strobe128::absorb(std::span<const std::uint8_t> data) {
  for (std::uint8_t byte : data) {
    state_[pos_] ^= byte;
    if (++pos_ == kRate) run_f();
  }
}

void Strobe128::overwrite(std::span<const std::uint8_t> data) {
  for (std::uint8_t byte : data) {
    state_[pos_] = byte;
    if (++pos_ == kRate) run_f();
  }
}

void Strobe128::squeeze(std::span<std::uint8_t> out) {
  for (std::uint8_t& byte : out) {
    byte = state_[pos_];
    state_[pos_] = 0;
    if (++pos_ == kRate) run_f();
  }
}

void Strobe128::begin_op(std::uint8_t flags, bool more) {
  // A continued operation must keep its flags; merlin only continues meta-AD, so a mismatch is
  // a programming error and is ignored by design (the callers below always pass matching flags).
  if (more) return;
  const std::uint8_t old_begin = pos_begin_;
  pos_begin_ = static_cast<std::uint8_t>(pos_ + 1);
  cur_flags_ = flags;
  const std::uint8_t frame[2] = {old_begin, flags};
  absorb(frame);
  // Operations that use the cipher (C) or key (K) start on a fresh block.
  const bool force_f = (flags & (C | K)) != 0;
  if (force_f && pos_ != 0) run_f();
}

void Strobe128::meta_ad(std::span<const std::uint8_t> data, bool more) {
  begin_op(M | A, more);
  absorb(data);
}

void Strobe128::ad(std::span<const std::uint8_t> data, bool more) {
  begin_op(A, more);
  absorb(data);
}

void Strobe128::prf(std::span<std::uint8_t> out, bool more) {
  begin_op(I | A | C, more);
  squeeze(out);
}

void Strobe128::key(std::span<const std::uint8_t> data, bool more) {
  begin_op(A | C, more);
  overwrite(data);
}

}  // namespace pylon::keys
