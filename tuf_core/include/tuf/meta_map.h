// Snapshot "meta": the listing of metadata files, by name, with versions, lengths and hashes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tuf/hash.h"

namespace tuf {

struct MetaInfo {  // an entry of timestamp "meta" / snapshot "meta"
  std::uint64_t version = 0;
  std::optional<std::uint64_t> length;
  HashList hashes;  // may be empty
  bool operator==(const MetaInfo&) const = default;
};

// Snapshot "meta": metadata file name ("targets.json", "<role>.json") -> MetaInfo.
//
// A flat vector sorted by name (byte order), searched by binary search: a PEP 458 snapshot has
// 16,385 entries, which as std::unordered_map nodes cost 16,385 allocations, hashing and 1.6 MB;
// here they are one allocation, built in one pass from the (canonical, hence sorted) document.
// The interface is the subset of std::unordered_map<std::string, MetaInfo> that callers use
// (find/at/operator[]/count/contains/emplace/erase, iteration yielding name/info pairs), so code
// written against the map compiles unchanged. Iteration is in name order. As with a vector,
// inserting or erasing invalidates iterators and references.
class MetaMap {
 public:
  using key_type = std::string;
  using mapped_type = MetaInfo;
  using value_type = std::pair<std::string, MetaInfo>;
  using size_type = std::size_t;
  using iterator = std::vector<value_type>::iterator;
  using const_iterator = std::vector<value_type>::const_iterator;

  MetaMap() = default;
  // From entries in any order: sorted by name; of entries with the same name only the first is
  // kept.
  explicit MetaMap(std::vector<value_type> entries);

  iterator begin() { return entries_.begin(); }
  iterator end() { return entries_.end(); }
  const_iterator begin() const { return entries_.begin(); }
  const_iterator end() const { return entries_.end(); }
  const_iterator cbegin() const { return entries_.cbegin(); }
  const_iterator cend() const { return entries_.cend(); }
  size_type size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  void reserve(size_type n) { entries_.reserve(n); }
  void clear() { entries_.clear(); }

  iterator find(std::string_view name);
  const_iterator find(std::string_view name) const;
  size_type count(std::string_view name) const { return find(name) == end() ? 0 : 1; }
  bool contains(std::string_view name) const { return find(name) != end(); }
  // Throws std::out_of_range when absent, like std::unordered_map::at.
  MetaInfo& at(std::string_view name);
  const MetaInfo& at(std::string_view name) const;
  // Inserts a default MetaInfo when absent.
  MetaInfo& operator[](std::string_view name);
  std::pair<iterator, bool> emplace(std::string name, MetaInfo info);
  std::pair<iterator, bool> insert(value_type entry) {
    return emplace(std::move(entry.first), std::move(entry.second));
  }
  size_type erase(std::string_view name);

  bool operator==(const MetaMap& other) const;

 private:
  iterator lower_bound(std::string_view name);
  std::vector<value_type> entries_;  // sorted by name, names unique
};

}  // namespace tuf
