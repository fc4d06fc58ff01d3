#pragma once
// Matrix products for the autodiff ops without heap allocation. Eigen's GEMM packs blocks of
// its operands into scratch buffers that it takes from malloc once they exceed
// EIGEN_STACK_ALLOCATION_LIMIT (128 KiB: already at 256-wide layers), on every call. Here the
// same GEMM kernel runs with packing buffers from a per-thread workspace that only grows, so
// after the first training step products allocate nothing. Tiny and vector-shaped products go
// through Eigen's ordinary (allocation-free) paths, as Eigen itself would route them.
// This uses Eigen's internal GEMM entry point (stable across Eigen 3.3 and 3.4).

#include <Eigen/Core>

#include <cstddef>
#include <memory>
#include <vector>

namespace rlpp::ad::detail {

template <class T>
struct GemmWorkspace {
  std::vector<T, Eigen::aligned_allocator<T>> block_a, block_b;
  static GemmWorkspace& local() {
    thread_local GemmWorkspace workspace;
    return workspace;
  }
};

// Eigen's blocking for a row-major result, pointed at our buffers. The base class would free
// its block pointers on destruction, so they are cleared first.
template <class T>
class WorkspaceBlocking
    : public Eigen::internal::gemm_blocking_space<Eigen::RowMajor, T, T, Eigen::Dynamic, Eigen::Dynamic, Eigen::Dynamic, 1, false> {
  using Base = Eigen::internal::gemm_blocking_space<Eigen::RowMajor, T, T, Eigen::Dynamic, Eigen::Dynamic, Eigen::Dynamic, 1, false>;

 public:
  WorkspaceBlocking(Eigen::Index rows, Eigen::Index cols, Eigen::Index depth) : Base(rows, cols, depth, 1, true) {
    GemmWorkspace<T>& ws = GemmWorkspace<T>::local();
    const auto size_a = static_cast<std::size_t>(this->mc() * this->kc());
    const auto size_b = static_cast<std::size_t>(this->kc() * this->nc());
    if (ws.block_a.size() < size_a) ws.block_a.resize(size_a);
    if (ws.block_b.size() < size_b) ws.block_b.resize(size_b);
    this->m_blockA = ws.block_a.data();
    this->m_blockB = ws.block_b.data();
  }
  ~WorkspaceBlocking() {
    this->m_blockA = nullptr;
    this->m_blockB = nullptr;
  }
  WorkspaceBlocking(const WorkspaceBlocking&) = delete;
  WorkspaceBlocking& operator=(const WorkspaceBlocking&) = delete;
};

// res (1 x cols or rows x 1) += alpha * lhs · rhs, operands as in gemm() below.
template <class T, int LhsOrder, int RhsOrder>
void gemv(Eigen::Index rows, Eigen::Index cols, Eigen::Index depth, const T* lhs, Eigen::Index lhs_stride, const T* rhs,
          Eigen::Index rhs_stride, T* res, T alpha) {
  using Vector = Eigen::Matrix<T, 1, Eigen::Dynamic>;
  using Strided = Eigen::Map<const Vector, 0, Eigen::InnerStride<>>;
  // Element (i, k) of lhs and (k, j) of rhs: row-major at i*stride + k, column-major at k*stride + i.
  auto lhs_row = [&](Eigen::Index i) {  // row i of lhs as a vector of length depth
    return LhsOrder == Eigen::RowMajor ? Strided(lhs + i * lhs_stride, depth, Eigen::InnerStride<>(1))
                                       : Strided(lhs + i, depth, Eigen::InnerStride<>(lhs_stride));
  };
  auto rhs_col = [&](Eigen::Index j) {  // column j of rhs as a vector of length depth
    return RhsOrder == Eigen::RowMajor ? Strided(rhs + j, depth, Eigen::InnerStride<>(rhs_stride))
                                       : Strided(rhs + j * rhs_stride, depth, Eigen::InnerStride<>(1));
  };
  if (rows == 1) {
    Eigen::Map<Vector> out(res, cols);
    if (RhsOrder == Eigen::RowMajor) {  // out += a_k * rhs row k: contiguous axpys
      const Strided a = lhs_row(0);
      for (Eigen::Index k = 0; k < depth; ++k) out += (alpha * a[k]) * Eigen::Map<const Vector>(rhs + k * rhs_stride, cols);
    } else {  // out_j += a · rhs column j: contiguous dot products
      const Strided a = lhs_row(0);
      for (Eigen::Index j = 0; j < cols; ++j) out[j] += alpha * a.dot(rhs_col(j));
    }
  } else {  // cols == 1
    Eigen::Map<Vector> out(res, rows);  // a column of a row-major rows x 1 matrix is contiguous
    const Strided b = rhs_col(0);
    if (LhsOrder == Eigen::RowMajor) {  // out_i += lhs row i · b
      for (Eigen::Index i = 0; i < rows; ++i) out[i] += alpha * lhs_row(i).dot(b);
    } else {  // out += b_k * lhs column k, contiguous in memory
      for (Eigen::Index k = 0; k < depth; ++k) out += (alpha * b[k]) * Eigen::Map<const Vector>(lhs + k * lhs_stride, rows);
    }
  }
}

// res (rows x cols, row-major, contiguous) = or += alpha * lhs · rhs, where lhs is rows x depth and
// rhs depth x cols, each stored row-major (LhsOrder/RhsOrder = Eigen::RowMajor) or as the
// transpose of a row-major matrix (Eigen::ColMajor), with the given outer strides.
template <class T, int LhsOrder, int RhsOrder>
void gemm(Eigen::Index rows, Eigen::Index cols, Eigen::Index depth, const T* lhs, Eigen::Index lhs_stride,
          const T* rhs, Eigen::Index rhs_stride, T* res, T alpha, bool accumulate) {
  using LhsMatrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, LhsOrder>;
  using RhsMatrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, RhsOrder>;
  using ResMatrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  Eigen::Map<ResMatrix> out(res, rows, cols);
  if (rows == 0 || cols == 0) return;
  if (depth == 0) {
    if (!accumulate) out.setZero();
    return;
  }
  const Eigen::Map<const LhsMatrix, 0, Eigen::OuterStride<>> a(lhs, rows, depth, Eigen::OuterStride<>(lhs_stride));
  const Eigen::Map<const RhsMatrix, 0, Eigen::OuterStride<>> b(rhs, depth, cols, Eigen::OuterStride<>(rhs_stride));
  // Tiny products: coefficient-based, like Eigen's own choice below its GEMM threshold.
  if (rows + cols + depth < 20) {
    if (accumulate) {
      out.noalias() += alpha * a.lazyProduct(b);
    } else {
      out.noalias() = alpha * a.lazyProduct(b);
    }
    return;
  }
  // Vector-shaped products as dot products and axpys over contiguous rows (Eigen's GEMV takes
  // a heap temporary for some of these operand layouts).
  if (rows == 1 || cols == 1) {
    if (!accumulate) out.setZero();
    gemv<T, LhsOrder, RhsOrder>(rows, cols, depth, lhs, lhs_stride, rhs, rhs_stride, res, alpha);
    return;
  }
  if (!accumulate) out.setZero();
  WorkspaceBlocking<T> blocking(rows, cols, depth);
  Eigen::internal::general_matrix_matrix_product<Eigen::Index, T, LhsOrder, false, T, RhsOrder, false, Eigen::RowMajor, 1>::run(
      rows, cols, depth, lhs, lhs_stride, rhs, rhs_stride, res, 1, cols, alpha, blocking, nullptr);
}

}  // namespace rlpp::ad::detail
