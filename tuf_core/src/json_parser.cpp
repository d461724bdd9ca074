// JsonParser (tuf/json_parser.h) and the DOM entry point every parse goes through.
#include <cstring>
#include <string>
#include <vector>

#include "json_dom.h"

namespace tuf {

JsonParser::JsonParser() noexcept = default;
JsonParser::~JsonParser() = default;
JsonParser::JsonParser(JsonParser&&) noexcept = default;
JsonParser& JsonParser::operator=(JsonParser&&) noexcept = default;
JsonParser::JsonParser(const JsonParser&) noexcept {}
JsonParser& JsonParser::operator=(const JsonParser&) noexcept { return *this; }

JsonParser::Impl& JsonParser::impl() {
  if (!impl_) impl_ = std::make_unique<Impl>();
  return *impl_;
}

namespace detail {

namespace dom = simdjson::dom;

std::string JsonPath::str() const {
  std::vector<const JsonPath*> chain;
  for (const JsonPath* p = this; p != nullptr; p = p->parent) chain.push_back(p);
  std::string out;
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    const JsonPath& p = **it;
    if (p.index != no_index) {
      out.push_back('[');
      out.append(std::to_string(p.index));
      out.push_back(']');
    } else if (!p.key.empty() || p.parent != nullptr) {
      if (!out.empty()) out.push_back('.');
      out.append(p.key);
    }
  }
  return out.empty() ? std::string("(document)") : out;
}

Result<dom::element> parse_json(JsonParser& parser, Bytes json, std::string_view role) {
  JsonParser::Impl& p = parser.impl();
  const std::size_t needed = json.size() + simdjson::SIMDJSON_PADDING;
  if (p.capacity < needed) {
    p.padded = std::make_unique_for_overwrite<std::uint8_t[]>(needed);
    p.capacity = needed;
  }
  if (!json.empty()) std::memcpy(p.padded.get(), json.data(), json.size());
  std::memset(p.padded.get() + json.size(), 0, simdjson::SIMDJSON_PADDING);

  dom::element root;
  if (auto code = p.dom.parse(p.padded.get(), json.size(), false).get(root)) {
    return fail(Errc::invalid_metadata, std::string(role),
                std::string("malformed JSON: ") + simdjson::error_message(code));
  }
  return root;
}

}  // namespace detail
}  // namespace tuf
