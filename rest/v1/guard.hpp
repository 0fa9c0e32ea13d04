// The order of checks of the /api/v1 surface (pylon-v1.md §1, §4), as one pure function so a
// table of tests can pin it: (1) route: 404 `Not Found` / 405 `Method Not Allowed`;
// (2) X-Pylon-Timeout: 400; (3) auth: 401 (no or malformed Authorization), then, on identity
// paths, 404 for an unknown identity, then 403 for a wrong token; (4) identity netuid: 308 with
// Location. Body validation (5) is the handler's.
#pragma once

#include <optional>
#include <variant>

#include "rest/http_types.hpp"
#include "rest/routes.hpp"
#include "rest/v1/options.hpp"

namespace pylon::rest::v1 {

struct Admitted {
  const Identity* identity = nullptr;  // on identity paths: the identity of the path
  double deadline_seconds = 0;         // X-Pylon-Timeout capped at the max, or the default
};

// A refusal (a v1 error Response) or what the handler goes on with. `m` must be a v1 match.
std::variant<Response, Admitted> guard(const RouteMatch& m, const Request& req, const Options& o);

}  // namespace pylon::rest::v1
