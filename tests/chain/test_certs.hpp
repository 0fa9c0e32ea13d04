// Certificates made at test time with OpenSSL's API (nothing checked in, nothing expires in the
// repository): a CA, and leaf certificates it signs for given subject alternative names and
// validity. PEM text, ready for an ssl::context or a CA file.
#pragma once

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <stdexcept>
#include <string>

namespace pylon::net::testing {

struct Pem {
  std::string cert;
  std::string key;
};

class TestCa {
 public:
  struct LeafOptions {
    std::string common_name = "pylon test server";
    std::string subject_alt_names = "DNS:localhost,IP:127.0.0.1";  // X509v3 config syntax
    long not_before_s = -3600;                                     // relative to now
    long not_after_s = 86400;
  };

  explicit TestCa(const std::string& name = "Pylon Test CA") : key_(new_key()), cert_(X509_new(), X509_free) {
    fill(cert_.get(), key_.get(), name, 1, -3600, 86400);
    X509_set_issuer_name(cert_.get(), X509_get_subject_name(cert_.get()));
    add_ext(cert_.get(), cert_.get(), NID_basic_constraints, "critical,CA:TRUE");
    add_ext(cert_.get(), cert_.get(), NID_key_usage, "critical,keyCertSign,cRLSign");
    add_ext(cert_.get(), cert_.get(), NID_subject_key_identifier, "hash");
    sign(cert_.get(), key_.get());
  }

  std::string cert_pem() const { return to_pem(cert_.get()); }

  Pem issue(const LeafOptions& o) {
    auto key = new_key();
    std::unique_ptr<X509, decltype(&X509_free)> leaf(X509_new(), X509_free);
    fill(leaf.get(), key.get(), o.common_name, ++serial_, o.not_before_s, o.not_after_s);
    X509_set_issuer_name(leaf.get(), X509_get_subject_name(cert_.get()));
    add_ext(cert_.get(), leaf.get(), NID_basic_constraints, "critical,CA:FALSE");
    add_ext(cert_.get(), leaf.get(), NID_key_usage, "critical,digitalSignature");
    add_ext(cert_.get(), leaf.get(), NID_ext_key_usage, "serverAuth");
    add_ext(cert_.get(), leaf.get(), NID_subject_alt_name, o.subject_alt_names);
    add_ext(cert_.get(), leaf.get(), NID_authority_key_identifier, "keyid:always");
    sign(leaf.get(), key_.get());
    return {to_pem(leaf.get()), key_pem(key.get())};
  }

 private:
  using KeyPtr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;

  static void check(bool ok, const char* what) {
    if (!ok) throw std::runtime_error(std::string("test certificate: ") + what + " failed");
  }
  static KeyPtr new_key() {
    KeyPtr k(EVP_EC_gen("P-256"), EVP_PKEY_free);
    check(k != nullptr, "EVP_EC_gen");
    return k;
  }
  static void fill(X509* x, EVP_PKEY* key, const std::string& cn, long serial, long from_s, long to_s) {
    check(X509_set_version(x, 2) == 1, "X509_set_version");
    check(ASN1_INTEGER_set(X509_get_serialNumber(x), serial) == 1, "serial");
    check(X509_gmtime_adj(X509_getm_notBefore(x), from_s) != nullptr, "notBefore");
    check(X509_gmtime_adj(X509_getm_notAfter(x), to_s) != nullptr, "notAfter");
    check(X509_set_pubkey(x, key) == 1, "X509_set_pubkey");
    check(X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
                                     reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0) == 1,
          "subject");
  }
  static void add_ext(X509* issuer, X509* subject, int nid, const std::string& value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, subject, nullptr, nullptr, 0);
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
    check(ext != nullptr, "X509V3_EXT_conf_nid");
    const int added = X509_add_ext(subject, ext, -1);
    X509_EXTENSION_free(ext);
    check(added == 1, "X509_add_ext");
  }
  static void sign(X509* x, EVP_PKEY* key) { check(X509_sign(x, key, EVP_sha256()) > 0, "X509_sign"); }
  template <class Write>
  static std::string write_pem(Write write) {
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
    check(bio && write(bio.get()) == 1, "PEM write");
    char* data = nullptr;
    const long n = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(n));
  }
  static std::string to_pem(X509* x) {
    return write_pem([x](BIO* b) { return PEM_write_bio_X509(b, x); });
  }
  static std::string key_pem(EVP_PKEY* k) {
    return write_pem(
        [k](BIO* b) { return PEM_write_bio_PrivateKey(b, k, nullptr, nullptr, 0, nullptr, nullptr); });
  }

  KeyPtr key_;
  std::unique_ptr<X509, decltype(&X509_free)> cert_;
  long serial_ = 1;
};

}  // namespace pylon::net::testing
