// libFuzzer target: the debtor importer's CSV reader, and the writer on what it read.
#include "domain/csv.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text{reinterpret_cast<const char*>(data), size};
  std::size_t error_line = 0;
  for (auto& row : crm::csv::parse(text, &error_line))
    for (auto& cell : row.fields)
      (void)crm::csv::field(cell);
  return 0;
}
