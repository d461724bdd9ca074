// TLS trust for HttpClient: the context, the lazily read system trust store, and the handshake
// with SNI and host name verification (http_internal.h).
#include <cstdlib>
#include <new>

#include <boost/asio/ip/address.hpp>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include "http_internal.h"

namespace tuf_io::http_detail {
namespace {

// ---- the system trust store ---------------------------------------------------------------------
//
// The same certificates as SSL_CTX_set_default_verify_paths (OpenSSL's default CA directory and
// bundle file, or $SSL_CERT_DIR and $SSL_CERT_FILE), looked up lazily:
//  1. the hashed directory (X509_LOOKUP_hash_dir): a chain lookup reads only the <hash>.N files
//     of the issuer names it needs (on Debian, update-ca-certificates links every certificate of
//     the bundle there);
//  2. the bundle file, parsed whole the first time the directory does not have an issuer or
//     anchor asked for (a directory without hash links, an unknown CA); from then on its
//     certificates are in the store like the directory's.
// set_default_verify_paths parses the whole bundle up front instead (144 certificates through
// OpenSSL 3's decoders, ~22 ms here). The trusted set is the same union either way.

struct LazyBundle {
  std::string file;
  bool loaded = false;
};

int lazy_bundle_new(X509_LOOKUP* lookup) {
  const char* env = ::secure_getenv(X509_get_default_cert_file_env());
  auto* state = new (std::nothrow) LazyBundle{env ? env : X509_get_default_cert_file()};
  if (!state) return 0;
  if (!X509_LOOKUP_set_method_data(lookup, state)) {
    delete state;
    return 0;
  }
  return 1;
}

void lazy_bundle_free(X509_LOOKUP* lookup) {
  delete static_cast<LazyBundle*>(X509_LOOKUP_get_method_data(lookup));
}

int lazy_bundle_get_by_subject(X509_LOOKUP* lookup, X509_LOOKUP_TYPE type, const X509_NAME* name,
                               X509_OBJECT* ret) {
  auto* state = static_cast<LazyBundle*>(X509_LOOKUP_get_method_data(lookup));
  // Once loaded, the store's own object cache (searched before any lookup) has the bundle.
  if (!state || state->loaded) return 0;
  state->loaded = true;
  // Adds every certificate (and CRL) of the file to the lookup's store, as X509_LOOKUP_file
  // does. A missing or unreadable file adds nothing, as with set_default_verify_paths.
  if (X509_load_cert_crl_file(lookup, state->file.c_str(), X509_FILETYPE_PEM) <= 0) {
    ERR_clear_error();
    return 0;
  }
  X509_STORE* store = X509_LOOKUP_get_store(lookup);
  if (!X509_STORE_lock(store)) return 0;
  int found = 0;
  X509_OBJECT* obj = X509_OBJECT_retrieve_by_subject(X509_STORE_get0_objects(store), type,
                                                     const_cast<X509_NAME*>(name));
  // Like OpenSSL's own lookups, hand back the store's object without a reference of its own:
  // X509_STORE_CTX_get_by_subject takes one for the caller. set1 takes a reference, so drop it.
  if (obj && type == X509_LU_X509) {
    X509* cert = X509_OBJECT_get0_X509(obj);
    found = X509_OBJECT_set1_X509(ret, cert);
    if (found) X509_free(cert);
  } else if (obj && type == X509_LU_CRL) {
    X509_CRL* crl = X509_OBJECT_get0_X509_CRL(obj);
    found = X509_OBJECT_set1_X509_CRL(ret, crl);
    if (found) X509_CRL_free(crl);
  }
  X509_STORE_unlock(store);
  return found;
}

X509_LOOKUP_METHOD* lazy_bundle_method() {
  static X509_LOOKUP_METHOD* method = [] {
    X509_LOOKUP_METHOD* m = X509_LOOKUP_meth_new("tufget lazy CA bundle");
    if (m && (!X509_LOOKUP_meth_set_new_item(m, lazy_bundle_new) ||
              !X509_LOOKUP_meth_set_free(m, lazy_bundle_free) ||
              !X509_LOOKUP_meth_set_get_by_subject(m, lazy_bundle_get_by_subject))) {
      X509_LOOKUP_meth_free(m);
      m = nullptr;
    }
    return m;  // lives as long as the process (stores may outlive any one client)
  }();
  return method;
}

// Adds the two lookups above to `store`. False (with an OpenSSL error queued) on failure.
bool add_system_trust_store(X509_STORE* store) {
  X509_LOOKUP* dir = X509_STORE_add_lookup(store, X509_LOOKUP_hash_dir());
  if (!dir) return false;
  // NULL + X509_FILETYPE_DEFAULT: $SSL_CERT_DIR (colon-separated) or OpenSSL's default directory.
  X509_LOOKUP_add_dir(dir, nullptr, X509_FILETYPE_DEFAULT);
  X509_LOOKUP_METHOD* method = lazy_bundle_method();
  if (!method || !X509_STORE_add_lookup(store, method)) return false;
  ERR_clear_error();
  return true;
}

}  // namespace

asio::ssl::context* TlsTrust::context() {
  if (!ctx_ && !error_) {
    try {
      ctx_.emplace(asio::ssl::context::tls_client);
    } catch (const boost::system::system_error& e) {
      error_ = e.code();
      return nullptr;
    }
    SSL_CTX* native = ctx_->native_handle();
    if (!add_system_trust_store(SSL_CTX_get_cert_store(native))) {
      unsigned long e = ::ERR_get_error();
      error_ = e ? error_code(static_cast<int>(e), asio::error::get_ssl_category()) : error_code(asio::error::no_memory);
    }
    if (!error_ && !ca_file_.empty()) ctx_->load_verify_file(ca_file_, error_);
    SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
    ctx_->set_verify_mode(asio::ssl::verify_peer);
    if (error_) ctx_.reset();
  }
  return ctx_ ? &*ctx_ : nullptr;
}

asio::awaitable<std::optional<TlsFailure>> tls_handshake(Connection& conn, asio::ssl::context& ctx,
                                                         const std::string& host) {
  conn.tls = std::make_unique<asio::ssl::stream<tcp::socket>>(std::move(conn.socket), ctx);
  error_code not_ip;
  asio::ip::make_address(host, not_ip);
  if (not_ip && !SSL_set_tlsext_host_name(conn.tls->native_handle(), host.c_str()))
    co_return TlsFailure{{}, "cannot set TLS SNI"};
  conn.tls->set_verify_mode(asio::ssl::verify_peer);
  auto mismatch = std::make_shared<bool>(false);
  conn.tls->set_verify_callback([mismatch, host](bool preverified, asio::ssl::verify_context& vctx) {
    bool ok = asio::ssl::host_name_verification(host)(preverified, vctx);
    if (!ok && preverified && X509_STORE_CTX_get_error_depth(vctx.native_handle()) == 0) *mismatch = true;
    return ok;
  });
  auto [hec] = co_await conn.tls->async_handshake(asio::ssl::stream_base::client, nothrow_awaitable);
  if (!hec) co_return std::nullopt;
  std::string what = "TLS handshake failed: " + hec.message();
  long verify = SSL_get_verify_result(conn.tls->native_handle());
  if (*mismatch)
    what += " (certificate does not match host " + host + ")";
  else if (verify != X509_V_OK)
    what += std::string(" (") + X509_verify_cert_error_string(verify) + ")";
  co_return TlsFailure{hec, std::move(what)};
}

}  // namespace tuf_io::http_detail
