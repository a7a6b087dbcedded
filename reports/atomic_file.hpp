// Writing a report so that readers see either the previous file or the whole
// new one: the content goes to a temporary file in the same directory, is
// flushed to disk, and is renamed over the target.
#pragma once

#include <filesystem>
#include <functional>
#include <string_view>

#include "regaudit/status.hpp"

namespace regaudit::reports {

Status write_file_atomically(const std::filesystem::path& target, std::string_view content);

// The same for content produced piece by piece, so that a large report never
// exists as one string: `produce` is called once and hands every piece, in
// order, to the sink it is given. A write error is reported after `produce`
// returns (later pieces are dropped), and the target is left untouched.
//
// The bytes are written past the page cache (O_DIRECT) where the file system
// allows it, unless `io` says otherwise; the file is the same either way.
using ChunkSink = std::function<void(std::string_view)>;
enum class FileIo { direct_when_possible, page_cache };
Status write_file_atomically(const std::filesystem::path& target,
                             const std::function<void(const ChunkSink&)>& produce,
                             FileIo io = FileIo::direct_when_possible);

}  // namespace regaudit::reports
