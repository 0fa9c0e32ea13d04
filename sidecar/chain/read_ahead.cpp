// ChainClient's read-ahead (read_ahead.hpp): recording a build's requests, asking them all at once
// at the next block, and serving the answers to the reads that ask them.
#include "chain/read_ahead.hpp"

#include <unordered_set>

#include "chain/chain_client.hpp"

namespace pylon::chain {

namespace {

// The Recording alive on this thread, if any.
thread_local ChainClient::Recording* t_recording = nullptr;

std::string ahead_key(std::string_view method, std::string_view params) {
  std::string k;
  k.reserve(method.size() + 1 + params.size());
  k.append(method).push_back('\n');  // no method name holds a newline
  k.append(params);
  return k;
}

}  // namespace

ChainClient::Recording::Recording(ChainClient& client, ReadPattern& into, std::string hash_hex)
    : client_(client), into_(into), hash_hex_(std::move(hash_hex)), outer_(t_recording) {
  into_.clear();
  t_recording = this;
}

ChainClient::Recording::~Recording() {
  t_recording = outer_;
}

ChainClient::Recording ChainClient::record_reads(ReadPattern& into, const BlockRef& at) {
  return Recording(*this, into, hash_hex(at.hash));
}

void ChainClient::note_read(const std::string& method, const std::string& params) {
  Recording* r = t_recording;
  if (r == nullptr || &r->client_ != this) return;
  // The block hash is the last parameter of every state read; a request without this block's
  // hash (a block lookup by number, a nonce) is not bound to the block and is not read ahead.
  const std::size_t at = params.rfind(r->hash_hex_);
  if (at == std::string::npos) return;
  r->into_.calls_.push_back(
      ReadPattern::Call{method, params.substr(0, at), params.substr(at + r->hash_hex_.size())});
}

std::optional<std::string> ChainClient::take_ahead(const std::string& method, const std::string& params) {
  Lock lock(mu_);
  if (ahead_.empty()) return std::nullopt;
  auto it = ahead_.find(ahead_key(method, params));
  if (it == ahead_.end()) return std::nullopt;
  std::string answer = std::move(it->second);
  ahead_.erase(it);
  return answer;
}

std::size_t ChainClient::read_ahead(std::span<const ReadPattern* const> patterns, const BlockRef& at) {
  drop_read_ahead();
  if (routes_to_archive(at)) return 0;
  const std::string hash = hash_hex(at.hash);
  std::vector<net::CallSpec> calls;
  std::vector<std::string> keys;
  std::unordered_set<std::string> seen;  // a request two patterns share is asked once
  for (const ReadPattern* p : patterns) {
    if (p == nullptr) continue;
    for (const ReadPattern::Call& c : p->calls_) {
      std::string params = c.before_hash + hash + c.after_hash;
      std::string key = ahead_key(c.method, params);
      if (!seen.insert(key).second) continue;
      keys.push_back(std::move(key));
      calls.push_back(net::CallSpec{c.method, std::move(params)});
    }
  }
  if (calls.empty()) return 0;
  std::vector<Result<std::string>> answers = rpc_.call_all(std::move(calls));
  Lock lock(mu_);
  for (std::size_t i = 0; i < answers.size() && i < keys.size(); ++i)
    if (answers[i].ok()) ahead_.insert_or_assign(std::move(keys[i]), std::move(answers[i]).value());
  return ahead_.size();
}

void ChainClient::drop_read_ahead() {
  Lock lock(mu_);
  ahead_.clear();
}

}  // namespace pylon::chain
