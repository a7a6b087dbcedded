// A growable array of trivially copyable values, kept with malloc and
// realloc, for the shared tables of millions of rows (phone links, persons,
// their texts). glibc maps a large block on its own and grows it with
// mremap: the pages already filled move without a copy and are not touched
// again. std::vector copies everything into a fresh block at each doubling
// and once more in shrink_to_fit; at 10 M persons that was gigabytes of new
// memory touched, which on a virtual machine costs a second or more per GiB.
// For the same reason the pages of a large block are faulted in a few
// megabytes ahead of the filling, not a doubling's whole room at once: the
// 16.8 M phone links of the 10 M city fill 48 % of their last doubling, and
// faulting in all of it had the kernel zero 0.8 GB that was never used.
#pragma once

#include <sys/mman.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>
#include <type_traits>
#include <utility>

namespace regaudit::rules {

// Faults in the whole pages of [data, data + bytes) at once, as writable,
// without changing what they hold. Memory fresh from the system is handed
// out a page at a time, each first write a fault, and on a virtual machine a
// fault costs far more than writing the page: for a block about to be filled,
// one call does the work of all those faults more cheaply. A hint only:
// nothing happens where the kernel does not know MADV_POPULATE_WRITE (before
// Linux 5.14), and a failure leaves the pages to be faulted in as written.
inline void populate_pages(void* data, std::size_t bytes) {
#ifdef MADV_POPULATE_WRITE
  constexpr std::uintptr_t kPage = 4096;  // the smallest page; a larger one is covered too
  const auto from = (reinterpret_cast<std::uintptr_t>(data) + kPage - 1) / kPage * kPage;
  const auto to = (reinterpret_cast<std::uintptr_t>(data) + bytes) / kPage * kPage;
  if (to > from) (void)madvise(reinterpret_cast<void*>(from), to - from, MADV_POPULATE_WRITE);
#else
  (void)data;
  (void)bytes;
#endif
}

template <class T>
class PodVector {
  static_assert(std::is_trivially_copyable_v<T>, "PodVector moves values with realloc");

 public:
  PodVector() = default;
  PodVector(PodVector&& other) noexcept
      : data_(std::exchange(other.data_, nullptr)),
        size_(std::exchange(other.size_, 0)),
        capacity_(std::exchange(other.capacity_, 0)),
        ready_(std::exchange(other.ready_, 0)) {}
  PodVector& operator=(PodVector&& other) noexcept {
    PodVector moved(std::move(other));
    std::swap(data_, moved.data_);
    std::swap(size_, moved.size_);
    std::swap(capacity_, moved.capacity_);
    std::swap(ready_, moved.ready_);
    return *this;
  }
  PodVector(const PodVector&) = delete;
  PodVector& operator=(const PodVector&) = delete;
  ~PodVector() { std::free(data_); }

  void push_back(const T& value) {
    if (size_ == ready_) make_ready(1);
    data_[size_++] = value;
  }
  // Appends `n` values starting at `values`.
  void append(const T* values, std::size_t n) {
    if (n == 0) return;
    if (n > ready_ - size_) make_ready(n);
    std::memcpy(data_ + size_, values, n * sizeof(T));
    size_ += n;
  }
  // Gives back the room not used (in place for a mapped block).
  void shrink_to_fit() {
    if (size_ < capacity_) reallocate(size_);
  }

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const T* data() const { return data_; }
  const T& operator[](std::size_t i) const { return data_[i]; }
  const T* begin() const { return data_; }
  const T* end() const { return data_ + size_; }
  std::size_t capacity() const { return capacity_; }

 private:
  static constexpr std::size_t kLargeBytes = std::size_t{1} << 20;   // faulted in ahead from here
  static constexpr std::size_t kAheadBytes = std::size_t{16} << 20;  // that far ahead at a time

  // Room for `n` more values, its pages faulted in: the block doubles when
  // full, and the values that fit in the next kAheadBytes after those ready
  // are made ready, their pages faulted in at once when the block is large.
  void make_ready(std::size_t n) {
    if (n > capacity_ - size_) {
      std::size_t capacity = capacity_ == 0 ? 64 : capacity_;
      while (capacity - size_ < n) capacity *= 2;
      reallocate(capacity);
    }
    const std::size_t ahead = std::max<std::size_t>(1, kAheadBytes / sizeof(T));
    const std::size_t ready = std::min(capacity_, std::max(size_ + n, ready_ + ahead));
    if (capacity_ * sizeof(T) >= kLargeBytes) {
      populate_pages(data_ + ready_, (ready - ready_) * sizeof(T));
    }
    ready_ = ready;
  }

  void reallocate(std::size_t capacity) {
    if (capacity == 0) {
      std::free(data_);
      data_ = nullptr;
      capacity_ = 0;
      ready_ = 0;
      return;
    }
    void* p = std::realloc(data_, capacity * sizeof(T));
    if (p == nullptr) throw std::bad_alloc();
    data_ = static_cast<T*>(p);
    capacity_ = capacity;
    // Past the values, a block realloc moved has only the pages written so far.
    ready_ = std::min(size_, capacity_);
  }

  T* data_ = nullptr;
  std::size_t size_ = 0;
  std::size_t capacity_ = 0;
  std::size_t ready_ = 0;  // size_ to ready_: room whose pages were faulted in (<= capacity_)
};

}  // namespace regaudit::rules
