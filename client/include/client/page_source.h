// Where `tufget install` and `tufget lock` get a project's simple page, and what vouches for it.
//
//   TufIndexSource    a TUF-enabled index: each page is a TUF target, verified against its hash
//                     bin (length and blake2b-256), so the sha256 values it lists are trusted.
//   PlainIndexSource  an index with no pinned TUF root: pages are fetched (size-capped) and
//                     parsed, but nothing vouches for them. Only hash-checking mode may use it:
//                     every file installed must then match a hash pin from a requirements file.
//   WheelhouseSource  --find-links DIR --no-index: a local directory of wheels. The sha256 of
//                     each file is computed from its bytes; hash pins alone protect.
//
//   RoutedSource      the user's explicit choice (--index PROJECT=URL): named projects come from
//                     their own index, every other project from the main one.
//
// Sources never mix for a project: a project is looked up in exactly one source, the one the
// user named for it, else the main index (the dependency-confusion guard).
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "pkg/simple_page.h"
#include "pkg_fs/wheelhouse.h"
#include "tuf/error.h"
#include "tuf_io/http.h"
#include "client/warehouse.h"

namespace tufget {

struct SourcedPage {
  pkg::ProjectPage page;
  std::string provenance;  // e.g. "TUF-verified simple page (targets -> bins-3a, blake2b-256)"
  bool verified = false;   // its sha256 values are vouched for by signed TUF metadata
};

class PageSource {
 public:
  virtual ~PageSource() = default;
  // One result per project (normalised names), fetched concurrently where the source allows.
  // A project the source does not have is target_not_found.
  virtual std::vector<tuf::Result<SourcedPage>> fetch(const std::vector<std::string>& projects) = 0;
  // True when pages are verified by TUF (their hashes may be trusted without a pin).
  virtual bool verified() const = 0;
  // "http://127.0.0.1:8000/simple/" or "wheelhouse /path": for messages.
  virtual std::string name() const = 0;
  // Whether file: URLs on its pages may be followed.
  virtual bool allows_file_urls() const = 0;
};

class TufIndexSource final : public PageSource {
 public:
  explicit TufIndexSource(WarehouseClient& client) : client_(client) {}
  std::vector<tuf::Result<SourcedPage>> fetch(const std::vector<std::string>& projects) override;
  bool verified() const override { return true; }
  std::string name() const override { return client_.repository().index_url; }
  bool allows_file_urls() const override;
  std::size_t lookups() const { return lookups_; }

 private:
  WarehouseClient& client_;
  std::size_t lookups_ = 0;
};

class PlainIndexSource final : public PageSource {
 public:
  // index_url ends with '/'; each page is GET <index_url><project>/ (PEP 503), at most
  // max_page_bytes.
  PlainIndexSource(tuf_io::HttpClient& http, std::string index_url, std::uint64_t max_page_bytes)
      : http_(http), index_url_(std::move(index_url)), max_page_bytes_(max_page_bytes) {}
  std::vector<tuf::Result<SourcedPage>> fetch(const std::vector<std::string>& projects) override;
  bool verified() const override { return false; }
  std::string name() const override { return index_url_; }
  bool allows_file_urls() const override { return index_url_.rfind("file:", 0) == 0; }

 private:
  tuf_io::HttpClient& http_;
  std::string index_url_;
  std::uint64_t max_page_bytes_;
};

class WheelhouseSource final : public PageSource {
 public:
  explicit WheelhouseSource(pkg_fs::Wheelhouse wheelhouse, std::filesystem::path dir)
      : wheelhouse_(std::move(wheelhouse)), dir_(std::move(dir)) {}
  std::vector<tuf::Result<SourcedPage>> fetch(const std::vector<std::string>& projects) override;
  bool verified() const override { return false; }
  std::string name() const override { return "wheelhouse " + dir_.string(); }
  bool allows_file_urls() const override { return true; }

 private:
  pkg_fs::Wheelhouse wheelhouse_;
  std::filesystem::path dir_;
};

class RoutedSource final : public PageSource {
 public:
  // `routes`: normalised project -> the source it must come from.
  RoutedSource(PageSource& main, std::map<std::string, PageSource*> routes)
      : main_(main), routes_(std::move(routes)) {}
  std::vector<tuf::Result<SourcedPage>> fetch(const std::vector<std::string>& projects) override;
  bool verified() const override;  // every source is TUF-verified
  std::string name() const override { return main_.name(); }
  bool allows_file_urls() const override { return main_.allows_file_urls(); }

 private:
  PageSource& main_;
  std::map<std::string, PageSource*> routes_;
};

}  // namespace tufget
