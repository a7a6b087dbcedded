// A hash map keyed by 64-bit integers, stored flat (open addressing, linear
// probing) for the rules' big indexes: ID codes and phone numbers of millions
// of rows. std::unordered_map keeps each entry in its own heap block, so a
// look-up costs a bucket read and a pointer chase, and building one costs a
// malloc per entry; at city scale those cache misses and allocations were a
// tenth of the rules' time. Here a look-up reads one slot, the key beside its
// value.
#pragma once

#include <sys/mman.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <utility>
#include <vector>

namespace regaudit::rules {

// Big tables in 2 MiB pages where the kernel offers them (Linux transparent
// huge pages, when asked for with madvise; the mapping is aligned to 2 MiB,
// which Debian 12's kernel does not do by itself): a look-up at a random place
// of a table of hundreds of megabytes otherwise missed the TLB as well as the
// cache. Small tables come from the heap as usual.
template <class T>
struct BigTableAllocator {
  using value_type = T;
  BigTableAllocator() = default;
  template <class U>
  BigTableAllocator(const BigTableAllocator<U>&) noexcept {}

  static constexpr std::size_t kHugePage = std::size_t{2} << 20;
  static constexpr std::size_t kMapped = std::size_t{8} << 20;  // from this size on

  T* allocate(std::size_t n) {
    const std::size_t bytes = n * sizeof(T);
    if (bytes < kMapped) return std::allocator<T>().allocate(n);
    const std::size_t length = rounded(bytes);
    // One huge page more than needed, then the unaligned head and the tail
    // given back.
    void* mapped = mmap(nullptr, length + kHugePage, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mapped == MAP_FAILED) throw std::bad_alloc();
    const auto at = reinterpret_cast<std::uintptr_t>(mapped);
    const std::uintptr_t start = (at + kHugePage - 1) / kHugePage * kHugePage;
    if (start > at) munmap(mapped, start - at);
    if (const std::uintptr_t end = at + length + kHugePage; end > start + length) {
      munmap(reinterpret_cast<void*>(start + length), end - (start + length));
    }
    void* p = reinterpret_cast<void*>(start);
#ifdef MADV_HUGEPAGE
    (void)madvise(p, length, MADV_HUGEPAGE);  // a hint; 4 KiB pages otherwise
#endif
    return static_cast<T*>(p);
  }
  void deallocate(T* p, std::size_t n) noexcept {
    const std::size_t bytes = n * sizeof(T);
    if (bytes < kMapped) {
      std::allocator<T>().deallocate(p, n);
    } else {
      munmap(p, rounded(bytes));
    }
  }
  template <class U>
  bool operator==(const BigTableAllocator<U>&) const noexcept {
    return true;
  }

 private:
  static std::size_t rounded(std::size_t bytes) {
    return (bytes + kHugePage - 1) / kHugePage * kHugePage;
  }
};

// Values are default-constructed when first asked for and never erased.
// Pointers into the map stay valid until a key is inserted (a look-up of a
// key that is present, by find or try_emplace, moves nothing). Each key sits
// beside its value, so that a look-up at 10 M entries costs one cache miss,
// not one in a key array and another in a value array.
template <class V>
class IntMap {
 public:
  // The value of `key`, default-constructed when absent, and whether it was.
  std::pair<V*, bool> try_emplace(std::uint64_t key) {
    if (key == kFree) {
      const bool inserted = free_key_value_ == nullptr;
      if (inserted) {
        free_key_value_ = std::make_unique<V>();
        ++size_;
      }
      return {free_key_value_.get(), inserted};
    }
    if (V* present = find(key)) return {present, false};
    if ((size_ + 1) * 5 > slots_.size() * 4) grow();  // at most 80 % full
    std::size_t i = slot(key);
    while (slots_[i].key != kFree) i = (i + 1) & mask_;
    slots_[i].key = key;
    ++size_;
    return {&slots_[i].value, true};
  }
  V& operator[](std::uint64_t key) { return *try_emplace(key).first; }

  // The value of `key`, or nullptr.
  const V* find(std::uint64_t key) const {
    if (key == kFree) return free_key_value_.get();
    if (slots_.empty()) return nullptr;
    for (std::size_t i = slot(key);; i = (i + 1) & mask_) {
      if (slots_[i].key == key) return &slots_[i].value;
      if (slots_[i].key == kFree) return nullptr;
    }
  }
  V* find(std::uint64_t key) { return const_cast<V*>(static_cast<const IntMap&>(*this).find(key)); }
  bool contains(std::uint64_t key) const { return find(key) != nullptr; }

  std::size_t size() const { return size_; }
  // Room for `n` keys without growing.
  void reserve(std::size_t n) {
    while (n * 5 > slots_.size() * 4) grow();
  }

 private:
  static constexpr std::uint64_t kFree = ~std::uint64_t{0};  // marks a free slot
  struct Slot {
    std::uint64_t key = kFree;
    [[no_unique_address]] V value{};  // takes no room in a set
  };

  // Keys of real data are far from random in their low bits (ID codes are
  // multiples of 11 plus a check value, numbers multiples of 32 plus a
  // length): mix all 64 bits before masking.
  std::size_t slot(std::uint64_t key) const {
    key ^= key >> 33;
    key *= 0xff51afd7ed558ccdULL;
    key ^= key >> 33;
    key *= 0xc4ceb9fe1a85ec53ULL;
    key ^= key >> 33;
    return static_cast<std::size_t>(key) & mask_;
  }

  void grow() {
    const std::size_t capacity = slots_.empty() ? 16 : slots_.size() * 2;
    std::vector<Slot, BigTableAllocator<Slot>> old(capacity);
    old.swap(slots_);
    mask_ = capacity - 1;
    for (Slot& from : old) {
      if (from.key == kFree) continue;
      std::size_t i = slot(from.key);
      while (slots_[i].key != kFree) i = (i + 1) & mask_;
      slots_[i].key = from.key;
      slots_[i].value = std::move(from.value);
    }
  }

  std::vector<Slot, BigTableAllocator<Slot>> slots_;  // a power of two long
  std::size_t mask_ = 0;
  std::size_t size_ = 0;
  std::unique_ptr<V> free_key_value_;  // the value of the key kFree itself
};

// A set of 64-bit integers, stored like IntMap.
class IntSet {
 public:
  // Whether `key` was new.
  bool insert(std::uint64_t key) { return map_.try_emplace(key).second; }
  bool contains(std::uint64_t key) const { return map_.contains(key); }
  std::size_t size() const { return map_.size(); }

 private:
  struct Nothing {};
  IntMap<Nothing> map_;
};

}  // namespace regaudit::rules
