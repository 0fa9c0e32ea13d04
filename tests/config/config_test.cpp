#include "config/config.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "config/dotenv.hpp"
#include "keys/secret_file.hpp"
#include "scratch_dir.hpp"

namespace pylon::config {
namespace {

using Scratch = test::ScratchDir;

Result<Config> with(Env env) {
  return load(env, "/home/v");
}

TEST(Config, DefaultsFollowConfigMd) {
  auto c = with({{"PYLON_NETUID", "7"}});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->netuid, 7);
  ASSERT_EQ(c->chain_urls.size(), 1u);
  EXPECT_EQ(c->chain_urls[0], "wss://entrypoint-finney.opentensor.ai:443");
  EXPECT_EQ(c->wallet_path, "/home/v/.bittensor/wallets");
  EXPECT_EQ(c->wallet_name, "default");
  EXPECT_EQ(c->wallet_hotkey, "default");
  EXPECT_EQ(c->db_path, "./pylon.db");
  EXPECT_EQ(c->shm_name, "pylon-7");
  EXPECT_EQ(c->http_host, "127.0.0.1");
  EXPECT_EQ(c->http_port, 8000);
  EXPECT_FALSE(c->auth_token.has_value());
  EXPECT_EQ(c->commit_every_epochs, 1u);
  EXPECT_FALSE(c->commit_window.start_offset.has_value());
  EXPECT_EQ(c->commit_window.end_buffer, 10u);
  EXPECT_EQ(c->archive_cutoff, 300u);
  EXPECT_EQ(c->log_format, "text");
  EXPECT_EQ(c->localnet_port, 9944);
}

TEST(Config, OriginalNamesAreAliases) {
  auto c = with({{"BITTENSOR_NETUID", "3"},
                 {"BITTENSOR_NETWORK", "local"},
                 {"BITTENSOR_WALLET_NAME", "w"},
                 {"BITTENSOR_WALLET_HOTKEY_NAME", "h"},
                 {"BITTENSOR_WALLET_PATH", "/x"},
                 {"COMMIT_CYCLE_LENGTH", "3"},
                 {"COMMIT_WINDOW_START_OFFSET", "5"},
                 {"COMMIT_WINDOW_END_BUFFER", "2"},
                 {"PYLON_LOCALNET_PORT", "9955"}});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->netuid, 3);
  EXPECT_EQ(c->chain_urls[0], "ws://127.0.0.1:9955");
  EXPECT_EQ(c->wallet_name, "w");
  EXPECT_EQ(c->wallet_hotkey, "h");
  EXPECT_EQ(c->wallet_path, "/x");
  EXPECT_EQ(c->commit_every_epochs, 3u);
  EXPECT_EQ(c->commit_window.start_offset, 5u);
  EXPECT_EQ(c->commit_window.end_buffer, 2u);
  // A name and its alias with the same value are one setting.
  auto same = with({{"PYLON_NETUID", "4"}, {"BITTENSOR_NETUID", "4"}});
  ASSERT_TRUE(same.ok()) << same.error().message;
  EXPECT_EQ(same->netuid, 4);
}

TEST(Config, TwoNamesOfOneSettingThatDisagreeStopTheStartNamingBoth) {
  for (const auto& [a, b] : std::vector<std::pair<std::string, std::string>>{
           {"PYLON_NETUID", "BITTENSOR_NETUID"},
           {"PYLON_DB_PATH", "PYLON_DATABASE_PATH"},
           {"PYLON_CHAIN_URLS", "PYLON_BITTENSOR_NETWORK"},
           {"BITTENSOR_NETWORK", "PYLON_BITTENSOR_NETWORK"},
           {"PYLON_ARCHIVE_CUTOFF", "PYLON_BITTENSOR_ARCHIVE_BLOCKS_CUTOFF"},
       }) {
    Env env{{"PYLON_NETUID", "4"}, {a, "5"}, {b, "6"}};
    if (a != "PYLON_NETUID") env.erase("BITTENSOR_NETUID");
    auto c = with(env);
    ASSERT_FALSE(c.ok()) << a << " / " << b;
    EXPECT_NE(c.error().message.find(a), std::string::npos) << c.error().message;
    EXPECT_NE(c.error().message.find(b), std::string::npos) << c.error().message;
    // Values may be secrets: the message names the settings only.
    EXPECT_EQ(c.error().message.find('6'), std::string::npos) << c.error().message;
  }
}

TEST(Config, Pylon2xNamesAreAliases) {
  // A 2.x service's .env (../shared/api/pylon-v1.md §7) for the settings both services have.
  auto c = with({{"PYLON_NETUID", "12"},
                 {"PYLON_BITTENSOR_NETWORK", "test"},
                 {"PYLON_BITTENSOR_ARCHIVE_NETWORK", "archive"},
                 {"PYLON_BITTENSOR_ARCHIVE_BLOCKS_CUTOFF", "500"},
                 {"PYLON_BITTENSOR_WALLET_PATH", "/wallets"},
                 {"PYLON_DATABASE_PATH", "/var/lib/pylon/pylon.db"},
                 {"PYLON_ENV_FILE", "/etc/pylon/sn12.env"}});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->chain_urls, std::vector<std::string>{"wss://test.finney.opentensor.ai:443"});
  EXPECT_EQ(c->archive_url, "wss://archive.chain.opentensor.ai:443");
  EXPECT_EQ(c->archive_cutoff, 500u);
  EXPECT_EQ(c->wallet_path, "/wallets");
  EXPECT_EQ(c->db_path, "/var/lib/pylon/pylon.db");
  EXPECT_TRUE(c->warnings.empty()) << c->warnings.front();  // every one of them is known
}

TEST(Config, TheSettingsFileIsPylonEnvFileOrDotEnv) {
  EXPECT_EQ(env_file_path(nullptr), ".env");
  EXPECT_EQ(env_file_path(""), ".env");
  EXPECT_EQ(env_file_path("/etc/pylon/sn12.env"), "/etc/pylon/sn12.env");
}

TEST(Config, BadValuesNameTheSettingAndHideSecrets) {
  auto expect_error = [](Env env, const std::string& name) {
    auto c = with(env);
    ASSERT_FALSE(c.ok()) << name;
    EXPECT_NE(c.error().message.find(name), std::string::npos) << c.error().message;
  };
  expect_error({}, "PYLON_NETUID");
  expect_error({{"PYLON_NETUID", "abc"}}, "PYLON_NETUID");
  expect_error({{"PYLON_NETUID", "70000"}}, "PYLON_NETUID");
  expect_error({{"PYLON_NETUID", "1"}, {"PYLON_CHAIN_URLS", "http://x"}}, "PYLON_CHAIN_URLS");
  expect_error({{"PYLON_NETUID", "1"}, {"PYLON_HTTP_PORT", "-1"}}, "PYLON_HTTP_PORT");
  expect_error({{"PYLON_NETUID", "1"}, {"PYLON_HTTP_THREADS", "0"}}, "PYLON_HTTP_THREADS");
  expect_error({{"PYLON_NETUID", "1"}, {"PYLON_HTTP_THREADS", "65"}}, "PYLON_HTTP_THREADS");
  expect_error({{"PYLON_NETUID", "1"}, {"PYLON_LOG_FORMAT", "xml"}}, "PYLON_LOG_FORMAT");
  expect_error({{"PYLON_NETUID", "1"}, {"PYLON_WALLET_NAME", "../etc"}}, "PYLON_WALLET_NAME");
  expect_error({{"PYLON_NETUID", "1"}, {"PYLON_COMMIT_WINDOW", "5"}}, "PYLON_COMMIT_WINDOW");
  expect_error({{"PYLON_NETUID", "1"}, {"PYLON_ALLOW_GROUP_READABLE_KEYS", "maybe"}},
               "PYLON_ALLOW_GROUP_READABLE_KEYS");
  auto short_token = with({{"PYLON_NETUID", "1"}, {"PYLON_AUTH_TOKEN", "s3cr3t"}});
  ASSERT_FALSE(short_token.ok());
  EXPECT_EQ(short_token.error().message.find("s3cr3t"), std::string::npos);
}

TEST(Config, ListsWindowsTokensAndUnknownSettings) {
  auto c = with({{"PYLON_NETUID", "1"},
                 {"PYLON_CHAIN_URLS", "ws://a:1, wss://b:2"},
                 {"PYLON_COMMIT_WINDOW", "mid:4"},
                 {"PYLON_AUTH_TOKEN", "0123456789abcdef0123"},
                 {"PYLON_TYPO", "1"},
                 {"PYLON_SHARED_DIR", "/x"},
                 {"PYLON_LOCALNET_SPEC", "/y"},
                 {"OTHER", "x"}});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->chain_urls, (std::vector<std::string>{"ws://a:1", "wss://b:2"}));
  EXPECT_FALSE(c->commit_window.start_offset.has_value());
  EXPECT_EQ(c->commit_window.end_buffer, 4u);
  EXPECT_EQ(c->auth_token, "0123456789abcdef0123");
  ASSERT_EQ(c->warnings.size(), 1u);
  EXPECT_NE(c->warnings[0].find("PYLON_TYPO"), std::string::npos);
}

TEST(Config, ReadsNeedTheTokenOnlyWhenOneIsSet) {
  auto open = with({{"PYLON_NETUID", "1"}});
  ASSERT_TRUE(open.ok());
  EXPECT_FALSE(open->auth_reads);
  auto guarded =
      with({{"PYLON_NETUID", "1"}, {"PYLON_AUTH_TOKEN", "0123456789abcdef0123"}, {"PYLON_AUTH_READS", "1"}});
  ASSERT_TRUE(guarded.ok()) << guarded.error().message;
  EXPECT_TRUE(guarded->auth_reads);
  auto no_token = with({{"PYLON_NETUID", "1"}, {"PYLON_AUTH_READS", "1"}});
  ASSERT_FALSE(no_token.ok());
  EXPECT_NE(no_token.error().message.find("PYLON_AUTH_READS=1 needs PYLON_AUTH_TOKEN"), std::string::npos);
}

TEST(Config, LogLevel) {
  auto dflt = with({{"PYLON_NETUID", "1"}});
  ASSERT_TRUE(dflt.ok());
  EXPECT_EQ(dflt->log_level, log::Level::Info);
  auto debug = with({{"PYLON_NETUID", "1"}, {"PYLON_LOG_LEVEL", "debug"}});
  ASSERT_TRUE(debug.ok()) << debug.error().message;
  EXPECT_EQ(debug->log_level, log::Level::Debug);
  auto bad = with({{"PYLON_NETUID", "1"}, {"PYLON_LOG_LEVEL", "verbose"}});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("PYLON_LOG_LEVEL"), std::string::npos) << bad.error().message;
}

TEST(Config, TheMetricsTokenIsATokenOfItsOwn) {
  auto none = with({{"PYLON_NETUID", "1"}});
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->metrics_token);
  auto both = with({{"PYLON_NETUID", "1"},
                    {"PYLON_AUTH_TOKEN", "0123456789abcdef-writes"},
                    {"PYLON_METRICS_TOKEN", "  0123456789abcdef-scrape\n"}});
  ASSERT_TRUE(both.ok()) << both.error().message;
  EXPECT_EQ(both->metrics_token, "0123456789abcdef-scrape");
  auto same = with({{"PYLON_NETUID", "1"},
                    {"PYLON_AUTH_TOKEN", "0123456789abcdef-same"},
                    {"PYLON_METRICS_TOKEN", "0123456789abcdef-same"}});
  ASSERT_FALSE(same.ok());
  EXPECT_TRUE(same.error().is(ConfigErrc::bad_token));
  EXPECT_EQ(same.error().message.find("abcdef-same"), std::string::npos) << same.error().message;
  auto short_token = with({{"PYLON_NETUID", "1"}, {"PYLON_METRICS_TOKEN", "short"}});
  ASSERT_FALSE(short_token.ok());
  EXPECT_NE(short_token.error().message.find("PYLON_METRICS_TOKEN"), std::string::npos);

  // The file form: the secret-file checks of PYLON_AUTH_TOKEN_FILE, and never both forms.
  Scratch s;
  const std::string file = s.write("metrics-token", "0123456789abcdef-scrape-file\n", 0644);
  auto exposed = with({{"PYLON_NETUID", "1"}, {"PYLON_METRICS_TOKEN_FILE", file}});
  ASSERT_FALSE(exposed.ok());
  EXPECT_NE(exposed.error().message.find("PYLON_METRICS_TOKEN_FILE"), std::string::npos);
  EXPECT_NE(exposed.error().message.find("chmod 600"), std::string::npos) << exposed.error().message;
  ASSERT_EQ(::chmod(file.c_str(), 0600), 0);
  auto from_file = with({{"PYLON_NETUID", "1"}, {"PYLON_METRICS_TOKEN_FILE", file}});
  ASSERT_TRUE(from_file.ok()) << from_file.error().message;
  EXPECT_EQ(from_file->metrics_token, "0123456789abcdef-scrape-file");
  EXPECT_TRUE(from_file->warnings.empty());  // a known setting, not reported as unknown
  auto twice = with({{"PYLON_NETUID", "1"},
                     {"PYLON_METRICS_TOKEN_FILE", file},
                     {"PYLON_METRICS_TOKEN", "0123456789abcdef-scrape"}});
  ASSERT_FALSE(twice.ok());
  EXPECT_NE(twice.error().message.find("both set"), std::string::npos);
}

TEST(Config, ATokenFileReadableByEveryoneIsRefusedWithoutPrintingIt) {
  Scratch s;
  const std::string file = s.write("token", "0123456789abcdef-secret\n", 0644);
  auto open = with({{"PYLON_NETUID", "1"}, {"PYLON_AUTH_TOKEN_FILE", file}});
  ASSERT_FALSE(open.ok());
  EXPECT_NE(open.error().message.find("chmod 600"), std::string::npos) << open.error().message;
  EXPECT_EQ(open.error().message.find("-secret"), std::string::npos);
  ASSERT_EQ(::chmod(file.c_str(), 0600), 0);
  auto ok = with({{"PYLON_NETUID", "1"}, {"PYLON_AUTH_TOKEN_FILE", file}});
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(ok->auth_token, "0123456789abcdef-secret");
}

TEST(Dotenv, ParsesAndTheEnvironmentWins) {
  auto d = parse_dotenv("# comment\nexport PYLON_NETUID=5\nA='x # y'\nB=\"a\\nb\"\nC=plain # trailing\n\n");
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_EQ(d->at("PYLON_NETUID"), "5");
  EXPECT_EQ(d->at("A"), "x # y");
  EXPECT_EQ(d->at("B"), "a\nb");
  EXPECT_EQ(d->at("C"), "plain");
  EXPECT_FALSE(parse_dotenv("NOEQUALS\n").ok());
  auto bad = parse_dotenv("A=1\nB=\"open\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("line 2"), std::string::npos);
  const std::string path = testing::TempDir() + "/pylon-test.env";
  std::ofstream(path) << "PYLON_NETUID=5\nPYLON_HTTP_PORT=9000\n";
  std::string e1 = "PYLON_NETUID=6";
  char* environ_fake[] = {e1.data(), nullptr};
  auto env = gather_env(path, environ_fake);
  ASSERT_TRUE(env.ok());
  EXPECT_EQ(env->at("PYLON_NETUID"), "6");
  EXPECT_EQ(env->at("PYLON_HTTP_PORT"), "9000");
  std::remove(path.c_str());
  auto none = gather_env("/nonexistent/.env", environ_fake);
  ASSERT_TRUE(none.ok()) << none.error().message;
  EXPECT_EQ(none->size(), 1u);
}

constexpr const char* kToken = "0123456789abcdef-secret";

// Issue: "A token file with trailing whitespace is accepted at start and then every request gets
// 401". Before the fix "\r\n", a trailing space and a second line stayed in the token.
TEST(Config, TheTokenAcceptedIsExactlyTheOneCompared) {
  Scratch s;
  for (const std::string& text : {std::string(kToken), std::string(kToken) + "\n",
                                  std::string(kToken) + "\r\n", "  " + std::string(kToken) + " \t\n\n"}) {
    const std::string file = s.write("token", text, 0600);
    auto c = with({{"PYLON_NETUID", "1"}, {"PYLON_AUTH_TOKEN_FILE", file}});
    ASSERT_TRUE(c.ok()) << c.error().message;
    EXPECT_EQ(c->auth_token, kToken);
    // The same rule for the variable (`kubectl create secret --from-file` into an env var).
    auto e = with({{"PYLON_NETUID", "1"}, {"PYLON_AUTH_TOKEN", text}});
    ASSERT_TRUE(e.ok()) << e.error().message;
    EXPECT_EQ(e->auth_token, kToken);
  }
  // What no client could send back is refused at start, without printing the token.
  for (const std::string& text : {std::string(kToken) + " tail", std::string(kToken) + "\nsecond-line",
                                  std::string(kToken) + "\x01", std::string(kToken) + "\xc3\xa9"}) {
    const std::string file = s.write("token", text, 0600);
    for (const auto& c : {with({{"PYLON_NETUID", "1"}, {"PYLON_AUTH_TOKEN_FILE", file}}),
                          with({{"PYLON_NETUID", "1"}, {"PYLON_AUTH_TOKEN", text}})}) {
      ASSERT_FALSE(c.ok());
      EXPECT_TRUE(c.error().is(ConfigErrc::bad_token)) << c.error().message;
      EXPECT_EQ(c.error().message.find("secret"), std::string::npos) << c.error().message;
    }
  }
  auto short_after_trim = with({{"PYLON_NETUID", "1"}, {"PYLON_AUTH_TOKEN", "  0123456789abcd \n"}});
  ASSERT_FALSE(short_after_trim.ok());
  EXPECT_TRUE(short_after_trim.error().is(ConfigErrc::bad_token));
}

// Issue: a FIFO at a secret path hung the start; the token file and .env are opened like keys.
TEST(Config, AFifoAtTheTokenFileOrDotenvIsRefusedWithoutBlocking) {
  Scratch s;
  const std::string fifo = s.dir() + "/fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  auto c = with({{"PYLON_NETUID", "1"}, {"PYLON_AUTH_TOKEN_FILE", fifo}});
  ASSERT_FALSE(c.ok());
  EXPECT_TRUE(c.error().is(keys::FileErrc::not_regular)) << c.error().message;
  EXPECT_NE(c.error().message.find("PYLON_AUTH_TOKEN_FILE"), std::string::npos) << c.error().message;
  char* no_environ[] = {nullptr};
  auto e = gather_env(fifo, no_environ);
  ASSERT_FALSE(e.ok());
  EXPECT_TRUE(e.error().is(keys::FileErrc::not_regular)) << e.error().message;
  auto folder = gather_env(s.dir(), no_environ);
  ASSERT_FALSE(folder.ok());
  EXPECT_TRUE(folder.error().is(keys::FileErrc::not_regular)) << folder.error().message;
}

// The token file follows the key files' rules, group access included.
TEST(Config, AGroupReadableTokenFileNeedsTheGroupSwitch) {
  Scratch s;
  const std::string file = s.write("token", kToken, 0640);
  auto refused = with({{"PYLON_NETUID", "1"}, {"PYLON_AUTH_TOKEN_FILE", file}});
  ASSERT_FALSE(refused.ok());
  EXPECT_TRUE(refused.error().is(keys::FileErrc::exposed_to_group)) << refused.error().message;
  EXPECT_NE(refused.error().message.find("PYLON_ALLOW_GROUP_READABLE_KEYS=1"), std::string::npos);
  auto allowed = with(
      {{"PYLON_NETUID", "1"}, {"PYLON_AUTH_TOKEN_FILE", file}, {"PYLON_ALLOW_GROUP_READABLE_KEYS", "1"}});
  ASSERT_TRUE(allowed.ok()) << allowed.error().message;
  EXPECT_EQ(allowed->auth_token, kToken);
}

// Issue: "a world-readable .env holding a secret is accepted without a warning". It is refused
// now, naming the file and the setting, never the value.
TEST(Config, ADotenvHoldingTheTokenIsASecretFile) {
  Scratch s;
  char* no_environ[] = {nullptr};
  const std::string body = std::string("PYLON_NETUID=1\nPYLON_AUTH_TOKEN=") + kToken + "\n";
  const std::string env_file = s.write(".env", body, 0644);
  auto world = gather_env(env_file, no_environ);
  ASSERT_FALSE(world.ok());
  EXPECT_TRUE(world.error().is(keys::FileErrc::exposed_to_others)) << world.error().message;
  EXPECT_NE(world.error().message.find(env_file), std::string::npos) << world.error().message;
  EXPECT_NE(world.error().message.find("PYLON_AUTH_TOKEN"), std::string::npos) << world.error().message;
  EXPECT_NE(world.error().message.find("chmod 600"), std::string::npos) << world.error().message;
  EXPECT_EQ(world.error().message.find(kToken), std::string::npos) << world.error().message;
  // Group-readable: the key files' switch, from the environment or from .env itself.
  ::chmod(env_file.c_str(), 0640);
  auto group = gather_env(env_file, no_environ);
  ASSERT_FALSE(group.ok());
  EXPECT_TRUE(group.error().is(keys::FileErrc::exposed_to_group)) << group.error().message;
  std::string allow = "PYLON_ALLOW_GROUP_READABLE_KEYS=1";
  char* with_switch[] = {allow.data(), nullptr};
  auto allowed = gather_env(env_file, with_switch);
  ASSERT_TRUE(allowed.ok()) << allowed.error().message;
  EXPECT_EQ(allowed->at("PYLON_AUTH_TOKEN"), kToken);
  s.write(".env", body + allow + "\n", 0640);
  EXPECT_TRUE(gather_env(env_file, no_environ).ok());
  // Without a secret, a readable .env is fine; one every user may write is not.
  s.write(".env", "PYLON_NETUID=1\n", 0644);
  ASSERT_TRUE(gather_env(env_file, no_environ).ok());
  ::chmod(env_file.c_str(), 0666);
  auto writable = gather_env(env_file, no_environ);
  ASSERT_FALSE(writable.ok());
  EXPECT_TRUE(writable.error().is(ConfigErrc::exposed_dotenv)) << writable.error().message;
}

}  // namespace
}  // namespace pylon::config
