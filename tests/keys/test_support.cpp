#include "test_support.hpp"

#include <simdjson.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>

namespace pylon::keys::test {

namespace fs = std::filesystem;

std::string node_oracle(const char* env_var, const std::string& default_in_source) {
  const char* env = std::getenv(env_var);
  const std::string path = env && *env ? env : std::string(PYLON_SOURCE_DIR) + "/" + default_in_source;
  if (!fs::exists(path)) return {};
  if (run_command("command -v node >/dev/null 2>&1").exit_code != 0) return {};
  return path;
}

std::string oracle_path() {
  return node_oracle("PYLON_ORACLE", "build/oracle/oracle.mjs");
}

std::string shared_dir() {
  const char* env = std::getenv("PYLON_SHARED_DIR");
  const std::string path = env && *env ? env : std::string(PYLON_SOURCE_DIR) + "/../shared";
  return fs::is_directory(path) ? path : std::string();
}

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'')
      out += "'\\''";
    else
      out += c;
  }
  return out + "'";
}

OracleResult run_command(const std::string& command) {
  OracleResult r;
  FILE* p = ::popen(command.c_str(), "r");
  if (!p) return r;
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  const int status = ::pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

OracleResult run_oracle(const std::vector<std::string>& args) {
  std::string cmd = "node " + shell_quote(oracle_path());
  for (const auto& a : args) cmd += " " + shell_quote(a);
  return run_command(cmd + " 2>/dev/null");
}

std::string json_field(const std::string& json, const std::string& key) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(json).get(doc)) return {};
  std::string_view v;
  if (doc[key].get_string().get(v)) return {};
  return std::string(v);
}

TempDir::TempDir() {
  std::string tmpl = (fs::temp_directory_path() / "pylon-keys-XXXXXX").string();
  if (::mkdtemp(tmpl.data())) path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  if (!path_.empty()) fs::remove_all(path_, ec);
}

}  // namespace pylon::keys::test
