// libFuzzer target: the RFC 4180 reader. The first byte picks the delimiter
// and the GB18030 mode; every record must lie inside the input and the reader
// must always reach the end.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "csv_reader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const char delimiters[] = {',', '\t', '|', ';'};
  const char delimiter = delimiters[data[0] & 3];
  const bool gb18030 = (data[0] & 4) != 0;
  const std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);
  regaudit::import::CsvReader reader(input, delimiter, gb18030);
  regaudit::import::CsvRecord record;
  std::size_t records = 0;
  while (reader.next(record) == regaudit::import::CsvReader::Result::record) {
    if (++records > input.size() + 1) std::abort();  // no progress: an endless loop
    if (record.raw.data() < input.data() ||
        record.raw.data() + record.raw.size() > input.data() + input.size()) {
      std::abort();
    }
  }
  return 0;
}
