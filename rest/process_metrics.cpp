#include "rest/process_metrics.hpp"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <charconv>
#include <cstdint>
#include <fstream>
#include <optional>
#include <sstream>
#include <vector>

#include "rest/metrics.hpp"

namespace pylon::rest {
namespace {

std::optional<std::string> read_file(const char* path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The fields of /proc/self/stat after the command name (which may hold spaces and parentheses,
// hence the last ')'): fields[0] is field 3 (state) of proc(5).
std::vector<std::string_view> stat_fields(std::string_view stat) {
  std::vector<std::string_view> fields;
  const auto close = stat.rfind(')');
  if (close == std::string_view::npos) return fields;
  std::string_view rest = stat.substr(close + 1);
  while (!rest.empty()) {
    while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\n')) rest.remove_prefix(1);
    const auto end = rest.find_first_of(" \n");
    if (rest.empty()) break;
    fields.push_back(rest.substr(0, end));
    if (end == std::string_view::npos) break;
    rest.remove_prefix(end);
  }
  return fields;
}

std::optional<std::uint64_t> number(std::string_view text) {
  std::uint64_t v = 0;
  auto r = std::from_chars(text.data(), text.data() + text.size(), v);
  if (r.ec != std::errc() || r.ptr != text.data() + text.size()) return std::nullopt;
  return v;
}

// Seconds since the epoch at which the machine booted (/proc/stat's btime).
std::optional<std::uint64_t> boot_time() {
  auto stat = read_file("/proc/stat");
  if (!stat) return std::nullopt;
  const auto at = stat->find("\nbtime ");
  if (at == std::string::npos) return std::nullopt;
  const auto start = at + 7, end = stat->find('\n', start);
  return number(std::string_view(*stat).substr(start, end - start));
}

std::optional<std::uint64_t> open_fds() {
  DIR* d = ::opendir("/proc/self/fd");
  if (!d) return std::nullopt;
  std::uint64_t n = 0;
  while (const dirent* e = ::readdir(d))
    if (e->d_name[0] != '.') ++n;
  ::closedir(d);
  return n > 0 ? n - 1 : 0;  // less the descriptor opendir itself holds
}

}  // namespace

void render_process_metrics(std::string& out) {
  const long ticks = ::sysconf(_SC_CLK_TCK);
  const long page = ::sysconf(_SC_PAGESIZE);
  auto stat = read_file("/proc/self/stat");
  const auto f = stat ? stat_fields(*stat) : std::vector<std::string_view>{};
  // proc(5) numbering: utime 14, stime 15, starttime 22, vsize 23, rss 24; fields[0] is field 3.
  auto field = [&](std::size_t n) { return f.size() > n - 3 ? number(f[n - 3]) : std::nullopt; };
  if (auto ut = field(14), st = field(15); ut && st && ticks > 0) {
    append_family(out, "process_cpu_seconds_total", "counter", "User and system CPU time spent, in seconds.");
    append_sample(out, "process_cpu_seconds_total", "",
                  static_cast<double>(*ut + *st) / static_cast<double>(ticks));
  }
  if (auto rss = field(24); rss && page > 0) {
    append_family(out, "process_resident_memory_bytes", "gauge", "Resident memory size in bytes.");
    append_sample(out, "process_resident_memory_bytes", "",
                  static_cast<double>(*rss * static_cast<std::uint64_t>(page)));
  }
  if (auto vsize = field(23)) {
    append_family(out, "process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.");
    append_sample(out, "process_virtual_memory_bytes", "", static_cast<double>(*vsize));
  }
  if (auto started = field(22), boot = boot_time(); started && boot && ticks > 0) {
    append_family(out, "process_start_time_seconds", "gauge",
                  "Start time of the process since the Unix epoch, in seconds.");
    append_sample(out, "process_start_time_seconds", "",
                  static_cast<double>(*boot) + static_cast<double>(*started) / static_cast<double>(ticks));
  }
  if (auto fds = open_fds()) {
    append_family(out, "process_open_fds", "gauge", "Open file descriptors.");
    append_sample(out, "process_open_fds", "", static_cast<double>(*fds));
  }
  if (rlimit lim{}; ::getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur != RLIM_INFINITY) {
    append_family(out, "process_max_fds", "gauge", "Maximum number of open file descriptors.");
    append_sample(out, "process_max_fds", "", static_cast<double>(lim.rlim_cur));
  }
}

}  // namespace pylon::rest
