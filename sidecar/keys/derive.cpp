#include "keys/derive.hpp"

#include <sodium.h>

#include <charconv>
#include <cstring>

#include "keys/bip39.hpp"
#include "keys/hash.hpp"
#include "keys/merlin.hpp"

namespace pylon::keys {

namespace {

constexpr std::string_view kHdkdLabel = "SchnorrRistrettoHDKD";

// SCALE compact length prefix for a string of n bytes.
void append_compact(Bytes& out, std::uint64_t n) {
  if (n < (1u << 6)) {
    out.push_back(static_cast<std::uint8_t>(n << 2));
  } else if (n < (1u << 14)) {
    const auto v = static_cast<std::uint16_t>((n << 2) | 1);
    out.push_back(static_cast<std::uint8_t>(v));
    out.push_back(static_cast<std::uint8_t>(v >> 8));
  } else if (n < (1u << 30)) {
    const auto v = static_cast<std::uint32_t>((n << 2) | 2);
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
  } else {
    // Big-integer mode: (byte count - 4) << 2 | 3, then the minimal little-endian bytes.
    std::uint8_t le[8];
    int len = 0;
    for (std::uint64_t v = n; v; v >>= 8) le[len++] = static_cast<std::uint8_t>(v);
    out.push_back(static_cast<std::uint8_t>(((len - 4) << 2) | 3));
    out.insert(out.end(), le, le + len);
  }
}

// derive_scalar_and_chaincode: the transcript commits to chain code and public key, then
// yields the scalar tweak and the next chain code.
void hdkd_scalar_and_chain(Transcript& t, const ChainCode& cc, const PublicKey& pk, std::uint8_t scalar[32],
                           ChainCode& next) {
  t.append_message("chain-code", cc);
  t.append_message("public-key", pk);
  std::uint8_t wide[64];
  t.challenge_bytes("HDKD-scalar", wide);
  crypto_core_ristretto255_scalar_reduce(scalar, wide);
  sodium_memzero(wide, sizeof wide);
  t.challenge_bytes("HDKD-chaincode", next);
}

}  // namespace

DeriveJunction junction_from_code(std::string_view code, bool hard) {
  Bytes encoded;
  std::uint64_t number = 0;
  const auto [end, ec] = std::from_chars(code.data(), code.data() + code.size(), number);
  if (!code.empty() && ec == std::errc() && end == code.data() + code.size()) {
    for (int i = 0; i < 8; ++i) encoded.push_back(static_cast<std::uint8_t>(number >> (8 * i)));
  } else {
    append_compact(encoded, code.size());
    encoded.insert(encoded.end(), code.begin(), code.end());
  }
  DeriveJunction j;
  j.hard = hard;
  if (encoded.size() > 32) {
    j.chain_code = blake2b_256(encoded);
  } else {
    std::copy(encoded.begin(), encoded.end(), j.chain_code.begin());
  }
  return j;
}

Result<std::vector<DeriveJunction>> parse_derivation_path(std::string_view path) {
  std::vector<DeriveJunction> out;
  std::size_t i = 0;
  while (i < path.size()) {
    if (path[i] != '/') return Error{"derivation path: expected '/' at position " + std::to_string(i)};
    const bool hard = i + 1 < path.size() && path[i + 1] == '/';
    const std::size_t start = i + (hard ? 2 : 1);
    std::size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    if (end == start) return Error{"derivation path: empty junction at position " + std::to_string(i)};
    out.push_back(junction_from_code(path.substr(start, end - start), hard));
    i = end;
  }
  return out;
}

SecretBytes hard_derive_mini_secret(const Keypair& parent, const ChainCode& chain_code) {
  Transcript t(kHdkdLabel);
  t.append_message("sign-bytes", std::string_view());
  t.append_message("chain-code", chain_code);
  t.append_message("secret-key", parent.secret.scalar());
  SecretBytes mini(32);
  t.challenge_bytes("HDKD-hard", mini.mutable_span());
  return mini;
}

Keypair derive_hard(const Keypair& parent, const ChainCode& chain_code) {
  SecretBytes mini = hard_derive_mini_secret(parent, chain_code);
  // A 32-byte mini secret always expands (the scalar is canonical and non-zero w.h.p.).
  return std::move(keypair_from_mini_secret(mini.span())).value();
}

Keypair derive_soft(const Keypair& parent, const ChainCode& chain_code) {
  Transcript t(kHdkdLabel);
  t.append_message("sign-bytes", std::string_view());
  std::uint8_t tweak[32];
  ChainCode next{};
  hdkd_scalar_and_chain(t, chain_code, parent.public_key, tweak, next);
  // The new nonce is a witness over the old nonce and whole secret (schnorrkel's HDKD-nonce).
  const std::span<const std::uint8_t> witnesses[2] = {parent.secret.nonce(), parent.secret.bytes().span()};
  TranscriptRng rng = t.build_rng("HDKD-nonce", witnesses);
  SecretBytes bytes(64);
  crypto_core_ristretto255_scalar_add(bytes.data(), parent.secret.scalar().data(), tweak);
  rng.fill_bytes(bytes.mutable_span().subspan(32, 32));
  sodium_memzero(tweak, sizeof tweak);
  Keypair kp{SecretKey(std::move(bytes)), {}};
  // Sum of a canonical scalar and a reduced one is reduced; zero only with negligible odds.
  kp.public_key = public_from_scalar(kp.secret.scalar()).value();
  return kp;
}

Result<PublicKey> derive_soft_public(const PublicKey& parent, const ChainCode& chain_code) {
  if (!is_valid_public_key(parent))
    return Error{"derive: parent public key is not a valid ristretto255 point"};
  Transcript t(kHdkdLabel);
  t.append_message("sign-bytes", std::string_view());
  std::uint8_t tweak[32];
  ChainCode next{};
  hdkd_scalar_and_chain(t, chain_code, parent, tweak, next);
  std::uint8_t tweak_point[32];
  if (crypto_scalarmult_ristretto255_base(tweak_point, tweak) != 0) return Error{"derive: zero tweak"};
  PublicKey out{};
  crypto_core_ristretto255_add(out.data(), parent.data(), tweak_point);
  return out;
}

Keypair derive(const Keypair& root, const std::vector<DeriveJunction>& path) {
  Keypair cur = root.clone();
  for (const auto& j : path) cur = j.hard ? derive_hard(cur, j.chain_code) : derive_soft(cur, j.chain_code);
  return cur;
}

Result<UriKey> key_from_uri(std::string_view uri) {
  // Split: phrase = up to the first '/', password after the first "///", path in between.
  const std::size_t slash = uri.find('/');
  std::string_view phrase = uri.substr(0, slash == std::string_view::npos ? uri.size() : slash);
  std::string_view rest = slash == std::string_view::npos ? std::string_view() : uri.substr(slash);
  std::string_view password;
  bool has_password = false;
  if (const std::size_t pw = rest.find("///"); pw != std::string_view::npos) {
    password = rest.substr(pw + 3);
    rest = rest.substr(0, pw);
    has_password = true;
  }
  // Trim spaces around the phrase (the URI grammar allows them inside it).
  while (!phrase.empty() && phrase.front() == ' ') phrase.remove_prefix(1);
  while (!phrase.empty() && phrase.back() == ' ') phrase.remove_suffix(1);
  if (phrase.empty()) phrase = kDevPhrase;

  PYLON_ASSIGN(auto path, parse_derivation_path(rest));

  SecretBytes seed;
  if (phrase.size() >= 2 && phrase[0] == '0' && (phrase[1] == 'x' || phrase[1] == 'X')) {
    if (has_password) return Error{"secret uri: a password (///) only applies to a mnemonic, not a hex seed"};
    auto hex = from_hex(phrase);
    if (!hex.ok()) return Error{"secret uri: the hex seed is not valid hex"};
    seed = SecretBytes(hex->data(), hex->size());
    sodium_memzero(hex->data(), hex->size());
    if (seed.size() != 32)
      return Error{"secret uri: a hex seed must be 32 bytes, got " + std::to_string(seed.size())};
  } else {
    auto mini = mini_secret_from_mnemonic(phrase, password);
    if (!mini.ok()) return Error{"secret uri: " + mini.error().message};
    seed = std::move(mini).value();
  }
  auto root = keypair_from_mini_secret(seed.span());
  if (!root.ok()) return std::move(root).error();
  UriKey out{std::move(root).value(), std::move(seed)};
  for (const auto& j : path) {
    if (j.hard) {
      SecretBytes child_seed = hard_derive_mini_secret(out.keypair, j.chain_code);
      out.keypair = std::move(keypair_from_mini_secret(child_seed.span())).value();
      if (out.seed) out.seed = std::move(child_seed);
    } else {
      out.keypair = derive_soft(out.keypair, j.chain_code);
      out.seed.reset();
    }
  }
  return out;
}

Result<Keypair> keypair_from_uri(std::string_view uri) {
  PYLON_ASSIGN(UriKey k, key_from_uri(uri));
  return std::move(k.keypair);
}

}  // namespace pylon::keys
