// Internal: untrusted bytes to a simdjson DOM, and the path of a value for error messages.
// The schema reader (json_reader.h) and the canonical writer (canonical_json_internal.h) both
// walk what parse_json returns.
#pragma once

#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "tuf/bytes.h"
#include "tuf/error.h"
#include "tuf/json_parser.h"

namespace tuf {

struct JsonParser::Impl {
  simdjson::dom::parser dom;
  // simdjson needs SIMDJSON_PADDING readable bytes after the input, which a caller's span does
  // not promise: the input is copied here first.
  std::unique_ptr<std::uint8_t[]> padded;
  std::size_t capacity = 0;
};

namespace detail {

// Where in a document a value sits, for error messages. Built on the stack as a walk descends
// (each level points to its parent) and rendered only when an error is reported.
struct JsonPath {
  static constexpr std::size_t no_index = static_cast<std::size_t>(-1);
  const JsonPath* parent = nullptr;
  std::string_view key;          // object member name (used when index == no_index)
  std::size_t index = no_index;  // array position

  JsonPath child(std::string_view k) const { return JsonPath{this, k, no_index}; }
  JsonPath at(std::size_t i) const { return JsonPath{this, {}, i}; }
  // "signed.roles.root.keyids[2]"; the empty root path renders as "(document)".
  std::string str() const;
};

// Parses untrusted bytes (simdjson validates syntax and UTF-8). The element stays valid while
// `parser` lives and parses nothing else. Fails with invalid_metadata naming `role` on
// malformed JSON.
Result<simdjson::dom::element> parse_json(JsonParser& parser, Bytes json, std::string_view role);

}  // namespace detail
}  // namespace tuf
