// `pylon decode-api --metadata FILE METHOD HEX`: decode a runtime API result the way the node's
// metadata describes it, for operators debugging a node. HEX may be @FILE.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "app/cli.hpp"
#include "app/command.hpp"
#include "codec/decoder.hpp"
#include "codec/json_render.hpp"
#include "codec/metadata.hpp"

namespace {

int fail(const std::string& msg) {
  std::fprintf(stderr, "pylon decode-api: %s\n", msg.c_str());
  return 1;
}

int decode_api(std::span<char* const> args) {
  std::string metadata_path, method, hex;
  CLI::App app("Decode a runtime API result with a metadata file; prints {\"output_type\", \"decoded\"}.",
               "pylon decode-api");
  app.add_option("--metadata", metadata_path, "runtime metadata file (hex or SCALE)")->required();
  app.add_option("METHOD", method, "runtime API method, e.g. NeuronInfoRuntimeApi_get_neurons_lite")
      ->required();
  app.add_option("HEX", hex, "the result as 0x-hex, or @FILE holding it")->required();
  if (auto exit = pylon::app::parse_args(app, args)) return *exit;
  if (hex.starts_with("@")) {
    std::ifstream in(hex.substr(1));
    if (!in) return fail("cannot read " + hex.substr(1));
    std::ostringstream ss;
    ss << in.rdbuf();
    hex = ss.str();
    while (!hex.empty() && std::isspace(static_cast<unsigned char>(hex.back()))) hex.pop_back();
  }
  auto md = pylon::codec::load_metadata_file(metadata_path);
  if (!md.ok()) return fail(md.error().message);
  const auto* m = (*md)->api_method(method);
  if (!m) return fail("runtime API method " + method + " is not in the metadata");
  auto bytes = pylon::from_hex(hex);
  if (!bytes.ok()) return fail("result: " + bytes.error().message);
  auto v = pylon::codec::decode_exact((*md)->types, m->output, *bytes);
  if (!v.ok()) return fail(method + ": " + v.error().message + ": the bytes do not fit this metadata");
  pylon::JsonWriter w;
  w.begin_object();
  w.key("output_type");
  w.string((*md)->types.display_name(m->output));
  w.key("decoded");
  pylon::codec::render_json(*v, w);
  w.end_object();
  std::printf("%s\n", w.str().c_str());
  return 0;
}

}  // namespace

PYLON_COMMAND("decode-api", "decode a runtime API result with a metadata file", decode_api);
