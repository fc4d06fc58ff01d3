#pragma once
// Heap-allocation counting for tests. Every test binary links tests/test_main.cpp, which
// replaces the global operator new with a counting version and, with glibc outside sanitizer
// builds, malloc and its relatives too (so Eigen's and TBB's allocations count); tests compare
// counts across the code under test, so allocations made elsewhere do not matter.

#include <cstddef>
#include <utility>

namespace rlpp::test {

// Heap allocations since the program started (all threads): malloc-level where available,
// else operator new.
std::size_t allocation_count() noexcept;

// Number of heap allocations made while running f().
template <class F>
std::size_t count_allocations(F&& f) {
  const std::size_t before = allocation_count();
  std::forward<F>(f)();
  return allocation_count() - before;
}

}  // namespace rlpp::test
