// detail::gemm, the products under matmul/matmul_nt/linear: every path (coefficient-based tiny
// products, the register-tiled small kernel with its narrow-result and transposed variants, the
// GEMV path, Eigen's blocked GEMM above the small kernel's limits) against a plain triple loop,
// for the four operand layouts, = and +=, in float and double.

#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "rlpp/autodiff/detail/gemm.hpp"
#include "rlpp/core/rng.hpp"

namespace {

struct GemmShape {
  Eigen::Index rows, cols, depth;
};

// rows x cols results; cols below one vector (1, 2, 3), one vector and a tail (17, 21), several
// tiles (64, 70); rows that leave 1-3 after the 4-row blocks; depth below and above a vector;
// and right operands beyond the L1 cache (100x100), which take Eigen's blocked GEMM at 40 rows
// and the small kernel at 8 (except A·Bᵀ, which never transposes a large B).
const GemmShape gemm_shapes[] = {{1, 1, 1},   {2, 3, 4},   {4, 2, 64},   {128, 2, 64}, {128, 1, 64}, {64, 2, 128},
                        {5, 3, 33},  {7, 17, 9},  {13, 21, 3},  {128, 64, 4}, {128, 64, 64}, {4, 64, 64},
                        {1, 64, 64}, {64, 64, 128}, {9, 70, 31}, {1, 5, 40},  {30, 1, 7},   {6, 300, 8},
                        {20, 12, 600}, {40, 100, 100}, {8, 100, 100}};

template <class T, int LhsOrder, int RhsOrder>
void check_layout(rlpp::RandomStream& rng, const GemmShape& s, bool accumulate) {
  const Eigen::Index n = s.rows, m = s.cols, k = s.depth;
  std::vector<T> a(static_cast<std::size_t>(n * k)), b(static_cast<std::size_t>(k * m)), res(static_cast<std::size_t>(n * m));
  for (T& x : a) x = static_cast<T>(rng.uniform(-1.0, 1.0));
  for (T& x : b) x = static_cast<T>(rng.uniform(-1.0, 1.0));
  for (T& x : res) x = static_cast<T>(rng.uniform(-1.0, 1.0));
  // Element (i, p) of lhs and (p, j) of rhs: row-major at i*stride + p, else p*stride + i.
  const Eigen::Index lhs_stride = LhsOrder == Eigen::RowMajor ? k : n;
  const Eigen::Index rhs_stride = RhsOrder == Eigen::RowMajor ? m : k;
  const auto lhs = [&](Eigen::Index i, Eigen::Index p) {
    return static_cast<double>(LhsOrder == Eigen::RowMajor ? a[i * lhs_stride + p] : a[p * lhs_stride + i]);
  };
  const auto rhs = [&](Eigen::Index p, Eigen::Index j) {
    return static_cast<double>(RhsOrder == Eigen::RowMajor ? b[p * rhs_stride + j] : b[j * rhs_stride + p]);
  };
  const T alpha = T(0.5);
  std::vector<double> expected(res.size());
  for (Eigen::Index i = 0; i < n; ++i)
    for (Eigen::Index j = 0; j < m; ++j) {
      double sum = 0.0;
      for (Eigen::Index p = 0; p < k; ++p) sum += lhs(i, p) * rhs(p, j);
      expected[i * m + j] = (accumulate ? static_cast<double>(res[i * m + j]) : 0.0) + 0.5 * sum;
    }
  rlpp::ad::detail::gemm<T, LhsOrder, RhsOrder>(n, m, k, a.data(), lhs_stride, b.data(), rhs_stride, res.data(), alpha,
                                                accumulate);
  const double tolerance = (sizeof(T) == 4 ? 1e-5 : 1e-12) * static_cast<double>(k + 1);
  int wrong = 0;
  for (std::size_t e = 0; e < res.size(); ++e)
    if (!(std::abs(static_cast<double>(res[e]) - expected[e]) <= tolerance)) ++wrong;
  INFO("shape ", n, "x", m, " depth ", k, ", lhs ", (LhsOrder == Eigen::RowMajor ? "row" : "column"), "-major, rhs ",
       (RhsOrder == Eigen::RowMajor ? "row" : "column"), "-major, accumulate ", accumulate);
  CHECK(wrong == 0);
}

template <class T>
void check_all() {
  rlpp::RandomStream rng(11);
  for (const GemmShape& s : gemm_shapes)
    for (bool accumulate : {false, true}) {
      check_layout<T, Eigen::RowMajor, Eigen::RowMajor>(rng, s, accumulate);
      check_layout<T, Eigen::RowMajor, Eigen::ColMajor>(rng, s, accumulate);
      check_layout<T, Eigen::ColMajor, Eigen::RowMajor>(rng, s, accumulate);
      check_layout<T, Eigen::ColMajor, Eigen::ColMajor>(rng, s, accumulate);
    }
}

}  // namespace

TEST_CASE("gemm matches a plain triple loop on every path, layout and shape (float)") { check_all<float>(); }
TEST_CASE("gemm matches a plain triple loop on every path, layout and shape (double)") { check_all<double>(); }

TEST_CASE("the small kernel's result depends on the operands' values, not their addresses") {
  // The same 128x2 = (128x64)·(64x2) product from buffers at different offsets is bit-identical.
  rlpp::RandomStream rng(3);
  std::vector<float> a(128 * 64 + 16), b(64 * 2 + 16);
  for (float& x : a) x = static_cast<float>(rng.uniform(-1.0, 1.0));
  for (float& x : b) x = static_cast<float>(rng.uniform(-1.0, 1.0));
  std::vector<float> first(128 * 2), shifted(128 * 2);
  std::vector<float> a_moved(a.size()), b_moved(b.size());
  std::copy(a.begin(), a.begin() + 128 * 64, a_moved.begin() + 7);
  std::copy(b.begin(), b.begin() + 64 * 2, b_moved.begin() + 1);
  rlpp::ad::detail::gemm<float, Eigen::RowMajor, Eigen::RowMajor>(128, 2, 64, a.data(), 64, b.data(), 2, first.data(), 1.0f, false);
  rlpp::ad::detail::gemm<float, Eigen::RowMajor, Eigen::RowMajor>(128, 2, 64, a_moved.data() + 7, 64, b_moved.data() + 1, 2,
                                                                  shifted.data(), 1.0f, false);
  CHECK(first == shifted);
}
