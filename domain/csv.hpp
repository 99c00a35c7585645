#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace crm::csv {

/// One parsed line: its 1-based line number in the file (header = 1) and its fields.
struct row {
  std::size_t line = 0;
  std::vector<std::string> fields;
};

/// Reads RFC 4180 CSV (UTF-8, optional BOM, CRLF or LF, "quoted, fields" with "" for a
/// quote, line breaks inside quotes); a trailing empty line is ignored. Returns the rows, or
/// the line where a quote was never closed in `error_line`.
std::vector<row> parse(std::string_view text, std::size_t* error_line = nullptr);

/// Quotes a field when it holds a comma, quote or line break (for exports). A field that
/// starts with = + - @ gets a leading apostrophe so spreadsheets do not run it.
std::string field(std::string_view value);

} // namespace crm::csv
