#include "rest/long_poll.hpp"

#include <boost/asio/post.hpp>
#include <string>
#include <utility>
#include <vector>

#include "rest/body.hpp"

namespace pylon::rest {

namespace asio = boost::asio;

namespace {

// Seconds as decimal digits with an optional fraction ("30", "0.25"), into milliseconds; at most
// kMaxLongPoll. No sign, exponent, "inf" or "nan": those are refused, not guessed at.
Result<std::chrono::milliseconds> parse_seconds(std::string_view text) {
  const std::string bad = "timeout must be a number of seconds from 0 to " +
                          std::to_string(kMaxLongPoll.count() / 1000) + " (digits, optionally a fraction)";
  const auto dot = text.find('.');
  const std::string_view whole = text.substr(0, dot);
  const std::string_view fraction = dot == std::string_view::npos ? std::string_view{} : text.substr(dot + 1);
  if (whole.empty() || whole.size() > 5 ||
      (dot != std::string_view::npos && (fraction.empty() || fraction.size() > 9)))
    return make_error(bad);
  std::uint64_t ms = 0;
  for (char c : whole) {
    if (c < '0' || c > '9') return make_error(bad);
    ms = ms * 10 + static_cast<std::uint64_t>(c - '0');
  }
  ms *= 1000;
  std::uint64_t scale = 100;
  for (char c : fraction) {
    if (c < '0' || c > '9') return make_error(bad);
    ms += static_cast<std::uint64_t>(c - '0') * scale;  // digits past the third add 0
    scale /= 10;
  }
  if (ms > static_cast<std::uint64_t>(kMaxLongPoll.count())) return make_error(bad);
  return std::chrono::milliseconds(static_cast<std::int64_t>(ms));
}

}  // namespace

Result<std::optional<LongPollQuery>> parse_long_poll_query(std::string_view query) {
  std::optional<std::string_view> after, timeout;
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view part = query.substr(0, amp);
    const auto eq = part.find('=');
    const std::string_view name = part.substr(0, eq);
    const std::string_view value = eq == std::string_view::npos ? std::string_view{} : part.substr(eq + 1);
    // Other parameters are ignored, as on every other endpoint.
    std::optional<std::string_view>* slot = name == "after" ? &after : name == "timeout" ? &timeout : nullptr;
    if (slot) {
      if (*slot) return make_error(std::string(name) + " is given twice");
      *slot = value;
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  if (!after && !timeout) return std::optional<LongPollQuery>{};
  if (!after) return make_error("timeout needs after (the block to wait past)");
  LongPollQuery q;
  PYLON_ASSIGN(q.after, parse_block_number(*after, "after"));
  if (timeout) {
    PYLON_ASSIGN(q.timeout, parse_seconds(*timeout));
  }
  return std::optional<LongPollQuery>(q);
}

LongPolls::LongPolls(asio::io_context& home, follower::SnapshotStore& store, std::size_t cap)
    : home_(home), store_(store), cap_(cap) {
  // Runs on the publishing thread: only a post, so the follower is never held up.
  listener_ = store_.subscribe(
      [this](const follower::SnapshotPtr&) { asio::post(home_, [this] { on_published(); }); });
  subscribed_ = true;
}

LongPolls::~LongPolls() {
  stop();
}

bool LongPolls::park(std::uint64_t after, std::chrono::milliseconds timeout, Wake wake) {
  if (stopping_.load(std::memory_order_acquire)) return false;
  if (count_.fetch_add(1, std::memory_order_acq_rel) >= cap_) {
    count_.fetch_sub(1, std::memory_order_acq_rel);
    return false;
  }
  asio::post(home_, [this, after, timeout, wake = std::move(wake)]() mutable {
    add(after, timeout, std::move(wake));
  });
  return true;
}

void LongPolls::stop() {
  stopping_.store(true, std::memory_order_release);
  if (subscribed_.exchange(false)) store_.unsubscribe(listener_);
}

void LongPolls::drop_all() {
  count_.fetch_sub(parked_.size(), std::memory_order_acq_rel);
  parked_.clear();  // each timer's destructor cancels its wait
  count_parked();
}

void LongPolls::add(std::uint64_t after, std::chrono::milliseconds timeout, Wake wake) {
  // A publish whose wake-up ran before this request reached the home loop has already set the
  // store's latest: checking it here is what makes that publish not missed.
  const follower::SnapshotPtr latest = store_.latest();
  if ((latest && latest->block > after) || stopping_.load(std::memory_order_acquire)) {
    count_.fetch_sub(1, std::memory_order_acq_rel);
    if (!stopping_.load(std::memory_order_acquire)) wake();
    return;
  }
  const std::uint64_t id = next_id_++;
  Parked p;
  p.after = after;
  p.timer = std::make_unique<asio::steady_timer>(home_, timeout);
  p.timer->async_wait([this, id](boost::system::error_code ec) {
    if (!ec) expire(id);  // cancelled (woken or dropped): nothing to do
  });
  p.wake = std::move(wake);
  parked_.emplace(id, std::move(p));
  count_parked();
}

void LongPolls::expire(std::uint64_t id) {
  auto it = parked_.find(id);
  if (it == parked_.end()) return;  // woken by a publish after the timer had already fired
  Wake wake = std::move(it->second.wake);
  parked_.erase(it);
  count_parked();
  count_.fetch_sub(1, std::memory_order_acq_rel);
  wake();
}

void LongPolls::on_published() {
  const follower::SnapshotPtr latest = store_.latest();
  if (!latest) return;
  // Take them all out first: a wake may answer inline, and must find the map consistent.
  std::vector<Wake> woken;
  for (auto it = parked_.begin(); it != parked_.end();) {
    if (it->second.after < latest->block) {
      woken.push_back(std::move(it->second.wake));
      it = parked_.erase(it);
    } else {
      ++it;
    }
  }
  count_parked();
  count_.fetch_sub(woken.size(), std::memory_order_acq_rel);
  for (Wake& w : woken) w();
}

}  // namespace pylon::rest
