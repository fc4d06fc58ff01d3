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
  std::vector<T> transposed;  // the right operand of a small A·Bᵀ, as rows of B
  std::vector<T> tail;        // the last cols % W columns of a small product's right operand
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

// ---- small products: a register-tiled kernel without packing ---------------------------------
// The layers of RL policies are narrow (64 to 256 units) and their batches short (1 to 256
// rows); there Eigen's GEMM spends as long packing its operands as multiplying them. This
// kernel reads the right operand in place as row-major rows (the transposed case copies it
// once into a per-thread buffer) and keeps an MR x (NV vectors) block of the result in
// registers while it walks the inner dimension, in order k = 0, 1, ...: the result does not
// depend on the operands' addresses, only on their values.
namespace small_gemm {
#if defined(__AVX512F__)
inline constexpr int vector_bytes = 64;
#elif defined(__AVX__)
inline constexpr int vector_bytes = 32;
#else
inline constexpr int vector_bytes = 16;
#endif
template <class T>
struct Vec {
  typedef T type __attribute__((vector_size(vector_bytes)));
  static constexpr int width = vector_bytes / static_cast<int>(sizeof(T));
  static type load(const T* p) {
    type v;
    __builtin_memcpy(&v, p, sizeof(type));
    return v;
  }
  static void store(T* p, const type& v) { __builtin_memcpy(p, &v, sizeof(type)); }
};

inline constexpr int max_rows = 4;                       // MR: result rows per tile
inline constexpr int max_vectors = vector_bytes == 64 ? 4 : 2;  // NV: result vectors per tile row

// C[r, j0 + v*W + l] (+)= alpha * sum_k A(r, k) B[k, j0 + v*W + l] for r < MR, v < NV, l < W.
// A(r, k) = a[r * a_row + k * a_col]; B row k at b + k * ldb.
template <class T, int MR, int NV>
inline void tile(Eigen::Index depth, const T* a, Eigen::Index a_row, Eigen::Index a_col, const T* b, Eigen::Index ldb,
                 T* c, Eigen::Index ldc, T alpha, bool accumulate) {
  using V = typename Vec<T>::type;
  constexpr int W = Vec<T>::width;
  V acc[MR][NV];
  for (int r = 0; r < MR; ++r)
    for (int v = 0; v < NV; ++v) acc[r][v] = V{};
  for (Eigen::Index k = 0; k < depth; ++k) {
    V bk[NV];
    for (int v = 0; v < NV; ++v) bk[v] = Vec<T>::load(b + k * ldb + v * W);
    for (int r = 0; r < MR; ++r) {
      const T s = a[r * a_row + k * a_col];
      for (int v = 0; v < NV; ++v) acc[r][v] += s * bk[v];
    }
  }
  for (int r = 0; r < MR; ++r)
    for (int v = 0; v < NV; ++v) {
      T* out = c + r * ldc + v * W;
      const V scaled = alpha == T(1) ? acc[r][v] : acc[r][v] * alpha;
      Vec<T>::store(out, accumulate ? Vec<T>::load(out) + scaled : scaled);
    }
}

// MR result rows starting at the row `a` points to: the columns that fill whole vectors, then
// the last cols % W through `tail`, a zero-padded copy of those columns of B (depth x W).
template <class T, int MR>
inline void row_block(Eigen::Index cols, Eigen::Index depth, const T* a, Eigen::Index a_row, Eigen::Index a_col,
                      const T* b, Eigen::Index ldb, const T* tail, T* c, Eigen::Index ldc, T alpha, bool accumulate) {
  constexpr int W = Vec<T>::width;
  constexpr int NV = max_vectors;
  Eigen::Index j = 0;
  for (; j + NV * W <= cols; j += NV * W) tile<T, MR, NV>(depth, a, a_row, a_col, b + j, ldb, c + j, ldc, alpha, accumulate);
  for (; j + W <= cols; j += W) tile<T, MR, 1>(depth, a, a_row, a_col, b + j, ldb, c + j, ldc, alpha, accumulate);
  if (j < cols) {
    T part[MR * W];
    tile<T, MR, 1>(depth, a, a_row, a_col, tail, W, part, W, alpha, false);
    for (int r = 0; r < MR; ++r)
      for (Eigen::Index l = 0; l < cols - j; ++l) {
        T& out = c[r * ldc + j + l];
        out = accumulate ? out + part[r * W + l] : part[r * W + l];
      }
  }
}

// res (rows x cols, row-major, leading dimension cols) (+)= alpha * A · B, B row-major with
// leading dimension ldb, A(i, k) = a[i * a_row + k * a_col]. `scratch` holds depth * W values.
template <class T>
void run(Eigen::Index rows, Eigen::Index cols, Eigen::Index depth, const T* a, Eigen::Index a_row, Eigen::Index a_col,
         const T* b, Eigen::Index ldb, T* res, T alpha, bool accumulate, T* scratch) {
  constexpr int W = Vec<T>::width;
  const Eigen::Index full = cols / W * W;
  if (full < cols) {
    for (Eigen::Index k = 0; k < depth; ++k)
      for (Eigen::Index l = 0; l < W; ++l) scratch[k * W + l] = full + l < cols ? b[k * ldb + full + l] : T(0);
  }
  Eigen::Index i = 0;
  for (; i + max_rows <= rows; i += max_rows)
    row_block<T, max_rows>(cols, depth, a + i * a_row, a_row, a_col, b, ldb, scratch, res + i * cols, cols, alpha, accumulate);
  const T* a_rest = a + i * a_row;
  T* res_rest = res + i * cols;
  switch (rows - i) {
    case 3: row_block<T, 3>(cols, depth, a_rest, a_row, a_col, b, ldb, scratch, res_rest, cols, alpha, accumulate); break;
    case 2: row_block<T, 2>(cols, depth, a_rest, a_row, a_col, b, ldb, scratch, res_rest, cols, alpha, accumulate); break;
    case 1: row_block<T, 1>(cols, depth, a_rest, a_row, a_col, b, ldb, scratch, res_rest, cols, alpha, accumulate); break;
    default: break;
  }
}

// The lanes' sum, pairwise in a fixed order (Eigen's predux where its packet is this vector).
template <class T>
inline T reduce(const typename Vec<T>::type& v) {
  using Packet = typename Eigen::internal::packet_traits<T>::type;
  if constexpr (sizeof(Packet) == sizeof(v)) {
    Packet p;
    __builtin_memcpy(&p, &v, sizeof(p));
    return Eigen::internal::predux(p);
  } else {
    constexpr int W = Vec<T>::width;
    T lanes[W];
    Vec<T>::store(lanes, v);
    for (int half = W / 2; half > 0; half /= 2)
      for (int l = 0; l < half; ++l) lanes[l] += lanes[l + half];
    return lanes[0];
  }
}

// x · y over n contiguous values: two vector accumulators, their lanes' sum, then
// the remaining n % W products.
template <class T>
inline T dot(Eigen::Index n, const T* x, const T* y) {
  using V = typename Vec<T>::type;
  constexpr int W = Vec<T>::width;
  const Eigen::Index full = n / W * W;
  V acc0{}, acc1{};
  Eigen::Index k = 0;
  for (; k + 2 * W <= full; k += 2 * W) {
    acc0 += Vec<T>::load(x + k) * Vec<T>::load(y + k);
    acc1 += Vec<T>::load(x + k + W) * Vec<T>::load(y + k + W);
  }
  if (k < full) acc0 += Vec<T>::load(x + k) * Vec<T>::load(y + k);
  acc0 += acc1;
  T sum = reduce<T>(acc0);
  for (k = full; k < n; ++k) sum += x[k] * y[k];
  return sum;
}

// Results narrower than a vector (policy and value heads): with A's rows contiguous
// (a_col == 1), each element is a dot product of a row of A and a column of B, the columns
// first copied contiguous into `scratch` (cols x depth); the lanes' partial sums are added in
// a fixed order at the end.
template <class T>
void run_dots(Eigen::Index rows, Eigen::Index cols, Eigen::Index depth, const T* a, Eigen::Index a_row, const T* b,
              Eigen::Index ldb, T* res, T alpha, bool accumulate, T* scratch) {
  for (Eigen::Index k = 0; k < depth; ++k)
    for (Eigen::Index j = 0; j < cols; ++j) scratch[j * depth + k] = b[k * ldb + j];
  for (Eigen::Index i = 0; i < rows; ++i) {
    const T* ai = a + i * a_row;
    for (Eigen::Index j = 0; j < cols; ++j) {
      const T sum = dot<T>(depth, ai, scratch + j * depth);
      T& out = res[i * cols + j];
      out = accumulate ? out + alpha * sum : alpha * sum;
    }
  }
}

// Where this kernel beats Eigen's GEMM (measured on AVX-512 with benchmarks/nn_speed shapes):
// while the right operand fits the L1 cache (64x64, 64x128, 17x256 ...) at any number of rows;
// for results up to 64 wide at any depth (the weight gradients Xᵀ·G of 64-wide layers, whose
// inner dimension is the batch: B's rows are streamed once per 4 result rows); and for a few
// rows whatever B's size when it is read in place (batch 1-16 inference, where Eigen's packing
// costs more than the product). Larger products take Eigen's blocked GEMM, whose cache
// blocking wins there (256x256 layers at batch 64+ by 1.1-1.5x).
inline constexpr Eigen::Index max_in_cache = 64 * 128;
inline constexpr Eigen::Index max_streamed_cols = 64;
inline constexpr Eigen::Index max_rows_any_size = 16;
template <int RhsOrder>
constexpr bool use(Eigen::Index rows, Eigen::Index cols, Eigen::Index depth) {
  return cols * depth <= max_in_cache || cols <= max_streamed_cols ||
         (RhsOrder == Eigen::RowMajor && rows <= max_rows_any_size);
}
}  // namespace small_gemm

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

// gemm() where small_gemm::use() says so.
template <class T, int LhsOrder, int RhsOrder>
void small_product(Eigen::Index rows, Eigen::Index cols, Eigen::Index depth, const T* lhs, Eigen::Index lhs_stride,
                   const T* rhs, Eigen::Index rhs_stride, T* res, T alpha, bool accumulate) {
  constexpr int W = small_gemm::Vec<T>::width;
  GemmWorkspace<T>& ws = GemmWorkspace<T>::local();
  const auto reserve = [](auto& buffer, Eigen::Index size) {
    if (buffer.size() < static_cast<std::size_t>(size)) buffer.resize(static_cast<std::size_t>(size));
    return buffer.data();
  };
  const Eigen::Index a_row = LhsOrder == Eigen::RowMajor ? lhs_stride : 1;
  const Eigen::Index a_col = LhsOrder == Eigen::RowMajor ? 1 : lhs_stride;
  // rhs(k, j): row-major at k * rhs_stride + j, else at j * rhs_stride + k.
  if (cols < W && depth >= W) {
    if constexpr (LhsOrder == Eigen::RowMajor) {  // dot products of contiguous rows
      if constexpr (RhsOrder == Eigen::RowMajor) {
        small_gemm::run_dots<T>(rows, cols, depth, lhs, a_row, rhs, rhs_stride, res, alpha, accumulate,
                                reserve(ws.tail, cols * depth));
      } else {
        // Bᵀ's rows are already contiguous: dot products straight from rhs.
        for (Eigen::Index i = 0; i < rows; ++i)
          for (Eigen::Index j = 0; j < cols; ++j) {
            const T sum = small_gemm::dot<T>(depth, lhs + i * a_row, rhs + j * rhs_stride);
            T& o = res[i * cols + j];
            o = accumulate ? o + alpha * sum : alpha * sum;
          }
      }
      return;
    }
  }
  if (cols < W && rows >= W && LhsOrder == Eigen::ColMajor) {
    // A narrow result with A's columns contiguous: resᵀ = Bᵀ · Aᵀ (cols x rows) is wide.
    T* transposed = reserve(ws.transposed, cols * rows);
    const Eigen::Index bt_row = RhsOrder == Eigen::RowMajor ? 1 : rhs_stride;   // Bᵀ(j, k) = rhs(k, j)
    const Eigen::Index bt_col = RhsOrder == Eigen::RowMajor ? rhs_stride : 1;
    small_gemm::run<T>(cols, rows, depth, rhs, bt_row, bt_col, lhs, lhs_stride, transposed, alpha, false,
                       reserve(ws.tail, depth * W));
    for (Eigen::Index i = 0; i < rows; ++i)
      for (Eigen::Index j = 0; j < cols; ++j) {
        T& o = res[i * cols + j];
        o = accumulate ? o + transposed[j * rows + i] : transposed[j * rows + i];
      }
    return;
  }
  T* tail = reserve(ws.tail, depth * W);
  if constexpr (RhsOrder == Eigen::RowMajor) {
    small_gemm::run<T>(rows, cols, depth, lhs, a_row, a_col, rhs, rhs_stride, res, alpha, accumulate, tail);
  } else {  // transposed once into row-major rows, walking the destination in order
    T* bt = reserve(ws.transposed, depth * cols);
    using RowMajor = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    Eigen::Map<RowMajor>(bt, depth, cols).noalias() =
        Eigen::Map<const RowMajor, 0, Eigen::OuterStride<>>(rhs, cols, depth, Eigen::OuterStride<>(rhs_stride)).transpose();
    small_gemm::run<T>(rows, cols, depth, lhs, a_row, a_col, bt, cols, res, alpha, accumulate, tail);
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
  if (small_gemm::use<RhsOrder>(rows, cols, depth)) {
    small_product<T, LhsOrder, RhsOrder>(rows, cols, depth, lhs, lhs_stride, rhs, rhs_stride, res, alpha, accumulate);
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
