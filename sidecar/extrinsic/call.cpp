#include "extrinsic/call.hpp"

#include "codec/encoder.hpp"
#include "codec/json_render.hpp"

namespace pylon::extrinsic {

Result<CallRef> find_call(const codec::Metadata& md, std::string_view name) {
  const auto dot = name.find('.');
  if (dot == std::string_view::npos)
    return make_error("call '" + std::string(name) + "' is not written Pallet.call");
  const std::string pallet_name(name.substr(0, dot));
  const std::string call_name(name.substr(dot + 1));
  const codec::Pallet* p = md.pallet(pallet_name);
  if (!p) return make_error("pallet " + pallet_name + " is not in this runtime's metadata");
  if (!p->calls) return make_error("pallet " + pallet_name + " has no calls");
  const codec::TypeDef& calls = md.types[*p->calls];
  const codec::Variant* c = calls.variant_named(call_name);
  if (!c) return make_error("call " + pallet_name + "." + call_name + " is not in this runtime's metadata");
  return CallRef{p, c};
}

Result<Bytes> encode_call(const codec::Metadata& md, std::string_view name, simdjson::dom::element args) {
  PYLON_ASSIGN(CallRef ref, find_call(md, name));
  simdjson::dom::object obj;
  if (args.get_object().get(obj) != simdjson::SUCCESS)
    return make_error(std::string(name) + ": arguments must be a JSON object");
  codec::ScaleWriter w;
  w.u8(ref.pallet->index);
  w.u8(ref.call->index);
  std::size_t used = 0;
  for (const auto& f : ref.call->fields) {
    simdjson::dom::element v;
    bool found = obj[f.name].get(v) == simdjson::SUCCESS;
    if (!found) found = obj[codec::json_key(f.name)].get(v) == simdjson::SUCCESS;
    if (!found) return make_error(std::string(name) + ": argument '" + f.name + "' is missing");
    ++used;
    auto s = codec::encode_json_into(md.types, f.type, v, w);
    if (!s.ok()) return make_error(std::string(name) + " argument '" + f.name + "': " + s.error().message);
  }
  if (used != obj.size()) {
    for (auto [k, v] : obj) {
      bool known = false;
      for (const auto& f : ref.call->fields) known |= (k == f.name || k == codec::json_key(f.name));
      if (!known) return make_error(std::string(name) + ": unknown argument '" + std::string(k) + "'");
    }
  }
  return w.take();
}

Result<Bytes> encode_call_json(const codec::Metadata& md, std::string_view name, std::string_view args_json) {
  // simdjson copies the text first: a view without data (nullptr, 0) must not reach memcpy.
  if (args_json.empty()) return make_error(std::string(name) + ": arguments are empty; they must be JSON");
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (auto err = parser.parse(args_json.data(), args_json.size()).get(doc); err != simdjson::SUCCESS)
    return make_error(std::string(name) + ": arguments are not valid JSON (" + simdjson::error_message(err) +
                      ")");
  return encode_call(md, name, doc);
}

}  // namespace pylon::extrinsic
