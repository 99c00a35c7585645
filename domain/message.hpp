#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace crm {

/// One message a debtor sent, as parsed from a provider webhook (provider-neutral).
struct inbound_message {
  /// The provider's own id (Meta's "wamid..."): unique per number, the dedupe key.
  std::string provider_id;
  /// The debtor's phone in E.164 ("+573001234567").
  std::string from;
  /// The profile name the provider reports for the sender, if any.
  std::string contact_name;
  /// text, interactive, button, image, document, audio, video, sticker, location, unsupported.
  std::string type;
  /// The readable text: body, reply title, button text, caption, or location name.
  std::string text;
  /// JSON object with the media fields ({id, mimeType, sha256, caption, filename}), or empty.
  std::string media;
  /// JSON object with the type's other fields (reply ids, location, context, raw of unsupported).
  std::string details;
  /// When the provider says the debtor sent it (unix seconds).
  std::int64_t timestamp = 0;
};

/// A delivery status reported by the provider for one of our outbound messages.
struct status_update {
  std::string provider_id;
  /// sent, delivered, read, played or failed.
  std::string status;
  /// The debtor's phone in E.164, when given.
  std::string recipient;
  std::int64_t timestamp = 0;
  /// JSON array of the provider's errors ([{code, title, message, ...}]), or empty.
  std::string errors;
};

/// Orders statuses so they apply monotonically (sent < delivered < read); failed
/// only replaces pending or sent. Returns nullopt for an unknown status name.
std::optional<int> status_rank(std::string_view status);

/// True when `next` may replace `current` on a stored message.
bool status_advances(std::string_view current, std::string_view next);

} // namespace crm
