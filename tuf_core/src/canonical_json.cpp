// Canonical JSON (OLPC dialect, as python-securesystemslib's encode_canonical writes it),
// produced straight from a simdjson DOM. TUF specification, "Metaformat": signatures are over
// the canonical form of `signed`, so these bytes must equal what every TUF signer produces.
#include <algorithm>
#include <charconv>
#include <cstring>
#include <vector>

#include "canonical_json_internal.h"
#include "tuf/metadata.h"

namespace tuf::detail {

namespace dom = simdjson::dom;

namespace {

struct Field {
  std::string_view key;
  dom::element value;
};

bool key_less(const Field& a, const Field& b) {
  // std::string_view compares through char_traits<char>, i.e. as unsigned bytes (memcmp), which
  // for UTF-8 is also the code point order securesystemslib sorts by.
  return a.key < b.key;
}

// Output cursor over a std::string. Every write is preceded by ensure(n) for its largest
// possible size, so the hot loop writes through a pointer without per-byte capacity checks;
// finish() trims the string to what was written.
class Sink {
 public:
  explicit Sink(std::string& s) : s_(s) {
    const std::size_t used = s_.size();
    s_.resize(std::max(s_.capacity(), used + 4096));
    p_ = s_.data() + used;
    end_ = s_.data() + s_.size();
  }
  void ensure(std::size_t n) {
    if (static_cast<std::size_t>(end_ - p_) < n) grow(n);
  }
  void put(char c) { *p_++ = c; }  // after ensure
  void put(const char* data, std::size_t n) {  // after ensure
    std::memcpy(p_, data, n);
    p_ += n;
  }
  // Quoted canonical string: only '"' and '\' escaped.
  void string(std::string_view v) {
    ensure(2 * v.size() + 2);
    char* p = p_;  // a local cursor: stores through char* could otherwise alias p_
    *p++ = '"';
    for (char c : v) {
      if (c == '"' || c == '\\') *p++ = '\\';
      *p++ = c;
    }
    *p++ = '"';
    p_ = p;
  }
  template <class Int>
  void integer(Int v) {
    ensure(24);
    p_ = std::to_chars(p_, end_, v).ptr;
  }
  void finish() { s_.resize(static_cast<std::size_t>(p_ - s_.data())); }

 private:
  void grow(std::size_t n) {
    const auto used = static_cast<std::size_t>(p_ - s_.data());
    s_.resize(std::max(2 * s_.size(), used + n));
    p_ = s_.data() + used;
    end_ = s_.data() + s_.size();
  }
  std::string& s_;
  char* p_ = nullptr;
  char* end_ = nullptr;
};

// Recursive walk; Emit selects between writing canonical bytes and checking only. Errors are
// kept in the walker (one per walk) rather than returned per element, to keep the hot loop lean.
template <bool Emit>
class Walker {
 public:
  Walker(Sink* out, std::string_view role, std::vector<Field>& fields)
      : out_(out), role_(role), fields_(fields) {}

  bool walk(dom::element e, const JsonPath& path) {
    switch (e.type()) {
      case dom::element_type::OBJECT:
        return walk_object(e.get_object().value_unsafe(), path);
      case dom::element_type::ARRAY: {
        if constexpr (Emit) punct('[');
        std::size_t i = 0;
        const dom::array arr = e.get_array().value_unsafe();  // a copy, not a dangling ref
        for (dom::element item : arr) {
          if constexpr (Emit) {
            if (i != 0) punct(',');
          }
          if (!walk(item, path.at(i))) return false;
          ++i;
        }
        if constexpr (Emit) punct(']');
        return true;
      }
      case dom::element_type::STRING:
        if constexpr (Emit) out_->string(e.get_string().value_unsafe());
        return true;
      case dom::element_type::INT64:
        if constexpr (Emit) out_->integer(e.get_int64().value_unsafe());
        return true;
      case dom::element_type::UINT64:  // above INT64_MAX: written back exactly
        if constexpr (Emit) out_->integer(e.get_uint64().value_unsafe());
        return true;
      case dom::element_type::BOOL:
        if constexpr (Emit) {
          const bool b = e.get_bool().value_unsafe();
          out_->ensure(5);
          out_->put(b ? "true" : "false", b ? 4 : 5);
        }
        return true;
      case dom::element_type::NULL_VALUE:
        if constexpr (Emit) {
          out_->ensure(4);
          out_->put("null", 4);
        }
        return true;
      case dom::element_type::DOUBLE:
        // Canonical JSON has no floats (also "1.0" and "1e2", which simdjson reads as doubles).
        error_ = Error{Errc::invalid_metadata, std::string(role_),
                       path.str() + ": floating-point numbers are not allowed", "integer",
                       "float"};
        return false;
    }
    return false;
  }

  Error take_error() { return std::move(error_); }

 private:
  void punct(char c) {
    out_->ensure(1);
    out_->put(c);
  }

  bool walk_object(dom::object obj, const JsonPath& path) {
    // Fast path: signers emit keys sorted already. Keys strictly increasing in document order
    // means sorted and free of duplicates, and the object is written straight from the DOM
    // (no copy of its fields: a PEP 458 snapshot has 16,384 members in one object).
    bool increasing = true;
    std::string_view prev;
    bool first_key = true;
    for (dom::key_value_pair kv : obj) {
      if (!first_key && !(prev < kv.key)) {
        increasing = false;
        break;
      }
      prev = kv.key;
      first_key = false;
    }
    if (increasing) {
      if constexpr (Emit) punct('{');
      bool first = true;
      for (dom::key_value_pair kv : obj) {
        if constexpr (Emit) {
          if (!first) punct(',');
          out_->string(kv.key);
          punct(':');
        }
        first = false;
        if (!walk(kv.value, path.child(kv.key))) return false;
      }
      if constexpr (Emit) punct('}');
      return true;
    }
    return walk_unsorted_object(obj, path);
  }

  bool walk_unsorted_object(dom::object obj, const JsonPath& path) {
    // Fields of this object go on a shared stack; nested objects push above them. Indices, not
    // iterators, are used because the vector may grow during recursion.
    const std::size_t base = fields_.size();
    for (dom::key_value_pair kv : obj) fields_.push_back(Field{kv.key, kv.value});
    const std::size_t end = fields_.size();
    auto first = fields_.begin() + static_cast<std::ptrdiff_t>(base);
    auto last = fields_.begin() + static_cast<std::ptrdiff_t>(end);
    // Sort; duplicates (simdjson keeps each one as its own field) become adjacent.
    std::sort(first, last, key_less);
    for (std::size_t k = base + 1; k < end; ++k) {
      if (fields_[k].key == fields_[k - 1].key) {
        std::string got = "\"" + std::string(fields_[k].key) + "\" twice";
        error_ = Error{Errc::invalid_metadata, std::string(role_),
                       path.str() + ": duplicate object key", "unique keys", std::move(got)};
        fields_.resize(base);
        return false;
      }
    }
    if constexpr (Emit) punct('{');
    for (std::size_t i = base; i < end; ++i) {
      const Field f = fields_[i];  // copy: recursion may reallocate fields_
      if constexpr (Emit) {
        if (i != base) punct(',');
        out_->string(f.key);
        punct(':');
      }
      if (!walk(f.value, path.child(f.key))) {
        fields_.resize(base);
        return false;
      }
    }
    if constexpr (Emit) punct('}');
    fields_.resize(base);
    return true;
  }

  Sink* out_;
  std::string_view role_;
  std::vector<Field>& fields_;
  Error error_;
};

}  // namespace

// The field stack is per walk: it allocates only when an object's keys are out of order, which
// canonical input (what signers produce) never has.
Result<void> append_canonical(dom::element value, std::string& out, std::string_view role,
                              const JsonPath& path) {
  Sink sink(out);
  std::vector<Field> fields;
  Walker<true> w(&sink, role, fields);
  const bool ok = w.walk(value, path);
  sink.finish();
  if (!ok) return std::unexpected(w.take_error());
  return {};
}

Result<void> check_canonical(dom::element value, std::string_view role, const JsonPath& path) {
  std::vector<Field> fields;
  Walker<false> w(nullptr, role, fields);
  if (!w.walk(value, path)) return std::unexpected(w.take_error());
  return {};
}

}  // namespace tuf::detail

namespace tuf {

Result<std::string> canonicalize_json(Bytes json) {
  JsonParser parser;
  return canonicalize_json(parser, json);
}

Result<std::string> canonicalize_json(JsonParser& parser, Bytes json) {
  auto root = detail::parse_json(parser, json, "");
  if (!root) return std::unexpected(root.error());
  std::string out;
  out.reserve(json.size());  // canonical output is never longer than valid JSON input
  if (auto r = detail::append_canonical(*root, out, "", detail::JsonPath{}); !r) {
    return std::unexpected(r.error());
  }
  return out;
}

}  // namespace tuf
