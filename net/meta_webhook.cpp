#include "net/meta_webhook.hpp"

#include "domain/phone.hpp"

#include <nlohmann/json.hpp>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <charconv>
#include <optional>

namespace crm::net {

size_t meta_webhook::message_count() const {
  size_t n = 0;
  for (const auto& change : changes)
    n += change.messages.size();
  return n;
}

size_t meta_webhook::status_count() const {
  size_t n = 0;
  for (const auto& change : changes)
    n += change.statuses.size();
  return n;
}

namespace {

constexpr std::string_view signature_prefix = "sha256=";
constexpr size_t sha256_size = 32;

std::optional<std::array<unsigned char, sha256_size>> decode_hex_digest(std::string_view hex) {
  if (hex.size() != 2 * sha256_size)
    return std::nullopt;
  std::array<unsigned char, sha256_size> out{};
  for (size_t i = 0; i < sha256_size; ++i) {
    int hi = OPENSSL_hexchar2int(static_cast<unsigned char>(hex[2 * i]));
    int lo = OPENSSL_hexchar2int(static_cast<unsigned char>(hex[2 * i + 1]));
    if (hi < 0 || lo < 0)
      return std::nullopt;
    out[i] = static_cast<unsigned char>(hi * 16 + lo);
  }
  return out;
}

} // namespace

bool verify_meta_signature(std::string_view app_secret, std::string_view raw_body,
                           std::string_view header) {
  if (app_secret.empty() || !header.starts_with(signature_prefix))
    return false;
  auto expected = decode_hex_digest(header.substr(signature_prefix.size()));
  if (!expected)
    return false;
  // An empty string_view may carry a null pointer; OpenSSL wants a valid one.
  static const unsigned char no_bytes = 0;
  const auto* data =
      raw_body.empty() ? &no_bytes : reinterpret_cast<const unsigned char*>(raw_body.data());
  std::array<unsigned char, EVP_MAX_MD_SIZE> actual{};
  unsigned int actual_size = 0;
  if (HMAC(EVP_sha256(), app_secret.data(), static_cast<int>(app_secret.size()), data,
           raw_body.size(), actual.data(), &actual_size) == nullptr ||
      actual_size != sha256_size)
    return false;
  return CRYPTO_memcmp(actual.data(), expected->data(), sha256_size) == 0;
}

namespace {

using nlohmann::json;

// A shape error deep inside the payload rejects the whole POST, so helpers throw it and
// parse_meta_webhook turns it into one invalid_input at the boundary.
struct shape_error {
  std::string message;
};

[[noreturn]] void fail(const std::string& path, std::string_view problem) {
  throw shape_error{path + " " + std::string{problem}};
}

std::string index_path(const std::string& path, size_t i) {
  return path + "[" + std::to_string(i) + "]";
}

std::string key_path(const std::string& path, std::string_view key) {
  return path.empty() ? std::string{key} : path + "." + std::string{key};
}

const json* find_key(const json& obj, std::string_view key) {
  auto it = obj.find(key);
  return it == obj.end() || it->is_null() ? nullptr : &*it;
}

const json& require(const json& obj, std::string_view key, const std::string& path) {
  const json* value = find_key(obj, key);
  if (value == nullptr)
    fail(key_path(path, key), "is required");
  return *value;
}

const json& require_object(const json& obj, std::string_view key, const std::string& path) {
  const json& value = require(obj, key, path);
  if (!value.is_object())
    fail(key_path(path, key), "must be an object");
  return value;
}

const json& require_array(const json& obj, std::string_view key, const std::string& path) {
  const json& value = require(obj, key, path);
  if (!value.is_array())
    fail(key_path(path, key), "must be an array");
  return value;
}

std::string require_string(const json& obj, std::string_view key, const std::string& path) {
  const json& value = require(obj, key, path);
  if (!value.is_string())
    fail(key_path(path, key), "must be a string");
  return value.get<std::string>();
}

std::optional<std::string> optional_string(const json& obj, std::string_view key,
                                           const std::string& path) {
  const json* value = find_key(obj, key);
  if (value == nullptr)
    return std::nullopt;
  if (!value->is_string())
    fail(key_path(path, key), "must be a string");
  return value->get<std::string>();
}

const json* optional_array(const json& obj, std::string_view key, const std::string& path) {
  const json* value = find_key(obj, key);
  if (value != nullptr && !value->is_array())
    fail(key_path(path, key), "must be an array");
  return value;
}

void require_each_object(const json& array, const std::string& path) {
  for (size_t i = 0; i < array.size(); ++i)
    if (!array[i].is_object())
      fail(index_path(path, i), "must be an object");
}

double require_number(const json& obj, std::string_view key, const std::string& path) {
  const json& value = require(obj, key, path);
  if (!value.is_number())
    fail(key_path(path, key), "must be a number");
  return value.get<double>();
}

// Meta documents unix seconds as a string, but numbers have been seen in the wild.
std::int64_t require_timestamp(const json& obj, const std::string& path) {
  const json& value = require(obj, "timestamp", path);
  if (value.is_number_unsigned())
    return static_cast<std::int64_t>(value.get<std::uint64_t>());
  if (value.is_number_integer() && value.get<std::int64_t>() >= 0)
    return value.get<std::int64_t>();
  if (value.is_string()) {
    const auto& text = value.get_ref<const std::string&>();
    std::int64_t seconds = 0;
    auto [end, err] = std::from_chars(text.data(), text.data() + text.size(), seconds);
    if (err == std::errc{} && end == text.data() + text.size() && !text.empty() && seconds >= 0)
      return seconds;
  }
  fail(key_path(path, "timestamp"), "must be unix seconds");
}

std::string require_phone(const json& obj, std::string_view key, const std::string& path) {
  auto phone = normalize_phone(require_string(obj, key, path));
  if (!phone)
    fail(key_path(path, key), "is not a valid phone number");
  return *phone;
}

std::string dump_or_empty(const json& obj) {
  return obj.empty() ? std::string{} : obj.dump();
}

// The sender's name is cosmetic, so odd contact entries are ignored rather than
// rejecting a POST that Meta would then retry for days.
std::string contact_name(const json& value, const std::string& raw_from) {
  const json* contacts = find_key(value, "contacts");
  if (contacts == nullptr || !contacts->is_array())
    return {};
  auto name_of = [](const json& contact) -> std::string {
    if (!contact.is_object())
      return {};
    auto profile = contact.find("profile");
    if (profile == contact.end() || !profile->is_object())
      return {};
    auto name = profile->find("name");
    return name != profile->end() && name->is_string() ? name->get<std::string>() : "";
  };
  for (const auto& contact : *contacts) {
    if (!contact.is_object())
      continue;
    auto wa_id = contact.find("wa_id");
    if (wa_id != contact.end() && wa_id->is_string() && *wa_id == raw_from)
      return name_of(contact);
  }
  return contacts->empty() ? std::string{} : name_of(contacts->front());
}

void parse_text(const json& msg, const std::string& path, inbound_message& out) {
  const json& text = require_object(msg, "text", path);
  out.text = require_string(text, "body", key_path(path, "text"));
}

void parse_reply(const json& reply, std::string_view kind, const std::string& path,
                 inbound_message& out, json& details) {
  // The reply is stored verbatim, so its known fields are checked first.
  require_string(reply, "id", path);
  out.text = require_string(reply, "title", path);
  optional_string(reply, "description", path);
  json copy = reply;
  copy["kind"] = kind;
  details["interactive"] = std::move(copy);
}

void parse_unsupported(const json& msg, std::string_view original_type, inbound_message& out,
                       json& details) {
  // original_type may view out.type itself, so copy it before overwriting.
  details["originalType"] = original_type;
  details["raw"] = msg;
  out.type = "unsupported";
}

void parse_interactive(const json& msg, const std::string& path, inbound_message& out,
                       json& details) {
  const json& interactive = require_object(msg, "interactive", path);
  const std::string base = key_path(path, "interactive");
  for (std::string_view kind : {"button_reply", "list_reply"}) {
    if (find_key(interactive, kind) != nullptr) {
      parse_reply(require_object(interactive, kind, base), kind, key_path(base, kind), out,
                  details);
      return;
    }
  }
  // Flow replies (nfm_reply) and future kinds are kept, not rejected.
  parse_unsupported(msg, "interactive", out, details);
}

void parse_button(const json& msg, const std::string& path, inbound_message& out, json& details) {
  const json& button = require_object(msg, "button", path);
  const std::string base = key_path(path, "button");
  out.text = require_string(button, "text", base);
  json kept{{"text", out.text}};
  if (auto payload = optional_string(button, "payload", base))
    kept["payload"] = *payload;
  details["button"] = std::move(kept);
}

void parse_media(const json& msg, const std::string& path, inbound_message& out) {
  const json& media = require_object(msg, out.type, path);
  const std::string base = key_path(path, out.type);
  json kept{{"id", require_string(media, "id", base)}};
  constexpr std::pair<std::string_view, std::string_view> optional_keys[] = {
      {"mime_type", "mimeType"},
      {"sha256", "sha256"},
      {"caption", "caption"},
      {"filename", "filename"}};
  for (auto [meta_key, our_key] : optional_keys)
    if (auto field = optional_string(media, meta_key, base))
      kept[std::string{our_key}] = *field;
  if (kept.contains("caption"))
    out.text = kept["caption"].get<std::string>();
  out.media = kept.dump();
}

void parse_location(const json& msg, const std::string& path, inbound_message& out, json& details) {
  const json& location = require_object(msg, "location", path);
  const std::string base = key_path(path, "location");
  json kept{{"latitude", require_number(location, "latitude", base)},
            {"longitude", require_number(location, "longitude", base)}};
  auto name = optional_string(location, "name", base);
  auto address = optional_string(location, "address", base);
  if (name)
    kept["name"] = *name;
  if (address)
    kept["address"] = *address;
  out.text = name ? *name : address ? *address : "";
  details["location"] = std::move(kept);
}

bool is_media_type(std::string_view type) {
  return type == "image" || type == "document" || type == "audio" || type == "video" ||
         type == "sticker";
}

void parse_body(const json& msg, const std::string& path, inbound_message& out, json& details) {
  if (out.type == "text")
    parse_text(msg, path, out);
  else if (out.type == "interactive")
    parse_interactive(msg, path, out, details);
  else if (out.type == "button")
    parse_button(msg, path, out, details);
  else if (is_media_type(out.type))
    parse_media(msg, path, out);
  else if (out.type == "location")
    parse_location(msg, path, out, details);
  else
    parse_unsupported(msg, out.type, out, details);
}

void parse_context(const json& msg, const std::string& path, json& details) {
  const json* context = find_key(msg, "context");
  if (context == nullptr)
    return;
  const std::string base = key_path(path, "context");
  if (!context->is_object())
    fail(base, "must be an object");
  json kept = json::object();
  for (std::string_view key : {"from", "id"})
    if (auto field = optional_string(*context, key, base))
      kept[std::string{key}] = *field;
  if (!kept.empty())
    details["context"] = std::move(kept);
}

inbound_message parse_message(const json& msg, const json& value, const std::string& path) {
  inbound_message out;
  out.provider_id = require_string(msg, "id", path);
  const std::string raw_from = require_string(msg, "from", path);
  out.from = require_phone(msg, "from", path);
  out.contact_name = contact_name(value, raw_from);
  out.timestamp = require_timestamp(msg, path);
  out.type = require_string(msg, "type", path);
  json details = json::object();
  parse_body(msg, path, out, details);
  parse_context(msg, path, details);
  out.details = dump_or_empty(details);
  return out;
}

bool is_status_name(std::string_view status) {
  return status == "sent" || status == "delivered" || status == "read" || status == "played" ||
         status == "failed";
}

status_update parse_status(const json& st, const std::string& path) {
  status_update out;
  out.provider_id = require_string(st, "id", path);
  out.status = require_string(st, "status", path);
  if (!is_status_name(out.status))
    fail(key_path(path, "status"), "must be sent, delivered, read, played or failed");
  out.timestamp = require_timestamp(st, path);
  if (find_key(st, "recipient_id") != nullptr)
    out.recipient = require_phone(st, "recipient_id", path);
  if (const json* errors = optional_array(st, "errors", path))
    out.errors = errors->dump();
  return out;
}

void parse_metadata(const json& value, const std::string& path, meta_change& out) {
  bool routed = find_key(value, "messages") != nullptr || find_key(value, "statuses") != nullptr;
  const json* metadata = find_key(value, "metadata");
  if (metadata == nullptr && !routed)
    return;
  const json& meta = require_object(value, "metadata", path);
  const std::string base = key_path(path, "metadata");
  if (routed)
    out.phone_number_id = require_string(meta, "phone_number_id", base);
  else
    out.phone_number_id = optional_string(meta, "phone_number_id", base).value_or("");
  out.display_phone_number = optional_string(meta, "display_phone_number", base).value_or("");
}

meta_change parse_value(const json& value, const std::string& path) {
  meta_change out;
  parse_metadata(value, path, out);
  if (const json* messages = optional_array(value, "messages", path)) {
    const std::string base = key_path(path, "messages");
    require_each_object(*messages, base);
    for (size_t i = 0; i < messages->size(); ++i)
      out.messages.push_back(parse_message((*messages)[i], value, index_path(base, i)));
  }
  if (const json* statuses = optional_array(value, "statuses", path)) {
    const std::string base = key_path(path, "statuses");
    require_each_object(*statuses, base);
    for (size_t i = 0; i < statuses->size(); ++i)
      out.statuses.push_back(parse_status((*statuses)[i], index_path(base, i)));
  }
  if (find_key(value, "errors") != nullptr)
    out.errors = value.dump();
  return out;
}

void parse_entry(const json& entry, const std::string& path, meta_webhook& out) {
  const json& changes = require_array(entry, "changes", path);
  const std::string base = key_path(path, "changes");
  require_each_object(changes, base);
  for (size_t i = 0; i < changes.size(); ++i) {
    const std::string change_path = index_path(base, i);
    // Other subscriptions (template status, account updates...) share this endpoint.
    auto field = optional_string(changes[i], "field", change_path);
    if (field && *field != "messages")
      continue;
    const json& value = require_object(changes[i], "value", change_path);
    out.changes.push_back(parse_value(value, key_path(change_path, "value")));
  }
}

meta_webhook parse_document(const json& doc) {
  if (!doc.is_object())
    fail("body", "must be a JSON object");
  if (require_string(doc, "object", "") != "whatsapp_business_account")
    fail("object", "must be \"whatsapp_business_account\"");
  const json& entries = require_array(doc, "entry", "");
  require_each_object(entries, "entry");
  meta_webhook out;
  for (size_t i = 0; i < entries.size(); ++i)
    parse_entry(entries[i], index_path("entry", i), out);
  return out;
}

} // namespace

expected<meta_webhook> parse_meta_webhook(std::string_view raw_body) {
  json doc;
  try {
    doc = json::parse(raw_body);
  } catch (const json::exception& e) { // parse_error, and out_of_range for 1e999
    return make_error(ec::invalid_input, std::string{"malformed JSON: "} + e.what());
  }
  try {
    return parse_document(doc);
  } catch (const shape_error& e) {
    return make_error(ec::invalid_input, e.message);
  }
}

} // namespace crm::net
