// Long-polls of GET /latest_block?after=N&timeout=S: a request parks until the snapshot store
// publishes a block after N, or until its timeout, without holding a thread. A client that wants
// the next block (pylon::Client::wait_for_block, pylon_shm over REST) then learns it as soon as
// the follower publishes it instead of asking again on a timer.
//
// Thread contract: park() and parked() may be called from any thread; stop() from any thread but
// the home loop's; drop_all() only on the home loop. Everything else (the parked requests, their
// timers, waking them) lives on the home loop's thread, so it needs no lock: park() and the
// store's listener only post there.
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string_view>

#include "common/result.hpp"
#include "follower/snapshot_store.hpp"

namespace pylon::rest {

// The longest a request may park (a longer `timeout` is 400), and how long it parks when it gives
// `after` without `timeout`. Below the 60 s idle timeout proxies and clients commonly use.
inline constexpr std::chrono::milliseconds kMaxLongPoll{60000};
inline constexpr std::chrono::milliseconds kDefaultLongPoll{30000};

struct LongPollQuery {
  std::uint64_t after = 0;
  std::chrono::milliseconds timeout = kDefaultLongPoll;
};

// The query's `after` (a block number) and `timeout` (seconds, decimal digits with an optional
// fraction, at most kMaxLongPoll; finer than a millisecond is cut). nullopt when the query has
// neither: the request is an ordinary one. A `timeout` without `after`, either one given twice
// or a value that does not parse is an error whose message names the parameter.
Result<std::optional<LongPollQuery>> parse_long_poll_query(std::string_view query);

class LongPolls {
 public:
  // Runs on the home loop, once: a block after the poll's `after` was published, or its timeout
  // passed. It reads the store itself to know which.
  using Wake = std::function<void()>;

  // `home` runs the timers and the wakes; at most `cap` requests park at once.
  LongPolls(boost::asio::io_context& home, follower::SnapshotStore& store, std::size_t cap);
  ~LongPolls();
  LongPolls(const LongPolls&) = delete;
  LongPolls& operator=(const LongPolls&) = delete;

  // Parks a request: `wake` runs on the home loop when a block after `after` is published (at
  // once when the latest already is) or after `timeout`. false, without calling `wake`, when
  // `cap` requests are parked already or the server is stopping: the caller answers itself.
  bool park(std::uint64_t after, std::chrono::milliseconds timeout, Wake wake);
  // Requests parked on the home loop now (not those still on their way there).
  std::size_t parked() const { return parked_now_.load(std::memory_order_acquire); }

  // No new parks; the store no longer wakes anything. Returns once the listener cannot run.
  void stop();
  // Forgets every parked request without waking it (its connection is being closed).
  void drop_all();

 private:
  struct Parked {
    std::uint64_t after = 0;
    std::unique_ptr<boost::asio::steady_timer> timer;
    Wake wake;
  };
  void add(std::uint64_t after, std::chrono::milliseconds timeout, Wake wake);           // home loop
  void expire(std::uint64_t id);                                                         // home loop
  void on_published();                                                                   // home loop
  void count_parked() { parked_now_.store(parked_.size(), std::memory_order_release); }  // home loop

  boost::asio::io_context& home_;
  follower::SnapshotStore& store_;
  const std::size_t cap_;
  std::atomic<std::size_t> count_{0};       // slots taken: parked, or posted to the home loop to park
  std::atomic<std::size_t> parked_now_{0};  // parked_.size(), for parked()
  std::atomic<bool> stopping_{false};
  follower::SnapshotStore::ListenerId listener_ = 0;
  std::atomic<bool> subscribed_{false};
  // Home loop only. By id, so a timer whose request was woken meanwhile finds nothing.
  std::map<std::uint64_t, Parked> parked_;
  std::uint64_t next_id_ = 0;
};

}  // namespace pylon::rest
