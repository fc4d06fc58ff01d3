#pragma once
// Heap-allocation counting for tests. Every test binary links tests/test_main.cpp, which
// replaces the global operator new with a counting version; tests compare counts across the
// code under test, so allocations made elsewhere (doctest, set-up) do not matter.

#include <cstddef>
#include <utility>

namespace rlpp::test {

// Allocations made through the global operator new since the program started (all threads).
std::size_t allocation_count() noexcept;

// Number of heap allocations made while running f().
template <class F>
std::size_t count_allocations(F&& f) {
  const std::size_t before = allocation_count();
  std::forward<F>(f)();
  return allocation_count() - before;
}

}  // namespace rlpp::test
