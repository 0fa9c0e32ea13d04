// GET /latest_block?after=N&timeout=S, the long-poll (rest/long_poll.hpp): a parked request is
// answered by the publish of a newer block, not by a timer; at its timeout it answers the current
// block; bad values are 400; the cap holds; stopping the server with parked polls closes them.
// The tests wait for the server's count of parked polls before they publish, never on a sleep.
#include "rest/long_poll.hpp"

#include <future>
#include <thread>

#include "rest_test_support.hpp"

namespace pylon::rest::test {
namespace {

using std::chrono::milliseconds;

std::string block_body(std::uint64_t b) {
  return "{\"block\":" + std::to_string(b) + "}";
}

std::string poll_target(std::uint64_t after, const std::string& timeout = "60") {
  return "/latest_block?after=" + std::to_string(after) + "&timeout=" + timeout;
}

// Until the server holds `n` parked polls. The deadline only keeps a broken server from hanging
// the test; a poll parks in microseconds.
void wait_parked(Harness& h, std::size_t n) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (h.server->long_polls_parked() != n && std::chrono::steady_clock::now() < deadline)
    std::this_thread::yield();
  ASSERT_EQ(h.server->long_polls_parked(), n);
}

std::future<HttpAnswer> poll_async(Harness& h, std::string target) {
  return std::async(std::launch::async,
                    [port = h.port(), target = std::move(target)] { return http(port, "GET", target); });
}

TEST(RestLongPoll, QueryParsing) {
  auto q = parse_long_poll_query("");
  ASSERT_TRUE(q.ok());
  EXPECT_FALSE(*q);
  q = parse_long_poll_query("block=3&x");
  ASSERT_TRUE(q.ok());
  EXPECT_FALSE(*q);  // other parameters: an ordinary request
  q = parse_long_poll_query("after=7");
  ASSERT_TRUE(q.ok() && *q);
  EXPECT_EQ((*q)->after, 7u);
  EXPECT_EQ((*q)->timeout, kDefaultLongPoll);
  const std::pair<const char*, milliseconds> good[] = {
      {"after=1&timeout=0", milliseconds(0)},
      {"timeout=0.25&after=1", milliseconds(250)},
      {"after=1&timeout=60", milliseconds(60000)},
      {"after=1&timeout=60.0000", milliseconds(60000)},
      {"after=1&timeout=1.23456789", milliseconds(1234)},
      {"after=1&timeout=00012", milliseconds(12000)},
  };
  for (const auto& [text, ms] : good) {
    auto g = parse_long_poll_query(text);
    ASSERT_TRUE(g.ok() && *g) << text;
    EXPECT_EQ((*g)->timeout, ms) << text;
  }
  const std::pair<const char*, const char*> bad[] = {
      {"timeout=5", "timeout needs after"},
      {"after=", "after must be"},
      {"after=-1", "after must be"},
      {"after=1x", "after must be"},
      {"after=9223372036854775808", "after is out of range"},
      {"after=1&after=2", "after is given twice"},
      {"after=1&timeout=1&timeout=2", "timeout is given twice"},
      {"after=1&timeout=", "timeout must be"},
      {"after=1&timeout=60.001", "timeout must be"},
      {"after=1&timeout=61", "timeout must be"},
      {"after=1&timeout=-1", "timeout must be"},
      {"after=1&timeout=1e3", "timeout must be"},
      {"after=1&timeout=.5", "timeout must be"},
      {"after=1&timeout=5.", "timeout must be"},
      {"after=1&timeout=inf", "timeout must be"},
      {"after=1&timeout=nan", "timeout must be"},
      {"after=1&timeout=1.0000000001", "timeout must be"},
      {"after=1&timeout=100000", "timeout must be"},
  };
  for (const auto& [text, message] : bad) {
    auto b = parse_long_poll_query(text);
    ASSERT_FALSE(b.ok()) << text;
    EXPECT_EQ(b.error().message.rfind(message, 0), 0u) << text << ": " << b.error().message;
  }
}

TEST(RestLongPoll, WithoutParametersTheAnswerIsTheSeedContractsAndBadValuesAre400) {
  PYLON_REST_REQUIRE_SHARED();
  Harness h({}, false);
  const HttpAnswer plain = h.get("/latest_block");
  EXPECT_EQ(plain.status, 200u);
  EXPECT_EQ(plain.body, block_body(kRecordedBlock));
  for (const char* same : {"/latest_block?", "/latest_block?block=1", "/latest_block?afterwards=1"}) {
    const HttpAnswer a = h.get(same);
    EXPECT_EQ(a.status, plain.status) << same;
    EXPECT_EQ(a.body, plain.body) << same;
    EXPECT_EQ(a.content_type, plain.content_type) << same;
  }
  for (const char* bad :
       {"/latest_block?after=x", "/latest_block?after=1&timeout=61", "/latest_block?timeout=1",
        "/latest_block?after=1&after=1", "/latest_block?after=1&timeout=-0.5"}) {
    const HttpAnswer a = h.get(bad);
    EXPECT_EQ(a.status, 400u) << bad;
    Json j(a.body);
    ASSERT_TRUE(j.ok) << a.body;
    EXPECT_EQ(j.root["error"].get_string().value_unsafe(), "bad_request") << bad;
  }
  EXPECT_EQ(h.server->long_polls_parked(), 0u);
}

TEST(RestLongPoll, AnswersAtOnceWhenTheBlockIsThereAndAtTheTimeoutWithTheCurrentOne) {
  PYLON_REST_REQUIRE_SHARED();
  Harness h({}, false);
  EXPECT_EQ(h.get(poll_target(kRecordedBlock - 1)).body, block_body(kRecordedBlock));  // not parked
  EXPECT_EQ(h.get(poll_target(kRecordedBlock, "0")).body, block_body(kRecordedBlock));
  const HttpAnswer timed_out = h.get(poll_target(kRecordedBlock, "0.05"));
  EXPECT_EQ(timed_out.status, 200u);
  EXPECT_EQ(timed_out.body, block_body(kRecordedBlock));  // not after `after`: the caller asks again
  EXPECT_EQ(h.server->long_polls_parked(), 0u);
}

TEST(RestLongPoll, ParkedRequestsAnswerRightAfterAPublishOfALaterBlock) {
  PYLON_REST_REQUIRE_SHARED();
  Harness h({}, false);  // two I/O loops: the polls sit on both, the timers on the first
  auto first = poll_async(h, poll_target(kRecordedBlock));
  auto second = poll_async(h, poll_target(kRecordedBlock));
  auto later = poll_async(h, poll_target(kRecordedBlock + 1));
  wait_parked(h, 3);
  // A timeout of 60 s and the test client's 5 s receive timeout: only the publish can answer them.
  h.snapshots.publish(at_block(*recorded(), kRecordedBlock + 1));
  EXPECT_EQ(first.get().body, block_body(kRecordedBlock + 1));
  EXPECT_EQ(second.get().body, block_body(kRecordedBlock + 1));
  wait_parked(h, 1);  // the block after +1 is not there yet
  h.snapshots.mark_stale("not a publish: wakes nobody");
  h.snapshots.publish(at_block(*recorded(), kRecordedBlock + 2));
  const HttpAnswer a = later.get();
  EXPECT_EQ(a.status, 200u);
  EXPECT_EQ(a.body, block_body(kRecordedBlock + 2));
  EXPECT_EQ(h.server->long_polls_parked(), 0u);
}

TEST(RestLongPoll, BeforeTheFirstSnapshotItWaitsForIt) {
  PYLON_REST_REQUIRE_SHARED();
  Harness h({}, false, /*publish=*/false);
  const HttpAnswer none = h.get(poll_target(0, "0.05"));
  EXPECT_EQ(none.status, 503u);  // at the timeout, still no snapshot: the ordinary 503
  auto waiting = poll_async(h, poll_target(0));
  wait_parked(h, 1);
  h.snapshots.publish(at_block(*recorded(), kRecordedBlock));
  EXPECT_EQ(waiting.get().body, block_body(kRecordedBlock));
}

TEST(RestLongPoll, TheCapHoldsAndFreesItsSlots) {
  PYLON_REST_REQUIRE_SHARED();
  RestOptions o;
  o.max_long_polls = 2;
  Harness h(o, false);
  auto a = poll_async(h, poll_target(kRecordedBlock));
  auto b = poll_async(h, poll_target(kRecordedBlock));
  wait_parked(h, 2);
  const HttpAnswer refused = h.get(poll_target(kRecordedBlock));
  EXPECT_EQ(refused.status, 503u);
  Json j(refused.body);
  ASSERT_TRUE(j.ok) << refused.body;
  EXPECT_EQ(j.root["error"].get_string().value_unsafe(), "unavailable");
  EXPECT_EQ(h.get("/latest_block").status, 200u);                  // ordinary reads are not capped
  EXPECT_EQ(h.get(poll_target(kRecordedBlock - 1)).status, 200u);  // nor answers due at once
  h.snapshots.publish(at_block(*recorded(), kRecordedBlock + 1));
  EXPECT_EQ(a.get().status, 200u);
  EXPECT_EQ(b.get().status, 200u);
  wait_parked(h, 0);
  // The slots are free again.
  auto c = poll_async(h, poll_target(kRecordedBlock + 1));
  auto d = poll_async(h, poll_target(kRecordedBlock + 1));
  wait_parked(h, 2);
  h.snapshots.publish(at_block(*recorded(), kRecordedBlock + 2));
  EXPECT_EQ(c.get().body, block_body(kRecordedBlock + 2));
  EXPECT_EQ(d.get().body, block_body(kRecordedBlock + 2));
}

TEST(RestLongPoll, StoppingTheServerClosesParkedPolls) {
  PYLON_REST_REQUIRE_SHARED();
  Harness h({}, false);
  HttpClient one(h.port()), two(h.port());
  one.send_raw("GET " + poll_target(kRecordedBlock) + " HTTP/1.1\r\nHost: x\r\n\r\n");
  two.send_raw("GET " + poll_target(kRecordedBlock) + " HTTP/1.1\r\nHost: x\r\n\r\n");
  wait_parked(h, 2);
  h.server->stop();  // returns: nothing waits for the polls' 60 s
  EXPECT_TRUE(one.closed_within(std::chrono::seconds(4)));
  EXPECT_TRUE(two.closed_within(std::chrono::seconds(4)));
  EXPECT_EQ(h.server->long_polls_parked(), 0u);
  // A publish after the stop wakes nothing and touches nothing of the stopped server.
  h.snapshots.publish(at_block(*recorded(), kRecordedBlock + 1));
}

}  // namespace
}  // namespace pylon::rest::test
