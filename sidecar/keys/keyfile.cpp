#include "keys/keyfile.hpp"

#include <simdjson.h>
#include <sodium.h>

#include <cstring>

#include "codec/ss58.hpp"
#include "common/json_writer.hpp"
#include "keys/bip39.hpp"

namespace pylon::keys {

namespace {

enum class Field { kPublicKey, kAccountId, kSs58, kSeed, kPrivateKey, kPhrase, kUnknown };

Field field_of(std::string_view key) {
  if (key == "publicKey") return Field::kPublicKey;
  if (key == "accountId") return Field::kAccountId;
  if (key == "ss58Address") return Field::kSs58;
  if (key == "secretSeed") return Field::kSeed;
  if (key == "privateKey") return Field::kPrivateKey;
  if (key == "secretPhrase") return Field::kPhrase;
  return Field::kUnknown;
}

// The characters between the quotes of a raw JSON string token, read in place in the caller's
// (wiped) buffer so secret values are never copied by the parser. Keyfile values are hex or
// words, so an escape sequence is refused rather than decoded.
Result<std::string_view> string_token(simdjson::ondemand::value& value, std::string_view name) {
  std::string_view tok = value.raw_json_token();
  while (!tok.empty() &&
         (tok.back() == ' ' || tok.back() == '\n' || tok.back() == '\r' || tok.back() == '\t')) {
    tok.remove_suffix(1);
  }
  if (tok.size() < 2 || tok.front() != '"' || tok.back() != '"') {
    return Error{"keyfile: \"" + std::string(name) + "\" must be a string"};
  }
  tok = tok.substr(1, tok.size() - 2);
  if (tok.find('\\') != std::string_view::npos) {
    return Error{"keyfile: \"" + std::string(name) + "\" contains an escape sequence"};
  }
  return tok;
}

// Hex of an exact length into secret storage; the message names the field only.
Result<SecretBytes> secret_hex(std::string_view text, std::size_t len, std::string_view name) {
  if (text.size() >= 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) text.remove_prefix(2);
  if (text.size() != 2 * len) {
    return Error{"keyfile: \"" + std::string(name) + "\" must be " + std::to_string(len) + " bytes of hex"};
  }
  SecretBytes out(len);
  std::size_t bin_len = 0;
  if (sodium_hex2bin(out.data(), len, text.data(), text.size(), nullptr, &bin_len, nullptr) != 0 ||
      bin_len != len) {
    return Error{"keyfile: \"" + std::string(name) + "\" is not valid hex"};
  }
  return out;
}

Result<PublicKey> public_hex(std::string_view text, std::string_view name) {
  PYLON_ASSIGN(SecretBytes b, secret_hex(text, 32, name));
  PublicKey pk{};
  std::memcpy(pk.data(), b.data(), 32);
  return pk;
}

Status store(KeyfileContents& out, Field f, std::string_view text, std::string_view name) {
  switch (f) {
    case Field::kPublicKey: {
      PYLON_ASSIGN(out.public_key, public_hex(text, name));
      break;
    }
    case Field::kAccountId: {
      PYLON_ASSIGN(out.account_id, public_hex(text, name));
      break;
    }
    case Field::kSs58:
      out.ss58_address = std::string(text);
      break;
    case Field::kSeed: {
      PYLON_ASSIGN(out.secret_seed, secret_hex(text, 32, name));
      break;
    }
    case Field::kPrivateKey: {
      PYLON_ASSIGN(out.private_key, secret_hex(text, 64, name));
      break;
    }
    case Field::kPhrase:
      out.secret_phrase.emplace(text);
      break;
    case Field::kUnknown:
      break;
  }
  return {};
}

}  // namespace

Result<KeyfileContents> parse_keyfile_json(ByteSpan json) {
  if (json.empty()) return Error{"keyfile: empty file"};
  if (json.size() > (1u << 20)) return Error{"keyfile: larger than 1 MiB, not a keyfile"};
  // simdjson reads up to SIMDJSON_PADDING bytes past the end: parse from a padded, wiped copy.
  SecretBytes buf(json.size() + simdjson::SIMDJSON_PADDING);
  std::memcpy(buf.data(), json.data(), json.size());
  simdjson::ondemand::parser parser;
  simdjson::ondemand::document doc;
  if (parser.iterate(buf.data(), json.size(), buf.size()).get(doc)) return Error{"keyfile: not valid JSON"};
  simdjson::ondemand::object obj;
  if (doc.get_object().get(obj)) return Error{"keyfile: not a JSON object (malformed or truncated)"};

  KeyfileContents out;
  bool seen[6] = {};
  for (auto field_result : obj) {
    simdjson::ondemand::field field;
    if (std::move(field_result).get(field)) return Error{"keyfile: malformed or truncated JSON object"};
    std::string_view key;
    if (field.unescaped_key().get(key)) return Error{"keyfile: malformed field name"};
    const Field f = field_of(key);
    const std::string name(key);
    simdjson::ondemand::value value = field.value();
    if (f == Field::kUnknown) continue;  // skipped by the iterator
    if (seen[static_cast<int>(f)]) return Error{"keyfile: duplicate field \"" + name + "\""};
    seen[static_cast<int>(f)] = true;
    simdjson::ondemand::json_type type;
    if (value.type().get(type)) return Error{"keyfile: malformed value of \"" + name + "\""};
    if (type == simdjson::ondemand::json_type::null) {
      bool is_null = false;
      if (value.is_null().get(is_null) || !is_null)
        return Error{"keyfile: malformed value of \"" + name + "\""};
      continue;
    }
    if (type != simdjson::ondemand::json_type::string)
      return Error{"keyfile: \"" + name + "\" must be a string"};
    PYLON_ASSIGN(std::string_view text, string_token(value, name));
    PYLON_TRY(store(out, f, text, name));
  }
  // Anything after the closing brace: current_location() only fails once all input is consumed.
  const char* rest = nullptr;
  if (doc.current_location().get(rest) == simdjson::SUCCESS) {
    return Error{"keyfile: unexpected content after the JSON object"};
  }
  return out;
}

Result<PublicInfo> keyfile_public_info(const KeyfileContents& c) {
  if (!c.public_key && !c.account_id) return Error{"keyfile: has neither \"publicKey\" nor \"accountId\""};
  if (c.public_key && c.account_id && *c.public_key != *c.account_id) {
    return Error{"keyfile: \"publicKey\" and \"accountId\" differ"};
  }
  PublicInfo info;
  info.public_key = c.public_key ? *c.public_key : *c.account_id;
  info.ss58_address = codec::ss58_encode(info.public_key);
  if (!c.ss58_address.empty()) {
    auto decoded = codec::ss58_decode(c.ss58_address);
    if (!decoded.ok()) return Error{"keyfile: \"ss58Address\" is invalid: " + decoded.error().message};
    if (decoded->account != AccountId(info.public_key))
      return Error{"keyfile: \"ss58Address\" names another account than \"publicKey\""};
    info.ss58_address = c.ss58_address;
  }
  return info;
}

namespace {
// privateKey in either form schnorrkel/polkadot-js write it, chosen by which one matches.
Result<Keypair> keypair_from_private_key(const SecretBytes& private_key, const PublicKey& expected) {
  auto canonical = keypair_from_secret_bytes(private_key.span());
  if (canonical.ok() && canonical->public_key == expected) return canonical;
  auto ed_form = keypair_from_ed25519_secret_bytes(private_key.span());
  if (ed_form.ok() && ed_form->public_key == expected) return ed_form;
  return Error{"mismatch"};
}
}  // namespace

Result<Keypair> keyfile_keypair(const KeyfileContents& c) {
  PYLON_ASSIGN(PublicInfo info, keyfile_public_info(c));
  const std::string refusing =
      " gives another public key than " + info.ss58_address + "; refusing the keyfile";
  // A privateKey that is present must belong to the file's account, whatever else is there:
  // a disagreeing one means a damaged or tampered file.
  std::optional<Keypair> from_private;
  if (c.private_key) {
    auto kp = keypair_from_private_key(*c.private_key, info.public_key);
    if (!kp.ok()) return Error{"keyfile: \"privateKey\"" + refusing};
    from_private = std::move(kp).value();
  }
  if (c.secret_seed) {
    PYLON_ASSIGN(Keypair kp, keypair_from_mini_secret(c.secret_seed->span()));
    if (kp.public_key != info.public_key) return Error{"keyfile: \"secretSeed\"" + refusing};
    return kp;
  }
  if (from_private) return std::move(*from_private);
  if (c.secret_phrase) {
    // Neither seed nor private key: the mnemonic is the remaining source (as bittensor does).
    PYLON_ASSIGN(SecretBytes seed, mini_secret_from_mnemonic(c.secret_phrase->view()));
    PYLON_ASSIGN(Keypair kp, keypair_from_mini_secret(seed.span()));
    if (kp.public_key != info.public_key) return Error{"keyfile: \"secretPhrase\"" + refusing};
    return kp;
  }
  return Error{
      "keyfile: has no secret (\"secretSeed\", \"privateKey\" or \"secretPhrase\"); is this a public-only "
      "file?"};
}

namespace {
// Appends `"name":"0x…"` or `"name":null`.
void put_hex(std::string& out, std::string_view name, const std::uint8_t* data, std::size_t len,
             bool first = false) {
  if (!first) out += ',';
  append_json_string(out, name);
  out += ':';
  if (!data) {
    out += "null";
    return;
  }
  out += '"';
  append_hex(out, ByteSpan(data, len));
  out += '"';
}
}  // namespace

SecretBytes keyfile_json(const Keypair& kp, const SecretString* phrase, const SecretBytes* seed) {
  // Reserved once, big enough for every field, so no reallocation leaves secret copies behind.
  std::string out;
  out.reserve(1024 + (phrase ? phrase->size() * 2 : 0));
  const std::string ss58 = codec::ss58_encode(kp.public_key);
  out += '{';
  put_hex(out, "accountId", kp.public_key.data(), 32, true);
  put_hex(out, "publicKey", kp.public_key.data(), 32);
  put_hex(out, "privateKey", kp.secret.bytes().data(), 64);
  out += ",\"secretPhrase\":";
  if (phrase) {
    append_json_string(out, phrase->view());
  } else {
    out += "null";
  }
  put_hex(out, "secretSeed", seed ? seed->data() : nullptr, 32);
  out += ",\"ss58Address\":";
  append_json_string(out, ss58);
  out += '}';
  SecretBytes text(reinterpret_cast<const std::uint8_t*>(out.data()), out.size());
  sodium_memzero(out.data(), out.size());
  return text;
}

std::string public_keyfile_json(const PublicKey& public_key) {
  JsonWriter w;
  w.begin_object();
  w.key("accountId");
  w.string(to_hex(public_key));
  w.key("publicKey");
  w.string(to_hex(public_key));
  w.key("ss58Address");
  w.string(codec::ss58_encode(public_key));
  w.end_object();
  return w.take();
}

}  // namespace pylon::keys
