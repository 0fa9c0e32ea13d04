// The route table of the /api/v1 surface (../shared/api/pylon-v1.md §1-2): three families under
// /api/v1 (public, open access /subnet/{netuid}/..., identity /identity/{identity}/subnet/{netuid}/
// ...). {netuid} and {block} match decimal integers only (anything else is no route: 404); the
// literal `self` beats {hotkey}; one trailing slash is tolerated.
#pragma once

#include <string_view>

#include "rest/routes.hpp"

namespace pylon::rest::v1 {

enum class Family : std::uint8_t { public_, open_access, identity };

// The subnet read a route serves, the same under both prefixes.
enum class Read : std::uint8_t {
  none,
  commitments,
  commitment,       // {hotkey}
  commitment_self,  // the identity's own hotkey
  neurons,          // block/latest/neurons
  neurons_at,       // block/{block}/neurons
  neurons_recent,   // block/recent/neurons (the §6.4 rules)
  validators,       // block/latest/validators
  validators_at,    // block/{block}/validators

  // Read from the chain on request, kept per block (rest/v1/certificates.hpp):
  certificates,      // block/latest/certificates
  certificate,       // {hotkey}
  certificate_self,  // the identity's own hotkey

  // Read from the chain on request, kept per block (rest/v1/revealed.hpp):
  revealed,       // block/latest/commitments/revealed
  revealed_of,    // .../revealed/{hotkey}
  revealed_self,  // .../revealed/self
};

// "/api/v1" or anything under it.
bool is_v1_path(std::string_view path);
// `want` is the method after HEAD became GET. Unknown routes: Route::unknown with v1 set and
// path_known/allow for a 405.
RouteMatch match_route(Method want, std::string_view path);
// The template of a v1 route ("" for the others).
std::string_view route_template(Route r);
Family family(Route r);
Read read_of(Route r);

}  // namespace pylon::rest::v1
