// The rows of a registry's tables, counted from the bytes of its file as the
// digest reads them (InputFacts): a table's rows are the cells of the leaf
// pages of its b-tree (the SQLite file format, section "B-tree Pages"), and
// the digest reads every page anyway. `SELECT count(*)` read each table a
// second time through SQLite: at 10 M persons 0.9 s of CPU for the tables the
// report counts but no rule reads whole, on the thread that ends the rules'
// phase.
//
// Only a file whose pages alone say what it holds is counted: not one in WAL
// mode (its newest pages may be in the -wal file), nor one whose size
// disagrees with its header. A table whose b-tree cannot be walked (a page
// that is not a table b-tree page, a child out of the file, a page met twice)
// has no count here; the caller then asks SQLite.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace regaudit::host {

class BtreeRowCounter {
 public:
  // The file's next bytes, in order from its first, in pieces of any size.
  void take(std::string_view bytes);
  // After the last piece: whether the pages read are a database file whose
  // tables can be counted from them.
  bool usable() const;
  // The rows of the table whose b-tree is rooted at page `root_page`;
  // nullopt when !usable() or the b-tree cannot be walked.
  std::optional<std::int64_t> rows(std::int64_t root_page) const;

 private:
  void take_page(const unsigned char* page);
  void take_header(const unsigned char* page);

  std::size_t page_size_ = 0;       // 0 until the header is read
  bool refused_ = false;            // not a file counted here
  std::uint32_t header_pages_ = 0;  // the header's page count; 0 when not valid
  std::uint32_t pages_ = 0;         // pages read
  std::string partial_;             // the start of a page split between pieces
  // Per page (index page number - 1): its b-tree page type (0 for none).
  std::vector<std::uint8_t> types_;
  // Per page: the cells of a table leaf page.
  std::vector<std::uint16_t> cells_;
  // The interior table pages, in page order, each with where its children
  // start in children_ (they end where the next page's start).
  std::vector<std::pair<std::uint32_t, std::size_t>> interior_;
  std::vector<std::uint32_t> children_;
};

}  // namespace regaudit::host
