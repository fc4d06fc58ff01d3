// gradcheck itself: it must catch a wrong backward, name the worst element, and treat a
// non-scalar result as its sum. Otherwise every CHECK(result.ok) elsewhere proves nothing.

#include <doctest/doctest.h>

#include <string>

#include "autodiff_support.hpp"

using namespace rlpp::ad;

namespace {
// y = x^2 with a backward that forgets the factor 2: a deliberately wrong op.
void half_square_backward(TapeD& tape, const Node<double>& out) {
  const Node<double>& in = tape.node(out.inputs[0]);
  for (Eigen::Index i = 0; i < in.rows * in.cols; ++i) in.grad[i] += out.grad[i] * in.value[i];
}
VarD wrong_square(VarD x) {
  VarD y = x.tape().op(x.rows(), x.cols(), &half_square_backward, {x});
  for (Eigen::Index i = 0; i < x.size(); ++i) y.node().value[i] = x.node().value[i] * x.node().value[i];
  return y;
}
}  // namespace

TEST_CASE("gradcheck flags a wrong backward and names the worst element") {
  // Analytic x, numeric 2x: the largest |x| (element (1, 0) = -3) is the worst.
  const GradcheckResult result =
      gradcheck([](TapeD&, std::span<const VarD> in) { return wrong_square(in[0]); }, {MatrixD{{1, 2}, {-3, 0.5}}});
  CHECK_FALSE(result.ok);
  CHECK(result.max_error > 2.9);
  CHECK(result.worst.find("input 0 (2x2) element (1, 0): analytic -3, numeric -") == 0);
}

TEST_CASE("gradcheck passes a correct op and reports a non-positive excess") {
  const GradcheckResult result =
      gradcheck([](TapeD&, std::span<const VarD> in) { return square(in[0]); }, {MatrixD{{1, 2}, {-3, 0.5}}});
  CHECK(result.ok);
  CHECK(result.max_error <= 0);
}

TEST_CASE("gradcheck tells the inputs apart") {
  // sum(a * wrong_square(b)): a's gradient is right, b's is half of it.
  const GradcheckResult result = gradcheck(
      [](TapeD&, std::span<const VarD> in) { return mul(in[0], wrong_square(in[1])); }, {MatrixD{{1, 1}}, MatrixD{{2, 4}}});
  CHECK_FALSE(result.ok);
  CHECK(result.worst.find("input 1 (1x2) element (0, 1): analytic 4, numeric 8") != std::string::npos);
}

TEST_CASE("gradcheck reports NaN gradients as failures") {
  // sqrt at 0: analytic 0.5 / 0 = inf, numeric (sqrt(eps) - NaN) = NaN.
  const GradcheckResult result =
      gradcheck([](TapeD&, std::span<const VarD> in) { return sqrt(in[0]); }, {MatrixD{{1, 0}}});
  CHECK_FALSE(result.ok);
}
