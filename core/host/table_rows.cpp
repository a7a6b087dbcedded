#include "table_rows.hpp"

#include <algorithm>
#include <cstring>

namespace regaudit::host {
namespace {

// SQLite's integers are big-endian.
std::uint32_t be16(const unsigned char* p) {
  return static_cast<std::uint32_t>(p[0]) << 8 | p[1];
}
std::uint32_t be32(const unsigned char* p) {
  return static_cast<std::uint32_t>(p[0]) << 24 | static_cast<std::uint32_t>(p[1]) << 16 |
         static_cast<std::uint32_t>(p[2]) << 8 | p[3];
}

constexpr std::size_t kHeaderBytes = 100;
constexpr std::uint8_t kInteriorTable = 0x05;
constexpr std::uint8_t kLeafTable = 0x0D;

}  // namespace

void BtreeRowCounter::take(std::string_view bytes) {
  while (!bytes.empty() && !refused_) {
    if (page_size_ == 0) {
      // The page size is in the header: the first 100 bytes, kept whole.
      const std::size_t n = std::min(kHeaderBytes - partial_.size(), bytes.size());
      partial_.append(bytes.substr(0, n));
      bytes.remove_prefix(n);
      if (partial_.size() < kHeaderBytes) return;
      take_header(reinterpret_cast<const unsigned char*>(partial_.data()));
      continue;
    }
    if (!partial_.empty() || bytes.size() < page_size_) {
      const std::size_t n = std::min(page_size_ - partial_.size(), bytes.size());
      partial_.append(bytes.substr(0, n));
      bytes.remove_prefix(n);
      if (partial_.size() == page_size_) {
        take_page(reinterpret_cast<const unsigned char*>(partial_.data()));
        partial_.clear();
      }
      continue;
    }
    while (bytes.size() >= page_size_) {
      take_page(reinterpret_cast<const unsigned char*>(bytes.data()));
      bytes.remove_prefix(page_size_);
    }
  }
}

void BtreeRowCounter::take_header(const unsigned char* header) {
  static constexpr char kMagic[] = "SQLite format 3";  // with its terminating zero: 16 bytes
  const std::uint32_t size = be16(header + 16);
  page_size_ = size == 1 ? 65536 : size;
  // Versions 2 (WAL): the newest pages may be in the -wal file. Above 2:
  // a format this reader does not know.
  const bool known_format = header[18] == 1 && header[19] == 1;
  refused_ = std::memcmp(header, kMagic, sizeof kMagic) != 0 || page_size_ < 512 ||
             page_size_ > 65536 || (page_size_ & (page_size_ - 1)) != 0 || !known_format;
  // The page count in the header is valid when the change counter equals
  // the "version-valid-for" number.
  if (be32(header + 24) == be32(header + 92)) header_pages_ = be32(header + 28);
}

void BtreeRowCounter::take_page(const unsigned char* page) {
  const std::uint32_t number = ++pages_;
  const std::size_t at = number == 1 ? kHeaderBytes : 0;  // the b-tree page header
  const std::uint8_t type = page[at];
  std::uint16_t cells = 0;
  if (type == kLeafTable) {
    cells = static_cast<std::uint16_t>(be16(page + at + 3));
  } else if (type == kInteriorTable) {
    // Each cell starts with its left child's page number; the right-most
    // child follows the cell count. Pages of other kinds (overflow, free)
    // may look like this one by chance: only pages reached from a root are
    // ever used.
    const std::size_t n = be16(page + at + 3);
    const std::size_t pointers = at + 12;
    bool whole = pointers + 2 * n <= page_size_;
    const std::size_t first = children_.size();
    for (std::size_t i = 0; whole && i < n; ++i) {
      const std::size_t cell = be16(page + pointers + 2 * i);
      whole = cell >= pointers + 2 * n && cell + 4 <= page_size_;
      if (whole) children_.push_back(be32(page + cell));
    }
    if (whole) {
      children_.push_back(be32(page + at + 8));
      interior_.emplace_back(number, first);
    } else {
      children_.resize(first);
    }
  }
  types_.push_back(type);
  cells_.push_back(cells);
}

bool BtreeRowCounter::usable() const {
  return !refused_ && page_size_ != 0 && partial_.empty() && pages_ > 0 &&
         (header_pages_ == 0 || header_pages_ == pages_);
}

std::optional<std::int64_t> BtreeRowCounter::rows(std::int64_t root_page) const {
  if (!usable() || root_page < 1 || root_page > pages_) return std::nullopt;
  std::vector<bool> seen(pages_ + std::size_t{1});
  std::vector<std::uint32_t> pending{static_cast<std::uint32_t>(root_page)};
  std::int64_t rows = 0;
  while (!pending.empty()) {
    const std::uint32_t page = pending.back();
    pending.pop_back();
    if (page < 1 || page > pages_ || seen[page]) return std::nullopt;
    seen[page] = true;
    if (types_[page - 1] == kLeafTable) {
      rows += cells_[page - 1];
      continue;
    }
    const auto it = std::lower_bound(interior_.begin(), interior_.end(), page,
                                     [](const std::pair<std::uint32_t, std::size_t>& p,
                                        std::uint32_t n) { return p.first < n; });
    if (types_[page - 1] != kInteriorTable || it == interior_.end() || it->first != page) {
      return std::nullopt;
    }
    const std::size_t end = it + 1 == interior_.end() ? children_.size() : (it + 1)->second;
    pending.insert(pending.end(), children_.begin() + static_cast<std::ptrdiff_t>(it->second),
                   children_.begin() + static_cast<std::ptrdiff_t>(end));
  }
  return rows;
}

}  // namespace regaudit::host
