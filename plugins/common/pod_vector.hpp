// A growable array of trivially copyable values, kept with malloc and
// realloc, for the shared tables of millions of rows (phone links, persons,
// their texts). glibc maps a large block on its own and grows it with
// mremap: the pages already filled move without a copy and are not touched
// again. std::vector copies everything into a fresh block at each doubling
// and once more in shrink_to_fit; at 10 M persons that was gigabytes of new
// memory touched, which on a virtual machine costs a second or more per GiB.
#pragma once

#include <sys/mman.h>

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
        capacity_(std::exchange(other.capacity_, 0)) {}
  PodVector& operator=(PodVector&& other) noexcept {
    PodVector moved(std::move(other));
    std::swap(data_, moved.data_);
    std::swap(size_, moved.size_);
    std::swap(capacity_, moved.capacity_);
    return *this;
  }
  PodVector(const PodVector&) = delete;
  PodVector& operator=(const PodVector&) = delete;
  ~PodVector() { std::free(data_); }

  void push_back(const T& value) {
    if (size_ == capacity_) reallocate(capacity_ == 0 ? 64 : capacity_ * 2);
    data_[size_++] = value;
  }
  // Appends `n` values starting at `values`.
  void append(const T* values, std::size_t n) {
    if (n == 0) return;
    if (size_ + n > capacity_) {
      std::size_t capacity = capacity_ == 0 ? 64 : capacity_;
      while (capacity < size_ + n) capacity *= 2;
      reallocate(capacity);
    }
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

 private:
  void reallocate(std::size_t capacity) {
    if (capacity == 0) {
      std::free(data_);
      data_ = nullptr;
      capacity_ = 0;
      return;
    }
    void* p = std::realloc(data_, capacity * sizeof(T));
    if (p == nullptr) throw std::bad_alloc();
    data_ = static_cast<T*>(p);
    // The new room of a large block faulted in at once, ahead of its filling.
    const std::size_t room = capacity > capacity_ ? (capacity - capacity_) * sizeof(T) : 0;
    if (room >= (std::size_t{1} << 20)) populate_pages(data_ + capacity_, room);
    capacity_ = capacity;
  }

  T* data_ = nullptr;
  std::size_t size_ = 0;
  std::size_t capacity_ = 0;
};

}  // namespace regaudit::rules
