// SS58 text rendered once per account. A metagraph names far fewer accounts than it has account
// fields (finney netuid 1: 1,097 distinct among 3,072 hotkeys, coldkeys and stake coldkeys), and
// base58 of 35 bytes is most of a typed decode's cost, so a snapshot's renderings share a book.
//
// Thread contract: none; one book per rendering thread (or per snapshot behind its own once).
#pragma once

#include <cstring>
#include <string>
#include <unordered_map>

#include "codec/ss58.hpp"

namespace pylon::codec {

class Ss58Book {
 public:
  explicit Ss58Book(std::uint16_t prefix = kBittensorSs58Prefix) : prefix_(prefix) {}

  // The account's SS58 text; the reference stays valid as long as the book does.
  const std::string& text(const AccountId& account) {
    auto [it, inserted] = texts_.try_emplace(account);
    if (inserted) it->second = ss58_encode(account, prefix_);
    return it->second;
  }
  std::size_t size() const noexcept { return texts_.size(); }

 private:
  std::uint16_t prefix_;
  std::unordered_map<AccountId, std::string> texts_;  // std::hash<AccountId>: common/ids.hpp
};

}  // namespace pylon::codec
