#include "domain/csv.hpp"

namespace crm::csv {

std::vector<row> parse(std::string_view text, std::size_t* error_line) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF")
    text.remove_prefix(3);
  std::vector<row> rows;
  row current;
  std::string fieldv;
  std::size_t line = 1, start_line = 1;
  bool quoted = false, field_started = false;
  auto end_field = [&] {
    current.fields.push_back(std::move(fieldv));
    fieldv.clear();
    field_started = false;
  };
  auto end_row = [&] {
    end_field();
    current.line = start_line;
    // A blank line (one empty field) is skipped.
    if (!(current.fields.size() == 1 && current.fields[0].empty()))
      rows.push_back(std::move(current));
    current = row{};
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          fieldv += '"';
          ++i;
        } else {
          quoted = false;
        }
      } else {
        if (c == '\n')
          ++line;
        fieldv += c;
      }
      continue;
    }
    if (c == '"' && !field_started && fieldv.empty()) {
      quoted = true;
      field_started = true;
    } else if (c == ',') {
      end_field();
    } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      continue; // the \n ends the row
    } else if (c == '\n') {
      end_row();
      start_line = ++line;
    } else {
      fieldv += c;
      field_started = true;
    }
  }
  if (quoted) {
    if (error_line)
      *error_line = start_line;
    return {};
  }
  if (!fieldv.empty() || !current.fields.empty() || field_started)
    end_row();
  if (error_line)
    *error_line = 0;
  return rows;
}

std::string field(std::string_view value) {
  std::string v{value};
  if (!v.empty() && (v[0] == '=' || v[0] == '+' || v[0] == '-' || v[0] == '@'))
    v.insert(0, "'");
  if (v.find_first_of(",\"\r\n") == std::string::npos)
    return v;
  std::string out = "\"";
  for (char c : v) {
    if (c == '"')
      out += '"';
    out += c;
  }
  return out + "\"";
}

} // namespace crm::csv
