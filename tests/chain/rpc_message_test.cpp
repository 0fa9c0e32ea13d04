#include "net/rpc_message.hpp"

#include <gtest/gtest.h>

#include "net/rpc_transport.hpp"

namespace pylon::net {
namespace {

using Kind = IncomingMessage::Kind;

TEST(RpcMessage, ResponseWithObjectResultKeepsRawJson) {
  RpcMessageParser p;
  auto m = p.parse(R"({"jsonrpc":"2.0","result":{"specVersion":293,"apis":[["0x1",1]]},"id":7})");
  ASSERT_TRUE(m.ok()) << m.error().message;
  EXPECT_EQ(m->kind, Kind::kResponse);
  ASSERT_TRUE(m->id);
  EXPECT_EQ(*m->id, 7u);
  EXPECT_FALSE(m->error);
  EXPECT_EQ(m->result_json, R"({"specVersion":293,"apis":[["0x1",1]]})");
}

TEST(RpcMessage, ScalarResultsWithWhitespace) {
  RpcMessageParser p;
  auto m = p.parse("{ \"id\" : 1 , \"result\" : \"0xabc\" \n}");
  ASSERT_TRUE(m.ok()) << m.error().message;
  EXPECT_EQ(m->result_json, "\"0xabc\"");
  m = p.parse(R"({"id":2,"result":null})");
  ASSERT_TRUE(m.ok()) << m.error().message;
  EXPECT_EQ(m->result_json, "null");
  m = p.parse(R"({"id":3,"result":true})");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->result_json, "true");
}

TEST(RpcMessage, ErrorResponse) {
  RpcMessageParser p;
  auto m = p.parse(
      R"({"jsonrpc":"2.0","error":{"code":-32601,"message":"Method not found","data":{"x":1}},"id":3})");
  ASSERT_TRUE(m.ok()) << m.error().message;
  ASSERT_TRUE(m->error);
  EXPECT_EQ(m->error->code, -32601);
  EXPECT_EQ(m->error->message, "Method not found");
  EXPECT_EQ(m->error->data_json, R"({"x":1})");
}

TEST(RpcMessage, NullIdIsAResponseNoRequestMatches) {
  RpcMessageParser p;
  auto m = p.parse(R"({"jsonrpc":"2.0","error":{"code":-32700,"message":"Parse error"},"id":null})");
  ASSERT_TRUE(m.ok()) << m.error().message;
  EXPECT_EQ(m->kind, Kind::kResponse);
  EXPECT_FALSE(m->id);
}

TEST(RpcMessage, NotificationWithStringOrNumberSubscription) {
  RpcMessageParser p;
  auto m = p.parse(
      R"({"jsonrpc":"2.0","method":"chain_newHead","params":{"result":{"number":"0x3"},"subscription":"abC9"}})");
  ASSERT_TRUE(m.ok()) << m.error().message;
  EXPECT_EQ(m->kind, Kind::kNotification);
  EXPECT_EQ(m->method, "chain_newHead");
  EXPECT_EQ(m->subscription, "abC9");
  EXPECT_EQ(m->result_json, R"({"number":"0x3"})");
  m = p.parse(R"({"jsonrpc":"2.0","method":"x","params":{"subscription":12,"result":[1,2]}})");
  ASSERT_TRUE(m.ok()) << m.error().message;
  EXPECT_EQ(m->subscription, "12");
  EXPECT_EQ(m->result_json, "[1,2]");
}

TEST(RpcMessage, RejectsMalformedMessagesWithReason) {
  RpcMessageParser p;
  struct Case {
    const char* text;
    const char* why;
  } cases[] = {
      {"not json", "not"},
      {"[1,2]", "not a JSON object"},
      {R"({"id":1})", "exactly one of result and error"},
      {R"({"id":1,"result":1,"error":{"code":1,"message":"x"}})", "exactly one"},
      {R"({"result":1})", "neither a response"},
      {R"({"id":1,"error":{"message":"x"}})", "without a code"},
      {R"({"id":1,"error":"boom"})", "not an object"},
      {R"({"method":"x","params":{"result":1}})", "without params.subscription"},
      {R"({"method":"x","params":{"subscription":[1],"result":1}})", "neither string nor number"},
      {R"({"method":"x","id":4,"params":[]})", "request from the server"},
      {R"({"id":1,"result":1} {"id":2})", "trailing"},
      {R"({"id":1,"result":{"a":)", ""},
  };
  for (const auto& c : cases) {
    auto m = p.parse(c.text);
    ASSERT_FALSE(m.ok()) << c.text;
    EXPECT_NE(m.error().message.find("invalid JSON-RPC message"), std::string::npos) << m.error().message;
    EXPECT_NE(m.error().message.find(c.why), std::string::npos) << c.text << " -> " << m.error().message;
  }
  // The parser stays usable after errors.
  auto ok = p.parse(R"({"id":9,"result":"0x"})");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(*ok->id, 9u);
}

TEST(RpcMessage, ABatchAnswerIsItsResponsesInTheServersOrder) {
  RpcMessageParser p;
  auto all = p.parse_all(
      R"( [{"jsonrpc":"2.0","id":9,"result":"0x02"},{"jsonrpc":"2.0","id":8,"error":{"code":-32000,"message":"no"}},)"
      R"({"jsonrpc":"2.0","id":7,"result":{"a":[1]}}] )");
  ASSERT_TRUE(all.ok()) << all.error().message;
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ(*(*all)[0].id, 9u);
  EXPECT_EQ((*all)[0].result_json, "\"0x02\"");
  EXPECT_EQ(*(*all)[1].id, 8u);
  ASSERT_TRUE((*all)[1].error);
  EXPECT_EQ((*all)[1].error->code, -32000);
  EXPECT_EQ((*all)[2].result_json, R"({"a":[1]})");
  // A single message is a list of one, parsed as parse() parses it.
  auto one = p.parse_all(R"({"jsonrpc":"2.0","id":1,"result":"0x01"})");
  ASSERT_TRUE(one.ok()) << one.error().message;
  ASSERT_EQ(one->size(), 1u);
  EXPECT_EQ(one->front().result_json, "\"0x01\"");
}

TEST(RpcMessage, ABadBatchAnswerFailsWhole) {
  RpcMessageParser p;
  const std::pair<const char*, const char*> cases[] = {
      {"[]", "an empty batch answer"},
      {R"([{"id":1,"result":1},2])", "batch item"},
      {R"([{"id":1,"result":1},{"id":2}])", "exactly one of result and error"},
      {R"([{"jsonrpc":"2.0","method":"chain_newHead","params":{"subscription":"s","result":1}}])",
       "a notification inside a batch answer"},
      {R"([{"id":1,"result":1}] x)", "invalid JSON-RPC message"},
      {R"([{"id":1,"result":1})", ""},
  };
  for (const auto& [text, why] : cases) {
    auto all = p.parse_all(text);
    ASSERT_FALSE(all.ok()) << text;
    EXPECT_TRUE(all.error().is(RpcErrc::kBadAnswer)) << text;
    EXPECT_NE(all.error().message.find(why), std::string::npos) << text << ": " << all.error().message;
  }
}

TEST(RpcMessage, SubscriptionIdForms) {
  auto s = parse_subscription_id("\"QmAbc\"");
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->text, "QmAbc");
  EXPECT_EQ(s->json, "\"QmAbc\"");
  s = parse_subscription_id("42");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->text, "42");
  EXPECT_EQ(s->json, "42");
  EXPECT_FALSE(parse_subscription_id("true").ok());
  EXPECT_FALSE(parse_subscription_id("\"\"").ok());
  EXPECT_FALSE(parse_subscription_id("-1").ok());
  EXPECT_FALSE(parse_subscription_id("{").ok());
}

TEST(RpcMessage, RequestTextAndParamsValidation) {
  EXPECT_EQ(make_request_json(5, "chain_getBlockHash", "[0]"),
            R"({"jsonrpc":"2.0","id":5,"method":"chain_getBlockHash","params":[0]})");
  EXPECT_EQ(make_request_json(1, "we\"ird", "{}"),
            R"({"jsonrpc":"2.0","id":1,"method":"we\"ird","params":{}})");
  EXPECT_TRUE(validate_params_json("[]").ok());
  EXPECT_TRUE(validate_params_json(" [1, \"a\", {\"b\": null}]").ok());
  EXPECT_TRUE(validate_params_json("{\"count\":3}").ok());
  EXPECT_FALSE(validate_params_json("").ok());
  EXPECT_FALSE(validate_params_json("3").ok());
  EXPECT_FALSE(validate_params_json("[0").ok());
  EXPECT_FALSE(validate_params_json("[0] junk").ok());
  EXPECT_FALSE(validate_params_json("[0],\"id\":9").ok());  // no injecting into the envelope
}

// What the node sends that is no JSON-RPC message is its fault, and says so by kind: callers
// decide on kinds, never on message text.
TEST(RpcMessage, MalformedFramesAndIdsAreBadAnswers) {
  RpcMessageParser p;
  for (const std::string& frame : std::vector<std::string>{
           "", "[]", "{", R"({"jsonrpc":"2.0"})", R"({"id":1,"result":1,"error":{"code":1}})",
           R"({"id":1,"error":{"message":"no code"}})", R"({"method":"x","id":1,"params":{}})",
           R"({"method":"x","params":{"subscription":[],"result":1}})", R"({"id":1,"result":1} x)"}) {
    auto m = p.parse(frame);
    ASSERT_FALSE(m.ok()) << frame;
    EXPECT_TRUE(m.error().is(RpcErrc::kBadAnswer)) << frame << ": " << m.error().message;
  }
  for (const std::string& id : std::vector<std::string>{"", "\"\"", "-1", "1.5", "null", "{}", "[1]"}) {
    auto r = parse_subscription_id(id);
    ASSERT_FALSE(r.ok()) << id;
    EXPECT_TRUE(r.error().is(RpcErrc::kBadAnswer)) << id << ": " << r.error().message;
  }
  // A view without data (nullptr, 0) used to reach simdjson's memcpy (undefined behaviour).
  EXPECT_TRUE(p.parse(std::string_view{}).error().is(RpcErrc::kBadAnswer));
  EXPECT_TRUE(parse_subscription_id(std::string_view{}).error().is(RpcErrc::kBadAnswer));
  auto params = validate_params_json("3");
  ASSERT_FALSE(params.ok());
  EXPECT_TRUE(params.error().is(RpcErrc::kRejected));
}

}  // namespace
}  // namespace pylon::net
