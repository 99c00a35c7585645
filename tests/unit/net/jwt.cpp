#include "domain/jwt.hpp"

#include <boost/test/unit_test.hpp>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

using crm::auth::base64url_decode;
using crm::auth::base64url_encode;
using crm::auth::sign_jwt;
using crm::auth::token_claims;
using crm::auth::verify_jwt;

namespace {

constexpr std::string_view secret = "k3Jx9vQm2LpT8sWz4bNc7dRf1hYg6uEa";
constexpr std::int64_t issued = 1718034000;
constexpr std::int64_t expires = issued + 900;

token_claims agent_claims() {
  return {"5b3c1f0e-8a47-4d2b-9c61-2f7e9a0b4d13", "agent", 3, issued, expires};
}

// The vectors below were computed outside this code base with Python 3:
//   def b64(b): return base64.urlsafe_b64encode(b).rstrip(b'=').decode()
//   claims = {"sub": "5b3c1f0e-8a47-4d2b-9c61-2f7e9a0b4d13", "role": "agent", "ver": 3,
//             "iat": 1718034000, "exp": 1718034900}
//   si = b64(HEADER) + '.' + b64(PAYLOAD)
//   token = si + '.' + b64(hmac.new(SECRET, si.encode(), hashlib.sha256).digest())
// with SECRET = b"k3Jx9vQm2LpT8sWz4bNc7dRf1hYg6uEa".

// HEADER = b'{"alg":"HS256","typ":"JWT"}',
// PAYLOAD = json.dumps(claims, separators=(',', ':'), sort_keys=True) (what sign_jwt writes).
constexpr std::string_view known_token =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
    "eyJleHAiOjE3MTgwMzQ5MDAsImlhdCI6MTcxODAzNDAwMCwicm9sZSI6ImFnZW50Iiwic3ViIjoiNWIzYzFmMGUtOGE0"
    "Ny00ZDJiLTljNjEtMmY3ZTlhMGI0ZDEzIiwidmVyIjozfQ."
    "h773KBXcIcOs4lZPD6XWkydOKNdmnYeSG7QTlwIvtTY";

// HEADER = b'{"typ": "JWT", "alg": "HS256"}', PAYLOAD = json.dumps(claims) (spaces, unsorted).
constexpr std::string_view foreign_token =
    "eyJ0eXAiOiAiSldUIiwgImFsZyI6ICJIUzI1NiJ9."
    "eyJzdWIiOiAiNWIzYzFmMGUtOGE0Ny00ZDJiLTljNjEtMmY3ZTlhMGI0ZDEzIiwgInJvbGUiOiAiYWdlbnQiLCAidmVy"
    "IjogMywgImlhdCI6IDE3MTgwMzQwMDAsICJleHAiOiAxNzE4MDM0OTAwfQ."
    "jtH1njchKAXYUoi-G8PM20_hs9pn01jLMxZoZemAX6Q";

// HEADER = b'{"alg":"HS512","typ":"JWT"}', sorted PAYLOAD, signed with hashlib.sha512.
constexpr std::string_view hs512_token =
    "eyJhbGciOiJIUzUxMiIsInR5cCI6IkpXVCJ9."
    "eyJleHAiOjE3MTgwMzQ5MDAsImlhdCI6MTcxODAzNDAwMCwicm9sZSI6ImFnZW50Iiwic3ViIjoiNWIzYzFmMGUtOGE0"
    "Ny00ZDJiLTljNjEtMmY3ZTlhMGI0ZDEzIiwidmVyIjozfQ."
    "v5sMiU0owo-9V5ZnG-K0pjCvbWvUgKeiRw9DhHTYIXLryL3hxzytccs_eprWknB_W7ds1NLRCZoG85FFkf9Z0g";

// HEADER = b'{"alg":"none","typ":"JWT"}', sorted PAYLOAD, empty signature.
constexpr std::string_view none_token =
    "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0."
    "eyJleHAiOjE3MTgwMzQ5MDAsImlhdCI6MTcxODAzNDAwMCwicm9sZSI6ImFnZW50Iiwic3ViIjoiNWIzYzFmMGUtOGE0"
    "Ny00ZDJiLTljNjEtMmY3ZTlhMGI0ZDEzIiwidmVyIjozfQ.";

constexpr std::string_view hs256_header = R"({"alg":"HS256","typ":"JWT"})";
constexpr std::string_view good_payload =
    R"({"sub":"5b3c1f0e-8a47-4d2b-9c61-2f7e9a0b4d13","role":"agent","ver":3,"iat":1718034000,"exp":1718034900})";

// HMAC-SHA256 straight from OpenSSL, so that tokens with any header or payload can be signed
// correctly and the check under test is the only thing that can reject them.
std::string hs256(std::string_view key, std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest, &size);
  return std::string(reinterpret_cast<const char*>(digest), size);
}

std::string signed_parts(std::string_view header_part, std::string_view payload_part,
                         std::string_view key = secret) {
  std::string input = std::string{header_part} + "." + std::string{payload_part};
  return input + "." + base64url_encode(hs256(key, input));
}

std::string make_token(std::string_view header_json, std::string_view payload_json,
                       std::string_view key = secret) {
  return signed_parts(base64url_encode(header_json), base64url_encode(payload_json), key);
}

// "ok" or "<code>: <reason>", so a test names the exact rejection it expects.
std::string outcome(const crm::expected<token_claims>& result) {
  if (result)
    return "ok";
  return std::string{crm::to_string(crm::code_of(result.error()))} + ": " +
         crm::message_of(result.error());
}

std::string verify(std::string_view token, std::int64_t now = issued) {
  return outcome(verify_jwt(token, secret, now));
}

std::vector<std::string_view> split(std::string_view token) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (size_t dot; (dot = token.find('.', start)) != std::string_view::npos; start = dot + 1)
    parts.push_back(token.substr(start, dot - start));
  parts.push_back(token.substr(start));
  return parts;
}

const std::string malformed = "unauthenticated: malformed token";
const std::string bad_signature = "unauthenticated: bad signature";
const std::string expired = "unauthenticated: token expired";
const std::string unsupported = "unauthenticated: unsupported algorithm";

} // namespace

BOOST_AUTO_TEST_SUITE(jwt)

BOOST_AUTO_TEST_CASE(round_trip) {
  const auto claims = agent_claims();
  const auto token = sign_jwt(claims, secret);
  BOOST_TEST(split(token).size() == 3u);
  BOOST_TEST(token.find('=') == std::string::npos);
  auto result = verify_jwt(token, secret, issued);
  BOOST_TEST_REQUIRE(outcome(result) == "ok");
  BOOST_TEST(result->sub == claims.sub);
  BOOST_TEST(result->role == claims.role);
  BOOST_TEST(result->ver == claims.ver);
  BOOST_TEST(result->iat == claims.iat);
  BOOST_TEST(result->exp == claims.exp);
}

BOOST_AUTO_TEST_CASE(round_trip_extreme_values) {
  const token_claims claims{"u", "super_admin", INT64_MIN, INT64_MIN, INT64_MAX};
  auto result = verify_jwt(sign_jwt(claims, secret), secret, 0);
  BOOST_TEST_REQUIRE(outcome(result) == "ok");
  BOOST_TEST(result->ver == INT64_MIN);
  BOOST_TEST(result->iat == INT64_MIN);
  BOOST_TEST(result->exp == INT64_MAX);
}

BOOST_AUTO_TEST_CASE(known_vector_is_produced) {
  BOOST_TEST(sign_jwt(agent_claims(), secret) == known_token);
}

BOOST_AUTO_TEST_CASE(known_vector_verifies) {
  auto result = verify_jwt(known_token, secret, issued + 1);
  BOOST_TEST_REQUIRE(outcome(result) == "ok");
  BOOST_TEST(result->sub == "5b3c1f0e-8a47-4d2b-9c61-2f7e9a0b4d13");
  BOOST_TEST(result->role == "agent");
  BOOST_TEST(result->ver == 3);
  BOOST_TEST(result->iat == issued);
  BOOST_TEST(result->exp == expires);
}

BOOST_AUTO_TEST_CASE(other_json_spelling_verifies) {
  auto result = verify_jwt(foreign_token, secret, issued);
  BOOST_TEST_REQUIRE(outcome(result) == "ok");
  BOOST_TEST(result->role == "agent");
  BOOST_TEST(result->ver == 3);
}

BOOST_AUTO_TEST_CASE(header_is_exact) {
  const auto token = sign_jwt(agent_claims(), secret);
  BOOST_TEST(base64url_decode(split(token)[0]).value_or("?") == hs256_header);
}

BOOST_AUTO_TEST_CASE(tampered_payload_is_rejected) {
  const auto token = sign_jwt(agent_claims(), secret);
  const auto parts = split(token);
  auto payload = base64url_decode(parts[1]).value();
  const auto at = payload.find("\"agent\"");
  BOOST_TEST_REQUIRE(at != std::string::npos);
  payload.replace(at, 7, "\"super_admin\"");
  const auto forged =
      std::string{parts[0]} + "." + base64url_encode(payload) + "." + std::string{parts[2]};
  BOOST_TEST(verify(forged) == bad_signature);
}

BOOST_AUTO_TEST_CASE(tampered_signature_is_rejected) {
  auto token = std::string{known_token};
  // The first character of the signature: flipping it keeps the encoding canonical.
  auto& c = token[token.rfind('.') + 1];
  c = c == 'h' ? 'i' : 'h';
  BOOST_TEST(verify(token) == bad_signature);
  // A shortened signature, still canonical base64url, is no signature.
  const auto parts = split(known_token);
  auto sig = base64url_decode(parts[2]).value();
  sig.pop_back();
  BOOST_TEST(verify(std::string{parts[0]} + "." + std::string{parts[1]} + "." +
                    base64url_encode(sig)) == bad_signature);
  BOOST_TEST(verify(std::string{parts[0]} + "." + std::string{parts[1]} + ".") == bad_signature);
  // Nor is the right signature with a byte appended.
  BOOST_TEST(verify(std::string{parts[0]} + "." + std::string{parts[1]} + "." +
                    base64url_encode(base64url_decode(parts[2]).value() + '\0')) == bad_signature);
}

BOOST_AUTO_TEST_CASE(tampered_header_is_rejected) {
  const auto parts = split(known_token);
  const auto forged = base64url_encode(R"({"alg":"HS256","typ":"JWT","kid":"x"})") + "." +
                      std::string{parts[1]} + "." + std::string{parts[2]};
  BOOST_TEST(verify(forged) == bad_signature);
}

BOOST_AUTO_TEST_CASE(wrong_secret_is_rejected) {
  const auto token = sign_jwt(agent_claims(), "another secret of at least 32 bytes!");
  BOOST_TEST(verify(token) == bad_signature);
  BOOST_TEST(outcome(verify_jwt(known_token, "k3Jx9vQm2LpT8sWz4bNc7dRf1hYg6uEb", issued)) ==
             bad_signature);
}

BOOST_AUTO_TEST_CASE(empty_secret_verifies_nothing) {
  const auto token = sign_jwt(agent_claims(), "");
  BOOST_TEST(outcome(verify_jwt(token, "", issued)) == bad_signature);
}

BOOST_AUTO_TEST_CASE(expiry) {
  BOOST_TEST(verify(known_token, expires - 1) == "ok");
  BOOST_TEST(verify(known_token, expires) == expired);
  BOOST_TEST(verify(known_token, expires + 1) == expired);
  BOOST_TEST(verify(known_token, INT64_MAX) == expired);
}

BOOST_AUTO_TEST_CASE(issued_in_the_future) {
  const auto token = sign_jwt({"u", "agent", 1, issued, expires}, secret);
  BOOST_TEST(verify(token, issued - 60) == "ok");
  BOOST_TEST(verify(token, issued - 61) == "unauthenticated: token not yet valid");
  BOOST_TEST(verify(token, INT64_MIN) == "unauthenticated: token not yet valid");
}

BOOST_AUTO_TEST_CASE(alg_none_is_rejected) {
  BOOST_TEST(verify(none_token) == unsupported);
  // Even with a valid HS256 signature over it, a header that does not say HS256 is refused.
  BOOST_TEST(verify(make_token(R"({"alg":"none","typ":"JWT"})", good_payload)) == unsupported);
  for (std::string_view alg : {"None", "NONE", "hs256", "HS256 ", "", "RS256", "ES256"})
    BOOST_TEST(verify(make_token(R"({"alg":")" + std::string{alg} + R"(","typ":"JWT"})",
                                 good_payload)) == unsupported,
               "alg " << alg);
}

BOOST_AUTO_TEST_CASE(alg_hs512_is_rejected) {
  BOOST_TEST(verify(hs512_token) == unsupported);
}

BOOST_AUTO_TEST_CASE(malformed_structure) {
  const auto good = std::string{known_token};
  const auto parts = split(known_token);
  const auto header = std::string{parts[0]};
  const auto payload = std::string{parts[1]};
  const auto sig = std::string{parts[2]};
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"empty", ""},
      {"garbage", "not a token"},
      {"dots only", ".."},
      {"one part", header},
      {"two parts", header + "." + payload},
      {"four parts", good + "." + sig},
      {"trailing dot", good + "."},
      {"empty header", "." + payload + "." + sig},
      {"empty payload", signed_parts(header, "")},
      {"padding on signature", good + "="},
      {"padding on header", header + "=." + payload + "." + sig},
      {"standard alphabet", signed_parts(header, payload).replace(good.size() - 5, 1, "+")},
      {"leading space", " " + good},
      {"trailing newline", good + "\n"},
      {"too long",
       signed_parts(header, base64url_encode(std::string(9000, ' ') + std::string{good_payload}))},
  };
  for (const auto& [name, token] : cases)
    BOOST_TEST(verify(token) == malformed, name);
}

BOOST_AUTO_TEST_CASE(padding_in_signed_payload_is_rejected) {
  // good_payload is 103 bytes, a multiple of 4 characters once encoded; one more byte needs a '='.
  const std::string payload = std::string{good_payload} + " ";
  auto encoded = base64url_encode(payload);
  BOOST_TEST_REQUIRE(encoded.size() % 4 != 0);
  encoded.append((4 - encoded.size() % 4) % 4, '=');
  BOOST_TEST(verify(signed_parts(base64url_encode(hs256_header), encoded)) == malformed);
  // Without the padding the same token is fine.
  BOOST_TEST(verify(make_token(hs256_header, payload)) == "ok");
}

BOOST_AUTO_TEST_CASE(malformed_header) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"not json", "HS256"},
      {"array", R"(["HS256"])"},
      {"no alg", R"({"typ":"JWT"})"},
      {"alg null", R"({"alg":null,"typ":"JWT"})"},
      {"alg number", R"({"alg":256,"typ":"JWT"})"},
      {"alg array", R"({"alg":["HS256"],"typ":"JWT"})"},
      {"crit", R"({"alg":"HS256","typ":"JWT","crit":["exp"]})"},
  };
  for (const auto& [name, header] : cases)
    BOOST_TEST(verify(make_token(header, good_payload)) == malformed, name);
}

BOOST_AUTO_TEST_CASE(malformed_payload) {
  const std::string sub = R"("sub":"5b3c1f0e-8a47-4d2b-9c61-2f7e9a0b4d13")";
  const std::string rest = R"("iat":1718034000,"exp":1718034900)";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"not json", "sub=5b3c1f0e&role=agent"},
      {"truncated json", std::string{good_payload}.substr(0, 40)},
      {"trailing garbage", std::string{good_payload} + "x"},
      {"array", "[" + std::string{good_payload} + "]"},
      {"string", R"("agent")"},
      {"missing sub", R"({"role":"agent","ver":3,)" + rest + "}"},
      {"empty sub", R"({"sub":"","role":"agent","ver":3,)" + rest + "}"},
      {"sub number", R"({"sub":42,"role":"agent","ver":3,)" + rest + "}"},
      {"missing role", "{" + sub + R"(,"ver":3,)" + rest + "}"},
      {"role null", "{" + sub + R"(,"role":null,"ver":3,)" + rest + "}"},
      {"missing ver", "{" + sub + R"(,"role":"agent",)" + rest + "}"},
      {"ver as string", "{" + sub + R"(,"role":"agent","ver":"3",)" + rest + "}"},
      {"ver as float", "{" + sub + R"(,"role":"agent","ver":3.0,)" + rest + "}"},
      {"ver as bool", "{" + sub + R"(,"role":"agent","ver":true,)" + rest + "}"},
      {"ver too big", "{" + sub + R"(,"role":"agent","ver":9223372036854775808,)" + rest + "}"},
      {"missing iat", "{" + sub + R"(,"role":"agent","ver":3,"exp":1718034900})"},
      {"missing exp", "{" + sub + R"(,"role":"agent","ver":3,"iat":1718034000})"},
      {"exp as string",
       "{" + sub + R"(,"role":"agent","ver":3,"iat":1718034000,"exp":"1718034900"})"},
      {"exp as float", "{" + sub + R"(,"role":"agent","ver":3,"iat":1718034000,"exp":1.7e9})"},
  };
  for (const auto& [name, payload] : cases)
    BOOST_TEST(verify(make_token(hs256_header, payload)) == malformed, name);
  // The same shape with good values is accepted, so the cases above fail on their one flaw.
  BOOST_TEST(verify(make_token(hs256_header,
                               "{" + sub + R"(,"role":"agent","ver":3,)" + rest + "}")) == "ok");
  BOOST_TEST(verify(make_token(hs256_header, good_payload)) == "ok");
}

BOOST_AUTO_TEST_CASE(base64url_vectors) {
  // RFC 4648 section 10, without padding, plus bytes that land on '-' (62) and '_' (63);
  // the expected strings are base64.urlsafe_b64encode(x).rstrip(b'=') in Python 3.
  const std::vector<std::pair<std::string, std::string>> vectors = {
      {"", ""},
      {"f", "Zg"},
      {"fo", "Zm8"},
      {"foo", "Zm9v"},
      {"foob", "Zm9vYg"},
      {"fooba", "Zm9vYmE"},
      {"foobar", "Zm9vYmFy"},
      {std::string("\0", 1), "AA"},
      {"\xfb\xff", "-_8"},
      {"\xfb\xef\xbe", "----"},
      {"\xff\xff\xff", "____"},
      {"\xfa\xfb\xfc\xfd\xfe\xff", "-vv8_f7_"},
  };
  for (const auto& [bytes, text] : vectors) {
    BOOST_TEST(base64url_encode(bytes) == text, "encode " << text);
    BOOST_TEST(base64url_decode(text).value_or("<nullopt>") == bytes, "decode " << text);
  }
}

BOOST_AUTO_TEST_CASE(base64url_round_trips_every_byte) {
  std::string bytes;
  for (int i = 0; i < 256; ++i)
    bytes.push_back(static_cast<char>(i));
  for (size_t n = 0; n <= bytes.size(); ++n) {
    const auto part = bytes.substr(bytes.size() - n);
    const auto text = base64url_encode(part);
    BOOST_TEST(text.size() == (4 * n + 2) / 3, "size " << n);
    BOOST_TEST(base64url_decode(text).value_or("<nullopt>") == part, "length " << n);
  }
}

BOOST_AUTO_TEST_CASE(base64url_large_input) {
  // Larger than one EVP_EncodeBlock/EVP_DecodeBlock chunk (3 MiB of input).
  std::string bytes;
  for (size_t i = 0; i < (3u << 20) / 3 + 2; ++i)
    bytes += "\xfb\xef\xbe";
  bytes += "\xff";
  const auto text = base64url_encode(bytes);
  BOOST_TEST(text.size() == 4 * ((bytes.size() - 1) / 3) + 2);
  BOOST_TEST((text == std::string(4 * ((bytes.size() - 1) / 3), '-') + "_w"));
  BOOST_TEST((base64url_decode(text).value_or("<nullopt>") == bytes));
}

BOOST_AUTO_TEST_CASE(base64url_rejects_invalid) {
  const std::vector<std::string> invalid = {
      "Z",        // 4n+1 characters
      "AAAAA",    // 4n+1 characters
      "Zg=",      // padding
      "Zg==",     // padding
      "Zm9v=",    // padding
      "Zm9vYg==", // padding
      "Zm9v+",    // standard alphabet
      "Zm9v/w",   // standard alphabet
      "Zh",       // non-zero unused bits ("Zg" is the canonical spelling of "f")
      "Zm9",      // non-zero unused bits ("Zm8" is the canonical spelling of "fo")
      " Zg",      // whitespace
      "Zg ",      // whitespace
      "Zg\n",     // whitespace
      "Zm9v.",    // separator
      "Zm\xc3\xa9v", std::string("Z\0g", 3),
  };
  for (const auto& text : invalid)
    BOOST_TEST(!base64url_decode(text).has_value(), "input '" << text << "'");
}

BOOST_AUTO_TEST_SUITE_END()
