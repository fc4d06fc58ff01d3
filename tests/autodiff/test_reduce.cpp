// Reductions: sum and mean (1x1), row_sum and row_mean (R x 1), col_sum and col_mean (1 x C).

#include <doctest/doctest.h>

#include "autodiff_support.hpp"

using namespace rlpp::ad;
using rlpp::RandomStream;
using rlpp::ad::test::mismatch;
using rlpp::ad::test::random_matrix;
using rlpp::ad::test::test_shapes;

namespace {
const MatrixD reduce_x_value{{1, 2, 3}, {4, 5, 6}};
}

TEST_CASE("sum and mean reduce everything to 1x1") {
  TapeD tape;
  const VarD x = tape.variable(reduce_x_value);
  const VarD s = sum(x), m = mean(x);
  CHECK(s.rows() == 1);
  CHECK(s.cols() == 1);
  CHECK(s.item() == 1 + 2 + 3 + 4 + 5 + 6);
  CHECK(m.item() == doctest::Approx(21.0 / 6));
  tape.backward(s);
  CHECK(mismatch(x.grad(), MatrixD::Ones(2, 3)) == "");
  tape.backward(m);
  CHECK(mismatch(x.grad(), MatrixD::Constant(2, 3, 1.0 / 6)) == "");
}

TEST_CASE("row_sum and row_mean give one value per row; each row's gradient goes to that row") {
  TapeD tape;
  const VarD x = tape.variable(reduce_x_value);
  CHECK(mismatch(row_sum(x).value(), MatrixD{{1 + 2 + 3}, {4 + 5 + 6}}) == "");
  CHECK(mismatch(row_mean(x).value(), MatrixD{{6 / 3.0}, {15 / 3.0}}) == "");
  // loss = sum(row_sum(x) * [1; 2]): row r of dx is its weight.
  tape.backward(mul(row_sum(x), tape.constant(MatrixD{{1}, {2}})));
  CHECK(mismatch(x.grad(), MatrixD{{1, 1, 1}, {2, 2, 2}}) == "");
  tape.backward(mul(row_mean(x), tape.constant(MatrixD{{1}, {2}})));
  CHECK(mismatch(x.grad(), MatrixD{{1 / 3.0, 1 / 3.0, 1 / 3.0}, {2 / 3.0, 2 / 3.0, 2 / 3.0}}) == "");
}

TEST_CASE("col_sum and col_mean give one value per column; each column's gradient goes to that column") {
  TapeD tape;
  const VarD x = tape.variable(reduce_x_value);
  CHECK(mismatch(col_sum(x).value(), MatrixD{{1 + 4, 2 + 5, 3 + 6}}) == "");
  CHECK(mismatch(col_mean(x).value(), MatrixD{{5 / 2.0, 7 / 2.0, 9 / 2.0}}) == "");
  tape.backward(mul(col_sum(x), tape.constant(MatrixD{{1, 2, 3}})));
  CHECK(mismatch(x.grad(), MatrixD{{1, 2, 3}, {1, 2, 3}}) == "");
  tape.backward(mul(col_mean(x), tape.constant(MatrixD{{1, 2, 3}})));
  CHECK(mismatch(x.grad(), MatrixD{{0.5, 1, 1.5}, {0.5, 1, 1.5}}) == "");
}

TEST_CASE("every reduction passes gradcheck at random shapes") {
  RandomStream rng(31);
  using Reduction = VarD (*)(VarD);
  const Reduction reductions[] = {[](VarD x) { return sum(x); },     [](VarD x) { return mean(x); },
                                  [](VarD x) { return row_sum(x); }, [](VarD x) { return row_mean(x); },
                                  [](VarD x) { return col_sum(x); }, [](VarD x) { return col_mean(x); }};
  for (std::size_t k = 0; k < std::size(reductions); ++k) {
    for (const auto& [rows, cols] : test_shapes()) {
      CAPTURE(k);
      CAPTURE(rows);
      CAPTURE(cols);
      // square() after the reduction makes the upstream gradient differ per output element.
      const Reduction reduce = reductions[k];
      RLPP_CHECK_GRADIENTS([&](TapeD&, std::span<const VarD> in) { return square(reduce(in[0])); },
                           {random_matrix(rng, rows, cols)});
    }
  }
}
