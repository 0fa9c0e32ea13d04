// The request deadline of /api/v1 reads that go to the chain (pylon-v1.md §4: 504 `Request
// timed out` once X-Pylon-Timeout, or the default, has passed). Such a read runs on a worker and
// answers through its Reply whenever the node does; bounded() wraps that Reply so that whichever
// comes first, the answer or the deadline, is the one the client gets, exactly once:
//   - the deadline first: 504 now; the late answer is dropped when it comes (the read itself is
//     not cut short: an on-demand snapshot build still completes and is kept for the next
//     request);
//   - the answer first: it goes out and its deadline is taken off the timer's queue.
// The connection is never touched here: the wrapped Reply is the session's own, which holds the
// session weakly and writes nothing to a connection that has gone.
//
// Thread contract: one timer thread, started by the constructor and joined by stop() (or the
// destructor); bounded() and the Replies it makes may be called from any thread. A deadline's
// 504 is sent from the timer thread (the session's Reply posts it to the connection's I/O
// thread). After stop() no 504 is sent: a pending read answers with its own result.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <thread>

#include "rest/http_types.hpp"

namespace pylon::rest::v1 {

class Deadlines {
 public:
  Deadlines();
  ~Deadlines();
  Deadlines(const Deadlines&) = delete;
  Deadlines& operator=(const Deadlines&) = delete;

  // `reply`, answered with 504 `Request timed out` if nothing has answered it `seconds` from now.
  Reply bounded(Reply reply, double seconds);
  // Ends the timer thread; pending deadlines never fire. Idempotent.
  void stop();
  // Deadlines waiting now (tests).
  std::size_t pending() const;

 private:
  struct Once;      // the wrapped Reply and whether it has been answered
  struct Registry;  // the deadlines by time, shared with the Replies (which may outlive this)
  void run();

  std::shared_ptr<Registry> reg_;
  std::thread thread_;
};

}  // namespace pylon::rest::v1
