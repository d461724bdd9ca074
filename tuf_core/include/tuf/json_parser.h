// A reusable JSON parser: simdjson's DOM parser and the padded copy of the input it reads.
//
// Each document parsed reuses the buffers of the previous one (a PEP 458 snapshot needs tens of
// megabytes of them), so a long-lived owner parses every document of a refresh without
// allocating again, and the buffers are freed with their owner: tuf::TrustedSet owns one, hence
// the Updater does. No global or thread-local state; one parser serves one owner at a time.
// The parse functions that take no parser make a local one (for one-off callers).
#pragma once

#include <memory>

namespace tuf {

class JsonParser {
 public:
  JsonParser() noexcept;  // allocates nothing until the first document
  ~JsonParser();
  JsonParser(JsonParser&&) noexcept;
  JsonParser& operator=(JsonParser&&) noexcept;
  // Buffers are scratch space, never shared: a copy starts empty, assigning keeps one's own.
  JsonParser(const JsonParser&) noexcept;
  JsonParser& operator=(const JsonParser&) noexcept;

  struct Impl;  // internal to tuf_core (src/json_dom.h)
  Impl& impl();  // created on first use, also after a move

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace tuf
