// Page sources for install and lock (see page_source.h).
#include "client/page_source.h"

#include "pkg/names.h"

namespace tufget {

// ---- a TUF-enabled index -------------------------------------------------------------------------

bool TufIndexSource::allows_file_urls() const {
  return client_.repository().index_url.rfind("file:", 0) == 0;
}

std::vector<tuf::Result<SourcedPage>> TufIndexSource::fetch(const std::vector<std::string>& projects) {
  lookups_ += projects.size();
  // Bins looked up and pages fetched together; each page verified against its bin.
  auto pages = client_.pages(projects);
  std::vector<tuf::Result<SourcedPage>> out;
  out.reserve(projects.size());
  for (auto& page : pages) {
    if (!page) {
      tuf::Error e = std::move(page.error());
      if (e.code == tuf::Errc::target_not_found) {
        e.detail = "no such project on " + client_.repository().index_url +
                   " (the repository's signed TUF metadata does not list it)";
      }
      out.emplace_back(std::unexpected(std::move(e)));
      continue;
    }
    SourcedPage sp;
    sp.provenance = page->provenance();
    sp.page = std::move(page->page);
    sp.verified = true;
    out.emplace_back(std::move(sp));
  }
  return out;
}

// ---- an index without TUF ------------------------------------------------------------------------

std::vector<tuf::Result<SourcedPage>> PlainIndexSource::fetch(const std::vector<std::string>& projects) {
  std::vector<tuf::Result<SourcedPage>> out(projects.size(),
                                            tuf::fail(tuf::Errc::usage, "", "not fetched"));
  for (std::size_t i = 0; i < projects.size(); ++i) {
    const std::string url = index_url_ + projects[i] + "/";
    tuf_io::FetchRequest req;
    req.url = url;
    req.max_bytes = max_page_bytes_;
    http_.async_fetch(std::move(req), [this, &out, i, url, project = projects[i]](tuf_io::FetchResult r) {
      if (!r) {
        r.error().role = project;
        if (r.error().code == tuf::Errc::not_found) {
          r.error().detail = "no such project on " + index_url_ + " (" + url + ": not found)";
        } else {
          r.error().detail += " (simple page " + url + ")";
        }
        out[i] = std::unexpected(r.error());
        return;
      }
      auto parsed = pkg::parse_simple_html(*r, url);
      if (!parsed) {
        out[i] = tuf::fail(tuf::Errc::repository_error, project,
                           "simple page " + url + " cannot be used: " + parsed.error().message());
        return;
      }
      if (auto ok = check_page_project(*parsed, project); !ok) {
        out[i] = std::unexpected(ok.error());
        return;
      }
      SourcedPage sp;
      sp.page = std::move(*parsed);
      sp.provenance = "unverified simple page " + url + " (no TUF root is pinned for " + index_url_ +
                      "; hash pins alone protect)";
      out[i] = std::move(sp);
    });
  }
  http_.run();
  return out;
}

// ---- a local wheelhouse --------------------------------------------------------------------------

std::vector<tuf::Result<SourcedPage>> WheelhouseSource::fetch(const std::vector<std::string>& projects) {
  std::vector<tuf::Result<SourcedPage>> out;
  out.reserve(projects.size());
  for (const std::string& p : projects) {
    auto page = wheelhouse_.page(p);
    if (!page) {
      out.emplace_back(tuf::fail(tuf::Errc::transport, p, page.error().message()));
      continue;
    }
    if (page->files.empty()) {
      out.emplace_back(tuf::fail(tuf::Errc::target_not_found, p,
                                 "no such project in the wheelhouse " + dir_.string()));
      continue;
    }
    SourcedPage sp;
    sp.page = std::move(*page);
    sp.provenance = "wheelhouse " + dir_.string() + " (sha256 of the local file; hash pins alone protect)";
    out.emplace_back(std::move(sp));
  }
  return out;
}

// ---- several indexes, each project from one ------------------------------------------------------

bool RoutedSource::verified() const {
  if (!main_.verified()) return false;
  for (const auto& [project, source] : routes_) {
    if (!source->verified()) return false;
  }
  return true;
}

std::vector<tuf::Result<SourcedPage>> RoutedSource::fetch(const std::vector<std::string>& projects) {
  std::vector<tuf::Result<SourcedPage>> out(projects.size(),
                                            tuf::fail(tuf::Errc::usage, "", "not fetched"));
  std::map<PageSource*, std::vector<std::size_t>> groups;
  for (std::size_t i = 0; i < projects.size(); ++i) {
    auto it = routes_.find(projects[i]);
    groups[it == routes_.end() ? &main_ : it->second].push_back(i);
  }
  for (auto& [source, indexes] : groups) {
    std::vector<std::string> names;
    for (std::size_t i : indexes) names.push_back(projects[i]);
    auto pages = source->fetch(names);
    for (std::size_t k = 0; k < indexes.size(); ++k) out[indexes[k]] = std::move(pages[k]);
  }
  return out;
}

}  // namespace tufget
