// MetaMap: a sorted vector searched by binary search (see tuf/meta_map.h for why).
#include "tuf/meta_map.h"

#include <algorithm>
#include <stdexcept>

namespace tuf {

namespace {
bool name_less(const MetaMap::value_type& a, const MetaMap::value_type& b) {
  return std::string_view(a.first) < std::string_view(b.first);
}
}  // namespace

MetaMap::MetaMap(std::vector<value_type> entries) : entries_(std::move(entries)) {
  auto strictly_increasing = [](const value_type& a, const value_type& b) {
    return !name_less(a, b);  // adjacent_find stops at the first pair not strictly increasing
  };
  if (std::adjacent_find(entries_.begin(), entries_.end(), strictly_increasing) == entries_.end())
    return;
  std::stable_sort(entries_.begin(), entries_.end(), name_less);
  auto last = std::unique(entries_.begin(), entries_.end(), [](const auto& a, const auto& b) {
    return a.first == b.first;
  });
  entries_.erase(last, entries_.end());
}

MetaMap::iterator MetaMap::lower_bound(std::string_view name) {
  return std::lower_bound(entries_.begin(), entries_.end(), name,
                          [](const value_type& e, std::string_view n) {
                            return std::string_view(e.first) < n;
                          });
}

MetaMap::iterator MetaMap::find(std::string_view name) {
  auto it = lower_bound(name);
  return it != entries_.end() && it->first == name ? it : entries_.end();
}

MetaMap::const_iterator MetaMap::find(std::string_view name) const {
  return const_cast<MetaMap*>(this)->find(name);
}

MetaInfo& MetaMap::at(std::string_view name) {
  auto it = find(name);
  if (it == entries_.end()) throw std::out_of_range("MetaMap::at: no entry " + std::string(name));
  return it->second;
}

const MetaInfo& MetaMap::at(std::string_view name) const {
  return const_cast<MetaMap*>(this)->at(name);
}

MetaInfo& MetaMap::operator[](std::string_view name) {
  auto it = lower_bound(name);
  if (it == entries_.end() || it->first != name)
    it = entries_.emplace(it, std::string(name), MetaInfo{});
  return it->second;
}

std::pair<MetaMap::iterator, bool> MetaMap::emplace(std::string name, MetaInfo info) {
  auto it = lower_bound(name);
  if (it != entries_.end() && it->first == name) return {it, false};
  return {entries_.emplace(it, std::move(name), std::move(info)), true};
}

MetaMap::size_type MetaMap::erase(std::string_view name) {
  auto it = find(name);
  if (it == entries_.end()) return 0;
  entries_.erase(it);
  return 1;
}

bool MetaMap::operator==(const MetaMap& other) const { return entries_ == other.entries_; }

}  // namespace tuf
