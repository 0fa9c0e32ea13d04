// The /api/v1 settings (pylon-v1.md §5, §7): identities, the open-access token, the timeouts.
#include "config/identities.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "config/config.hpp"
#include "keys/secret_file.hpp"
#include "scratch_dir.hpp"

namespace pylon::config {
namespace {

constexpr const char* kTokA = "sn12-token-0123456789";
constexpr const char* kTokB = "debug-token-0123456789";
constexpr const char* kOpen = "open-access-0123456789";

// The contract's example (§7), on the followed subnet with the daemon's own wallet.
Env example() {
  return {{"PYLON_NETUID", "12"},
          {"PYLON_WALLET_NAME", "my_wallet"},
          {"PYLON_WALLET_HOTKEY", "my_hotkey"},
          {"PYLON_IDENTITIES", "[\"sn12\"]"},
          {"PYLON_ID_SN12_WALLET_NAME", "my_wallet"},
          {"PYLON_ID_SN12_HOTKEY_NAME", "my_hotkey"},
          {"PYLON_ID_SN12_NETUID", "12"},
          {"PYLON_ID_SN12_TOKEN", kTokA}};
}

void expect_error_without(const Result<Config>& c, std::string_view needle, const char* secret) {
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message.find(needle), std::string::npos) << c.error().message;
  EXPECT_EQ(c.error().message.find(secret), std::string::npos) << c.error().message;
}

TEST(Identities, TheContractsExampleLoadsUnchanged) {
  auto c = load(example(), "/home/v");
  ASSERT_TRUE(c.ok()) << c.error().message;
  ASSERT_EQ(c->v1.identities.size(), 1u);
  const auto& id = c->v1.identities[0];
  EXPECT_EQ(id.name, "sn12");
  EXPECT_EQ(id.wallet_name, "my_wallet");
  EXPECT_EQ(id.hotkey_name, "my_hotkey");
  EXPECT_EQ(id.netuid, 12);
  ASSERT_NE(id.token, nullptr);
  EXPECT_EQ(id.token->view(), kTokA);
  EXPECT_EQ(c->v1.open_access_token, nullptr);
  EXPECT_EQ(c->v1.default_timeout_seconds, 60);
  EXPECT_EQ(c->v1.max_timeout_seconds, 300);
  for (const auto& w : c->warnings) EXPECT_EQ(w.find("PYLON_ID_"), std::string::npos) << w;
}

// A 2.x .env may spell out the 2.x defaults: PYLON_METRICS_TOKEN="" and PYLON_OPEN_ACCESS_TOKEN="".
TEST(Identities, The2xEmptyTokenDefaultsStart) {
  Env e = example();
  e["PYLON_METRICS_TOKEN"] = "";
  e["PYLON_OPEN_ACCESS_TOKEN"] = "";
  auto c = load(e, "/h");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_FALSE(c->metrics_token.has_value());
  EXPECT_EQ(c->v1.open_access_token, nullptr);
  for (const auto& w : c->warnings) EXPECT_EQ(w.find("TOKEN"), std::string::npos) << w;
}

TEST(Identities, NoneListedIsNoneServed) {
  auto c = load({{"PYLON_NETUID", "1"}}, "/h");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_TRUE(c->v1.identities.empty());
  auto empty = load({{"PYLON_NETUID", "1"}, {"PYLON_IDENTITIES", "[]"}}, "/h");
  ASSERT_TRUE(empty.ok()) << empty.error().message;
  EXPECT_TRUE(empty->v1.identities.empty());
}

TEST(Identities, AnIdentityWithoutNetuidTakesTheFollowedSubnet) {
  Env e = example();
  e.erase("PYLON_ID_SN12_NETUID");
  auto c = load(e, "/h");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->v1.identities[0].netuid, 12);
}

TEST(Identities, AMissingRequiredVariableStopsTheStartNamingIt) {
  for (const char* var : {"PYLON_ID_SN12_WALLET_NAME", "PYLON_ID_SN12_HOTKEY_NAME", "PYLON_ID_SN12_TOKEN"}) {
    Env e = example();
    e.erase(var);
    auto c = load(e, "/h");
    expect_error_without(c, var, kTokA);
    EXPECT_TRUE(c.error().is(IdentityErrc::missing_setting)) << var;
    e[var] = "";  // empty is missing too
    auto empty = load(e, "/h");
    ASSERT_FALSE(empty.ok()) << var;
    EXPECT_TRUE(empty.error().is(IdentityErrc::missing_setting)) << var;
  }
}

TEST(Identities, TheNameIsUpperCasedInTheVariables) {
  Env e = example();
  e["PYLON_IDENTITIES"] = "[\"Sn12\"]";
  auto c = load(e, "/h");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->v1.identities[0].name, "Sn12");  // the path keeps the listed spelling
}

TEST(Identities, BadListsAndValuesAreRefused) {
  for (const char* list : {"sn12", "[sn12]", "[1]", "{\"a\":1}", "[\"\"]", "[\"a/b\"]", "[\"a\",\"A\"]",
                           "[\"a\"] x", "[\"a\""}) {
    Env e = example();
    e["PYLON_IDENTITIES"] = list;
    auto c = load(e, "/h");
    ASSERT_FALSE(c.ok()) << list;
    EXPECT_TRUE(c.error().is(IdentityErrc::bad_value)) << list << ": " << c.error().message;
    EXPECT_NE(c.error().message.find("PYLON_IDENTITIES"), std::string::npos) << c.error().message;
  }
  for (const auto& [var, value] : std::vector<std::pair<std::string, std::string>>{
           {"PYLON_ID_SN12_NETUID", "x"},
           {"PYLON_ID_SN12_NETUID", "70000"},
           {"PYLON_ID_SN12_WALLET_NAME", "../w"},
           {"PYLON_DEFAULT_REQUEST_TIMEOUT_SECONDS", "0"},
           {"PYLON_MAX_REQUEST_TIMEOUT_SECONDS", "-1"},
           {"PYLON_DEFAULT_REQUEST_TIMEOUT_SECONDS", "301"},   // above the max (300)
           {"PYLON_RECENT_OBJECTS_SOFT_LIMIT_BLOCKS", "151"},  // above the hard limit (150)
           {"PYLON_COMMITMENT_RETRY_ATTEMPTS", "0"},           // at least one attempt
           {"PYLON_COMMITMENT_RETRY_ATTEMPTS", "1001"},
           {"PYLON_COMMITMENT_RETRY_ATTEMPTS", "2.5"},
           {"PYLON_COMMITMENT_RETRY_DELAY_SECONDS", "0"},
           {"PYLON_COMMITMENT_RETRY_DELAY_SECONDS", "soon"},
       }) {
    Env e = example();
    e[var] = value;
    auto c = load(e, "/h");
    ASSERT_FALSE(c.ok()) << var << "=" << value;
    EXPECT_NE(c.error().message.find(var), std::string::npos) << c.error().message;
  }
}

// pylon-v1.md §7: 10 attempts 1 s apart unless set.
TEST(Identities, CommitmentRetrySettings) {
  Env e = example();
  auto d = load(e, "/h");
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_EQ(d->v1.commitment_retry_attempts, 10u);
  EXPECT_EQ(d->v1.commitment_retry_delay_seconds, 1.0);
  e["PYLON_COMMITMENT_RETRY_ATTEMPTS"] = "3";
  e["PYLON_COMMITMENT_RETRY_DELAY_SECONDS"] = "0.25";
  auto c = load(e, "/h");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->v1.commitment_retry_attempts, 3u);
  EXPECT_EQ(c->v1.commitment_retry_delay_seconds, 0.25);
}

TEST(Identities, TokensFollowTheAuthTokenRulesAndAreNeverPrinted) {
  Env e = example();
  e["PYLON_ID_SN12_TOKEN"] = "short-secret";
  auto c = load(e, "/h");
  expect_error_without(c, "PYLON_ID_SN12_TOKEN", "short-secret");
  EXPECT_TRUE(c.error().is(ConfigErrc::bad_token));
  e["PYLON_ID_SN12_TOKEN"] = std::string(kTokA) + "\n";  // a trailing newline is dropped
  auto trimmed = load(e, "/h");
  ASSERT_TRUE(trimmed.ok()) << trimmed.error().message;
  EXPECT_EQ(trimmed->v1.identities[0].token->view(), kTokA);
  e["PYLON_OPEN_ACCESS_TOKEN"] = "open token with spaces";
  expect_error_without(load(e, "/h"), "PYLON_OPEN_ACCESS_TOKEN", "open token with spaces");
}

// One token opens one identity's routes: shared values would open two.
TEST(Identities, TwoIdentitiesOrOpenAccessSharingATokenAreRefused) {
  Env e = example();
  e["PYLON_OPEN_ACCESS_TOKEN"] = kTokA;
  auto c = load(e, "/h");
  expect_error_without(c, "PYLON_OPEN_ACCESS_TOKEN", kTokA);
  e["PYLON_OPEN_ACCESS_TOKEN"] = kOpen;
  e["PYLON_IDENTITIES"] = "[\"sn12\",\"debug\"]";
  e["PYLON_ID_DEBUG_WALLET_NAME"] = "my_wallet";
  e["PYLON_ID_DEBUG_HOTKEY_NAME"] = "my_hotkey";
  e["PYLON_ID_DEBUG_TOKEN"] = kTokA;
  expect_error_without(load(e, "/h"), "PYLON_ID_DEBUG_TOKEN", kTokA);
  e["PYLON_ID_DEBUG_TOKEN"] = kTokB;
  auto two = load(e, "/h");
  ASSERT_TRUE(two.ok()) << two.error().message;
  ASSERT_EQ(two->v1.identities.size(), 2u);
  EXPECT_EQ(two->v1.identities[1].name, "debug");
  EXPECT_EQ(two->v1.open_access_token->view(), kOpen);
}

// Identities on other subnets with other hotkeys are served by the same daemon, which follows
// each one's subnet; several hotkeys on one subnet are served too (one lane each, issue 15).
TEST(Identities, IdentitiesOfAnySubnetsAndHotkeysAreServed) {
  Env e = example();
  e["PYLON_IDENTITIES"] = "[\"sn12\",\"sn3\"]";
  e["PYLON_ID_SN3_WALLET_NAME"] = "other_wallet";
  e["PYLON_ID_SN3_HOTKEY_NAME"] = "other_hotkey";
  e["PYLON_ID_SN3_NETUID"] = "3";
  e["PYLON_ID_SN3_TOKEN"] = kTokB;
  e["PYLON_RECENT_OBJECTS_NETUIDS"] = "[40, 3, 40]";
  auto c = load(e, "/h");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->v1.recent_netuids, (std::vector<std::uint16_t>{3, 40}));
  EXPECT_EQ(followed_netuids(c->v1, c->netuid), (std::vector<std::uint16_t>{3, 12, 40}));

  // A second hotkey on the daemon's own subnet.
  e = example();
  e["PYLON_ID_SN12_HOTKEY_NAME"] = "other";
  auto h = load(e, "/h");
  ASSERT_TRUE(h.ok()) << h.error().message;
  EXPECT_EQ(h->v1.identities[0].hotkey_name, "other");
  EXPECT_EQ(h->v1.identities[0].netuid, 12);
  // Two identities on another subnet with different hotkeys, and a third sharing one of them.
  e = example();
  e["PYLON_IDENTITIES"] = "[\"sn12\",\"a\",\"b\",\"c\"]";
  for (const char* n : {"A", "B", "C"}) {
    const std::string p = std::string("PYLON_ID_") + n + "_";
    e[p + "WALLET_NAME"] = "w";
    e[p + "HOTKEY_NAME"] = n;
    e[p + "NETUID"] = "5";
    e[p + "TOKEN"] = std::string(kTokB) + n;
  }
  e["PYLON_ID_C_HOTKEY_NAME"] = "A";
  auto two = load(e, "/h");
  ASSERT_TRUE(two.ok()) << two.error().message;
  ASSERT_EQ(two->v1.identities.size(), 4u);
  EXPECT_EQ(two->v1.identities[1].hotkey_name, "A");
  EXPECT_EQ(two->v1.identities[2].hotkey_name, "B");
  EXPECT_EQ(two->v1.identities[3].hotkey_name, "A");
  EXPECT_EQ(followed_netuids(two->v1, two->netuid), (std::vector<std::uint16_t>{5, 12}));
}

TEST(Identities, RecentObjectsNetuidsMustBeAJsonListOfNetuids) {
  for (const char* bad : {"1,2", "[1, -2]", "[\"1\"]", "[65536]", "{}", "[1.5]"}) {
    Env e = example();
    e["PYLON_RECENT_OBJECTS_NETUIDS"] = bad;
    auto c = load(e, "/h");
    expect_error_without(c, "PYLON_RECENT_OBJECTS_NETUIDS", kTokA);
    EXPECT_TRUE(c.error().is(IdentityErrc::bad_value)) << bad;
  }
  Env e = example();
  e["PYLON_RECENT_OBJECTS_REFRESH_LEAD_BLOCKS"] = "101";
  expect_error_without(load(e, "/h"), "PYLON_RECENT_OBJECTS_REFRESH_LEAD_BLOCKS is above", kTokA);
  e["PYLON_RECENT_OBJECTS_REFRESH_LEAD_BLOCKS"] = "10";
  EXPECT_TRUE(load(e, "/h").ok());
}

TEST(Identities, UnlistedIdentityVariablesAreReportedAsUnknown) {
  Env e = example();
  e["PYLON_ID_GHOST_TOKEN"] = kTokB;
  auto c = load(e, "/h");
  ASSERT_TRUE(c.ok()) << c.error().message;
  bool named = false;
  for (const auto& w : c->warnings) named |= w.find("PYLON_ID_GHOST_TOKEN") != std::string::npos;
  EXPECT_TRUE(named);
}

using Scratch = test::ScratchDir;

TEST(Identities, TheIdEnvFileAddsIdentityVariablesAndIsASecretFile) {
  Scratch s;
  const std::string path = s.write(
      "ids.env", std::string("PYLON_ID_SN12_TOKEN=") + kTokB + "\nPYLON_ID_SN12_NETUID=12\nPYLON_NETUID=99\n",
      0600);
  Env e = example();
  e.erase("PYLON_ID_SN12_NETUID");
  e["PYLON_ID_ENV_FILE"] = path;
  auto merged = merge_id_env_file(e, false);
  ASSERT_TRUE(merged.ok()) << merged.error().message;
  EXPECT_EQ(merged->at("PYLON_ID_SN12_TOKEN"), kTokA);  // the environment wins
  EXPECT_EQ(merged->at("PYLON_ID_SN12_NETUID"), "12");  // added
  EXPECT_EQ(merged->at("PYLON_NETUID"), "12");          // not an identity variable: ignored
  ::chmod(path.c_str(), 0644);
  auto exposed = merge_id_env_file(e, false);
  ASSERT_FALSE(exposed.ok());
  EXPECT_TRUE(exposed.error().is(keys::FileErrc::exposed_to_others)) << exposed.error().message;
  EXPECT_NE(exposed.error().message.find("PYLON_ID_ENV_FILE"), std::string::npos);
  EXPECT_EQ(exposed.error().message.find(kTokB), std::string::npos);
  e["PYLON_ID_ENV_FILE"] = s.dir() + "/missing.env";
  EXPECT_FALSE(merge_id_env_file(e, false).ok());
}

TEST(Identities, ADotenvHoldingAnIdentityTokenIsASecretFile) {
  Scratch s;
  char* no_environ[] = {nullptr};
  const std::string env_file =
      s.write(".env", std::string("PYLON_NETUID=1\nPYLON_ID_SN12_TOKEN=") + kTokA + "\n", 0644);
  auto world = gather_env(env_file, no_environ);
  ASSERT_FALSE(world.ok());
  EXPECT_TRUE(world.error().is(keys::FileErrc::exposed_to_others)) << world.error().message;
  EXPECT_NE(world.error().message.find("PYLON_ID_SN12_TOKEN"), std::string::npos) << world.error().message;
  EXPECT_EQ(world.error().message.find(kTokA), std::string::npos);
  s.write(".env", std::string("PYLON_OPEN_ACCESS_TOKEN=") + kOpen + "\n", 0644);
  EXPECT_FALSE(gather_env(env_file, no_environ).ok());
}

}  // namespace
}  // namespace pylon::config
