#include "rest/v1/extrinsic.hpp"

#include "chain/chain_client.hpp"
#include "codec/json_render.hpp"
#include "common/json_writer.hpp"
#include "common/log.hpp"
#include "rest/api.hpp"
#include "rest/v1/errors.hpp"

namespace pylon::rest {

std::string v1::render_extrinsic(std::uint64_t block, std::uint64_t index,
                                 const extrinsic::DecodedExtrinsic& x) {
  JsonWriter w;
  w.begin_object();
  w.key("block_number");
  w.number(block);
  w.key("extrinsic_index");
  w.number(index);
  w.key("extrinsic_hash");
  w.string(to_hex(x.hash));
  w.key("extrinsic_length");
  w.number(static_cast<std::uint64_t>(x.length));
  w.key("address");
  if (!x.address) {
    w.null();
  } else if (auto ss58 = extrinsic::address_ss58(*x.address)) {
    w.string(*ss58);
  } else {
    codec::render_json(*x.address, w);
  }
  w.key("call");
  w.begin_object();
  w.key("call_module");
  w.string(x.pallet);
  w.key("call_function");
  w.string(x.call);
  w.key("call_args");
  w.begin_array();
  for (const auto& a : x.args) {
    w.begin_object();
    w.key("name");
    w.string(a.name);
    w.key("type");
    w.string(a.type);
    w.key("value");
    codec::render_json(a.value, w);
    w.end_object();
  }
  w.end_array();
  w.end_object();
  w.end_object();
  return w.take();
}

// The block hash by number and the body from the node (the archive past its cutoff), then the
// extrinsic decoded with that block's metadata, on a worker. No such block: 404 "Block N not
// found."; an index past the body: 404 "Extrinsic N-I not found."; a failed read, or bytes that do
// not fit the block's metadata: 502 (the chain's answer is wrong, not the request).
void Api::get_v1_extrinsic(std::uint64_t block, std::uint64_t index, Reply reply) {
  if (!deps_.chain) return reply(v1::error(503, "no chain is configured to read extrinsics"));
  blocking(
      [this, block, index]() -> Response {
        const std::string where = "block " + std::to_string(block);
        auto failed = [&](std::string_view what, const Error& e) {
          log::warn(
              "rest", "an extrinsic could not be read",
              {{"block", std::to_string(block)}, {"index", std::to_string(index)}, {"error", e.message}});
          return v1::error(502, std::string(what) + " of " + where + " could not be read: " + e.message);
        };
        const auto not_found = [&] {
          return v1::error(404, "Block " + std::to_string(block) + " not found.");
        };
        auto hash = deps_.chain->block_hash(block);
        metrics_.count_chain_call(hash.ok());
        if (!hash.ok()) return failed("the hash", hash.error());
        if (!*hash) return not_found();
        const chain::BlockRef at{**hash, block};
        auto body = deps_.chain->block_extrinsics(at);
        metrics_.count_chain_call(body.ok());
        if (!body.ok()) return failed("the body", body.error());
        if (!*body) return not_found();
        if (index >= (*body)->size())
          return v1::error(
              404, "Extrinsic " + std::to_string(block) + "-" + std::to_string(index) + " not found.");
        auto md = deps_.chain->metadata(at);
        metrics_.count_chain_call(md.ok());
        if (!md.ok()) return failed("the metadata", md.error());
        auto x = extrinsic::decode_extrinsic(**md, (**body)[index]);
        if (!x.ok()) return failed("extrinsic " + std::to_string(index), x.error());
        return json_response(200, v1::render_extrinsic(block, index, *x));
      },
      std::move(reply));
}

}  // namespace pylon::rest
