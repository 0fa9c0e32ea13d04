// The process families every Prometheus client library exports (process_*), read from /proc at
// scrape time, so the usual dashboards and alerts work on Pylon unchanged.
#pragma once

#include <string>

namespace pylon::rest {

// Appends process_cpu_seconds_total, process_resident_memory_bytes, process_virtual_memory_bytes,
// process_open_fds, process_max_fds and process_start_time_seconds. A figure that cannot be read
// (no /proc) is left out rather than reported as 0.
void render_process_metrics(std::string& out);

}  // namespace pylon::rest
