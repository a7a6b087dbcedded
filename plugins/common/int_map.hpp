// A hash map keyed by 64-bit integers, stored flat (open addressing, linear
// probing) for the rules' big indexes: ID codes and phone numbers of millions
// of rows. std::unordered_map keeps each entry in its own heap block, so a
// look-up costs a bucket read and a pointer chase, and building one costs a
// malloc per entry; at city scale those cache misses and allocations were a
// tenth of the rules' time. Here a look-up reads one slot, the key beside its
// value.
#pragma once

#include <sys/mman.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
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

// Keys of real data are far from random in their low bits (ID codes are
// multiples of 11 plus a check value, numbers multiples of 32 plus a length):
// all 64 bits are mixed before a table uses some of them.
inline std::uint64_t mixed_key(std::uint64_t key) {
  key ^= key >> 33;
  key *= 0xff51afd7ed558ccdULL;
  key ^= key >> 33;
  key *= 0xc4ceb9fe1a85ec53ULL;
  key ^= key >> 33;
  return key;
}

// Starts loading the cache line that holds `object`. GCC 12 at -O2 dropped
// __builtin_prefetch from IntMap::prefetch (no instruction in the plugins),
// so on x86-64 the instruction is written out.
template <class T>
void prefetch_line(const T& object) {
#if defined(__x86_64__)
  asm volatile("prefetcht0 %0" : : "m"(object));
#else
  __builtin_prefetch(&object);
#endif
}

// How many rows ahead a loop prefetches (IntMap::prefetch): enough for the
// misses to overlap, few enough that the prefetched lines are still in the
// cache when their row comes.
inline constexpr std::size_t kPrefetchAhead = 8;

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
  // Starts loading the slot a look-up of `key` reads first. A loop over rows
  // already in memory asks for the key of a row some rows ahead: at city
  // scale nearly every look-up misses the cache, and the misses then overlap
  // instead of stalling the loop one after the other.
  void prefetch(std::uint64_t key) const {
    if (!slots_.empty()) prefetch_line(slots_[slot(key)]);
  }

  std::size_t size() const { return size_; }
  // Calls `f(key)` for every key, in no particular order.
  template <class F>
  void for_each_key(F f) const {
    for (const Slot& s : slots_) {
      if (s.key != kFree) f(s.key);
    }
    if (free_key_value_) f(kFree);
  }
  // Calls `f(value)` for every value, in no particular order.
  template <class F>
  void for_each_value(F f) {
    for (Slot& s : slots_) {
      if (s.key != kFree) f(s.value);
    }
    if (free_key_value_) f(*free_key_value_);
  }
  // Room for `n` keys without growing, made in one step. Filling a table of
  // hundreds of megabytes by doubling touched twice its final size in fresh
  // memory and moved every key once per doubling; a loader that knows (or
  // can estimate, DistinctKeys) how many keys are coming reserves first.
  void reserve(std::size_t n) {
    std::size_t capacity = slots_.empty() ? 16 : slots_.size();
    while (n * 5 > capacity * 4) capacity *= 2;
    if (capacity > slots_.size()) rehash(capacity);
  }

 private:
  static constexpr std::uint64_t kFree = ~std::uint64_t{0};  // marks a free slot
  struct Slot {
    std::uint64_t key = kFree;
    [[no_unique_address]] V value{};  // takes no room in a set
  };

  std::size_t slot(std::uint64_t key) const {
    return static_cast<std::size_t>(mixed_key(key)) & mask_;
  }

  void grow() { rehash(slots_.empty() ? 16 : slots_.size() * 2); }

  // Moves every key into a table `capacity` (a power of two) long.
  void rehash(std::size_t capacity) {
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
  void reserve(std::size_t n) { map_.reserve(n); }
  // Calls `f(key)` for every key, in no particular order.
  template <class F>
  void for_each(F f) const {
    map_.for_each_key(f);
  }

 private:
  struct Nothing {};
  IntMap<Nothing> map_;
};

// An estimate of how many distinct keys were added, within about 1 % (the
// HyperLogLog sketch of Flajolet et al., 2^14 one-byte registers), in 16 KiB
// whatever the count: what a loader reserves an IntMap for when its rows
// repeat keys in an unknown proportion (a number on several links).
class DistinctKeys {
 public:
  void add(std::uint64_t key) {
    const std::uint64_t h = mixed_key(key);
    const std::size_t r = static_cast<std::size_t>(h >> (64 - kBits));
    // The position of the first 1 bit after the register's bits; a guard
    // bit bounds it when the rest is all zeros.
    const std::uint64_t rest = (h << kBits) | (std::uint64_t{1} << (kBits - 1));
    const auto rank = static_cast<std::uint8_t>(std::countl_zero(rest) + 1);
    registers_[r] = std::max(registers_[r], rank);
  }
  std::size_t estimate() const {
    constexpr double m = kRegisters;
    double sum = 0;
    std::size_t zeros = 0;
    for (const std::uint8_t v : registers_) {
      sum += std::ldexp(1.0, -v);
      zeros += v == 0;
    }
    double e = 0.7213 / (1 + 1.079 / m) * m * m / sum;
    // Few keys: counting the empty registers is the better estimate.
    if (e <= 2.5 * m && zeros > 0) e = m * std::log(m / static_cast<double>(zeros));
    return static_cast<std::size_t>(std::llround(e));
  }

 private:
  static constexpr int kBits = 14;
  static constexpr std::size_t kRegisters = std::size_t{1} << kBits;
  std::array<std::uint8_t, kRegisters> registers_{};
};

}  // namespace regaudit::rules
