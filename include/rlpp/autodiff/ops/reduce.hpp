#pragma once
// Reductions: sum and mean over everything (1x1), per row (R x 1) and per column (1 x C).

#include "rlpp/autodiff/tape.hpp"

namespace rlpp::ad {

namespace detail {
enum class Reduce : std::int64_t { all, rows, cols };  // rows: one value per row

template <class T>
void reduce_backward(BasicTape<T>& tape, const Node<T>& out) {
  const Node<T>& in = tape.node(out.inputs[0]);
  if (!in.grad) return;
  BasicMap<T> gx(in.grad, in.rows, in.cols);
  const T scale = out.scalars[0];  // 1 for sums, 1/count for means
  switch (static_cast<Reduce>(out.aux)) {
    case Reduce::all:
      gx.array() += out.grad[0] * scale;
      break;
    case Reduce::rows:
      gx.colwise() += BasicConstMap<T>(out.grad, in.rows, 1).col(0) * scale;
      break;
    case Reduce::cols:
      gx.rowwise() += BasicConstMap<T>(out.grad, 1, in.cols).row(0) * scale;
      break;
  }
}

template <class T>
BasicVar<T> reduce(BasicVar<T> x, Reduce kind, bool mean) {
  const Eigen::Index rows = kind == Reduce::cols ? 1 : (kind == Reduce::rows ? x.rows() : 1);
  const Eigen::Index cols = kind == Reduce::rows ? 1 : (kind == Reduce::cols ? x.cols() : 1);
  const Eigen::Index count = kind == Reduce::all ? x.size() : (kind == Reduce::rows ? x.cols() : x.rows());
  const T scale = mean ? T(1) / static_cast<T>(count) : T(1);
  BasicVar<T> out = x.tape().op(rows, cols, &reduce_backward<T>, {x}, scale, T(0), static_cast<std::int64_t>(kind));
  BasicMap<T> y(out.node().value, rows, cols);
  const auto xv = x.value();
  switch (kind) {
    case Reduce::all: y(0, 0) = xv.sum() * scale; break;
    case Reduce::rows: y.col(0) = xv.rowwise().sum() * scale; break;
    case Reduce::cols: y.row(0) = xv.colwise().sum() * scale; break;
  }
  return out;
}
}  // namespace detail

template <class T> BasicVar<T> sum(BasicVar<T> x) { return detail::reduce(x, detail::Reduce::all, false); }
template <class T> BasicVar<T> mean(BasicVar<T> x) { return detail::reduce(x, detail::Reduce::all, true); }
// One value per row (R x 1).
template <class T> BasicVar<T> row_sum(BasicVar<T> x) { return detail::reduce(x, detail::Reduce::rows, false); }
template <class T> BasicVar<T> row_mean(BasicVar<T> x) { return detail::reduce(x, detail::Reduce::rows, true); }
// One value per column (1 x C).
template <class T> BasicVar<T> col_sum(BasicVar<T> x) { return detail::reduce(x, detail::Reduce::cols, false); }
template <class T> BasicVar<T> col_mean(BasicVar<T> x) { return detail::reduce(x, detail::Reduce::cols, true); }

}  // namespace rlpp::ad
