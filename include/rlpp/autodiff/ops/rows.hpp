#pragma once
// Row-wise selection and variadic assembly, the reshuffling ops of sequence models: rows (a
// slice of rows), take_rows (gather whole rows), vstack and hstack (any number of parts), and
// reshape (same row-major data, new shape). With reshape, RLlib's batch-major [B*T, C] layout
// (row b*T + t) is the same memory as [B, T*C], so step t of every sequence is a column slice
// and T per-step results hstack back into it, with no index arrays.

#include <algorithm>
#include <array>
#include <cstdint>
#include <initializer_list>
#include <ranges>
#include <span>
#include <string>

#include "rlpp/autodiff/ops/indexing.hpp"
#include "rlpp/autodiff/tape.hpp"
#include "rlpp/core/error.hpp"

namespace rlpp::ad {

namespace detail {
template <class T>
void rows_backward(BasicTape<T>& tape, const Node<T>& out) {
  const Node<T>& in = tape.node(out.inputs[0]);
  if (!in.grad) return;
  BasicMap<T>(in.grad, in.rows, in.cols).middleRows(out.aux, out.rows) += BasicConstMap<T>(out.grad, out.rows, out.cols);
}

template <class T>
void take_rows_backward(BasicTape<T>& tape, const Node<T>& out) {
  const Node<T>& in = tape.node(out.inputs[0]);
  if (!in.grad) return;
  const std::int64_t* index = tape.indices(out.aux);
  BasicMap<T> gx(in.grad, in.rows, in.cols);
  const BasicConstMap<T> g(out.grad, out.rows, out.cols);
  for (Eigen::Index r = 0; r < out.rows; ++r) gx.row(index[r]) += g.row(r);  // repeated rows accumulate
}

template <class T>
void reshape_backward(BasicTape<T>& tape, const Node<T>& out) {
  const Node<T>& in = tape.node(out.inputs[0]);
  if (!in.grad) return;
  const Eigen::Index n = out.rows * out.cols;
  Eigen::Map<Eigen::Array<T, Eigen::Dynamic, 1>>(in.grad, n) += Eigen::Map<const Eigen::Array<T, Eigen::Dynamic, 1>>(out.grad, n);
}

// The parts of a variadic op live in the tape's index arena: handle h holds the part count,
// handles h+1, h+2, ... hold the parts' node indices in chunks of `part_chunk` (store_indices
// copies from a span, and the chunks come from a stack buffer, so recording allocates nothing).
inline constexpr std::size_t part_chunk = 64;

template <class T>
std::int64_t store_parts(BasicTape<T>& tape, std::span<const BasicVar<T>> parts) {
  const std::int64_t count = static_cast<std::int64_t>(parts.size());
  const std::int64_t handle = tape.store_indices(std::span<const std::int64_t>(&count, 1));
  std::array<std::int64_t, part_chunk> chunk{};
  for (std::size_t begin = 0; begin < parts.size(); begin += part_chunk) {
    const std::size_t n = std::min(part_chunk, parts.size() - begin);
    for (std::size_t k = 0; k < n; ++k) chunk[k] = parts[begin + k].index();
    tape.store_indices(std::span<const std::int64_t>(chunk.data(), n));
  }
  return handle;
}

template <class T>
std::size_t part_count(const BasicTape<T>& tape, std::int64_t handle) {
  return static_cast<std::size_t>(tape.indices(handle)[0]);
}

template <class T>
std::uint32_t part_node(const BasicTape<T>& tape, std::int64_t handle, std::size_t k) {
  return static_cast<std::uint32_t>(tape.indices(handle + 1 + static_cast<std::int64_t>(k / part_chunk))[k % part_chunk]);
}

template <class T>
void vstack_backward(BasicTape<T>& tape, const Node<T>& out) {
  const BasicConstMap<T> g(out.grad, out.rows, out.cols);
  Eigen::Index row = 0;
  for (std::size_t k = 0, n = part_count(tape, out.aux); k < n; ++k) {
    const Node<T>& part = tape.node(part_node(tape, out.aux, k));
    if (part.grad) BasicMap<T>(part.grad, part.rows, part.cols) += g.middleRows(row, part.rows);
    row += part.rows;
  }
}

template <class T>
void hstack_backward(BasicTape<T>& tape, const Node<T>& out) {
  const BasicConstMap<T> g(out.grad, out.rows, out.cols);
  Eigen::Index col = 0;
  for (std::size_t k = 0, n = part_count(tape, out.aux); k < n; ++k) {
    const Node<T>& part = tape.node(part_node(tape, out.aux, k));
    if (part.grad) BasicMap<T>(part.grad, part.rows, part.cols) += g.middleCols(col, part.cols);
    col += part.cols;
  }
}

// Checks the parts of vstack/hstack and returns one that carries a gradient (or the first):
// tape.op() is given it as the node's nominal input, so the node gets a gradient buffer exactly
// when some part has one. Backward walks the full list from the index arena.
template <class T>
BasicVar<T> check_parts(const char* op, std::span<const BasicVar<T>> parts, bool same_rows) {
  if (parts.empty()) throw Error(std::string("autodiff ") + op, "needs at least one part");
  BasicTape<T>& tape = parts[0].tape();
  BasicVar<T> representative = parts[0];
  bool found = false;
  for (std::size_t k = 0; k < parts.size(); ++k) {
    const BasicVar<T>& p = parts[k];
    if (&p.tape() != &tape || p.index() >= tape.size())
      throw Error(std::string("autodiff ") + op, "part " + std::to_string(k) + " is from another tape or an earlier recording",
                  "values are valid until their tape's next reset()");
    if (same_rows ? p.rows() != parts[0].rows() : p.cols() != parts[0].cols())
      throw Error(std::string("autodiff ") + op,
                  std::string(same_rows ? "row" : "column") + " counts differ: part 0 is " +
                      shape_text(parts[0].rows(), parts[0].cols()) + ", part " + std::to_string(k) + " is " +
                      shape_text(p.rows(), p.cols()));
    if (!found && p.requires_grad()) {
      representative = p;
      found = true;
    }
  }
  return representative;
}
}  // namespace detail

// Rows [begin, begin + count) of x (split along rows; the row twin of columns()).
template <class T>
BasicVar<T> rows(BasicVar<T> x, Eigen::Index begin, Eigen::Index count) {
  if (begin < 0 || count < 0 || begin + count > x.rows())
    throw Error("autodiff rows", "rows [" + std::to_string(begin) + ", " + std::to_string(begin + count) +
                                     ") are outside a " + detail::shape_text(x.rows(), x.cols()) + " value");
  BasicVar<T> out = x.tape().op(count, x.cols(), &detail::rows_backward<T>, {x}, T(0), T(0), begin);
  BasicMap<T>(out.node().value, count, x.cols()) = x.value().middleRows(begin, count);
  return out;
}

// y.row(r) = x.row(index[r]): index.size() x cols. Indices may repeat (their gradients add up)
// and must lie in [0, x.rows()).
template <class T>
BasicVar<T> take_rows(BasicVar<T> x, std::span<const std::int64_t> index) {
  for (std::size_t r = 0; r < index.size(); ++r)
    if (index[r] < 0 || index[r] >= x.rows())
      throw Error("autodiff take_rows", "index " + std::to_string(index[r]) + " at position " + std::to_string(r) +
                                            " is outside [0, " + std::to_string(x.rows()) + ")");
  BasicTape<T>& tape = x.tape();
  const std::int64_t handle = tape.store_indices(index);
  const auto count = static_cast<Eigen::Index>(index.size());
  BasicVar<T> out = tape.op(count, x.cols(), &detail::take_rows_backward<T>, {x}, T(0), T(0), handle);
  BasicMap<T> y(out.node().value, count, x.cols());
  const auto xv = x.value();
  for (Eigen::Index r = 0; r < count; ++r) y.row(r) = xv.row(index[static_cast<std::size_t>(r)]);
  return out;
}

// The same elements in row-major order, as a rows x cols value (numpy's reshape of a C array):
// [B*T, C] -> [B, T*C] puts the T steps of sequence b side by side in row b.
template <class T>
BasicVar<T> reshape(BasicVar<T> x, Eigen::Index rows, Eigen::Index cols) {
  if (rows < 0 || cols < 0 || rows * cols != x.size())
    throw Error("autodiff reshape", "cannot reshape a " + detail::shape_text(x.rows(), x.cols()) + " value (" +
                                        std::to_string(x.size()) + " elements) to " + detail::shape_text(rows, cols));
  BasicVar<T> out = x.tape().op(rows, cols, &detail::reshape_backward<T>, {x});
  std::copy_n(x.node().value, x.size(), out.node().value);
  return out;
}

namespace detail {
template <class V> inline constexpr bool is_var = false;
template <class T> inline constexpr bool is_var<BasicVar<T>> = true;
template <class R>
concept var_range = std::ranges::contiguous_range<R> && std::ranges::sized_range<R> &&
                    is_var<std::ranges::range_value_t<R>>;

template <class T>
BasicVar<T> vstack(std::span<const BasicVar<T>> parts) {
  const BasicVar<T> nominal = detail::check_parts("vstack", parts, false);
  BasicTape<T>& tape = nominal.tape();
  Eigen::Index total = 0;
  for (const auto& p : parts) total += p.rows();
  const std::int64_t handle = detail::store_parts(tape, parts);
  const Eigen::Index cols = parts[0].cols();
  BasicVar<T> out = tape.op(total, cols, &detail::vstack_backward<T>, {nominal}, T(0), T(0), handle);
  T* y = out.node().value;
  for (const auto& p : parts) y = std::copy_n(p.node().value, p.size(), y);
  return out;
}

template <class T>
BasicVar<T> hstack(std::span<const BasicVar<T>> parts) {
  const BasicVar<T> nominal = detail::check_parts("hstack", parts, true);
  BasicTape<T>& tape = nominal.tape();
  Eigen::Index total = 0;
  for (const auto& p : parts) total += p.cols();
  const std::int64_t handle = detail::store_parts(tape, parts);
  const Eigen::Index rows = parts[0].rows();
  BasicVar<T> out = tape.op(rows, total, &detail::hstack_backward<T>, {nominal}, T(0), T(0), handle);
  BasicMap<T> y(out.node().value, rows, total);
  Eigen::Index col = 0;
  for (const auto& p : parts) {
    y.middleCols(col, p.cols()) = p.value();
    col += p.cols();
  }
  return out;
}

}  // namespace detail

// The parts one below the other (np.vstack); every part has the same number of columns.
// `parts`: a vector, array or span of values, or a braced list.
template <detail::var_range R>
std::ranges::range_value_t<R> vstack(const R& parts) {
  return detail::vstack(std::span<const std::ranges::range_value_t<R>>(std::ranges::data(parts), std::ranges::size(parts)));
}
template <class T>
BasicVar<T> vstack(std::initializer_list<BasicVar<T>> parts) {
  return detail::vstack(std::span<const BasicVar<T>>(parts.begin(), parts.size()));
}

// The parts side by side (np.hstack); every part has the same number of rows.
template <detail::var_range R>
std::ranges::range_value_t<R> hstack(const R& parts) {
  return detail::hstack(std::span<const std::ranges::range_value_t<R>>(std::ranges::data(parts), std::ranges::size(parts)));
}
template <class T>
BasicVar<T> hstack(std::initializer_list<BasicVar<T>> parts) {
  return detail::hstack(std::span<const BasicVar<T>>(parts.begin(), parts.size()));
}

}  // namespace rlpp::ad
