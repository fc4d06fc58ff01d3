#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "rlpp/nn/grad_clip.hpp"

using namespace rlpp::nn;
using doctest::Approx;

TEST_CASE("clip_grad_norm scales by max_norm / (norm + 1e-6) and returns the norm before clipping") {
  // norm = sqrt(3^2 + 4^2) = 5 > 1: scale = 1 / (5 + 1e-6)
  std::vector<float> grads = {3.0f, 4.0f};
  const float norm = clip_grad_norm(grads, 1.0f);
  CHECK(norm == 5.0f);
  CHECK(grads[0] == Approx(3.0 / (5.0 + 1e-6)).epsilon(1e-7));
  CHECK(grads[1] == Approx(4.0 / (5.0 + 1e-6)).epsilon(1e-7));
}

TEST_CASE("clip_grad_norm leaves gradients within the limit untouched") {
  // norm = sqrt(0.3^2 + 0.4^2) = 0.5 <= 1
  std::vector<float> grads = {0.3f, 0.4f};
  const float norm = clip_grad_norm(grads, 1.0f);
  CHECK(norm == Approx(0.5).epsilon(1e-7));
  CHECK(grads[0] == 0.3f);
  CHECK(grads[1] == 0.4f);
}

TEST_CASE("the norm is global over the whole gradient vector") {
  // sqrt(1 + 4 + 4) = 3; max 1.5 -> every element times 1.5 / 3.000001 ~= 0.5
  std::vector<float> grads = {1.0f, -2.0f, 2.0f};
  CHECK(clip_grad_norm(grads, 1.5f) == 3.0f);
  CHECK(grads[0] == Approx(0.5).epsilon(1e-6));
  CHECK(grads[1] == Approx(-1.0).epsilon(1e-6));
  CHECK(grads[2] == Approx(1.0).epsilon(1e-6));
}

TEST_CASE("global_norm accumulates squares in double, in eight partial sums of a fixed order") {
  // Tiny and huge values together: value i goes to partial sum i % 8 (index order within each),
  // and the partial sums are added as ((p0 + p4) + (p2 + p6)) + ((p1 + p5) + (p3 + p7)).
  std::vector<float> grads(1000, 1e-4f);
  grads.push_back(1e4f);
  grads.push_back(3e-3f);
  double p[8] = {};
  for (std::size_t i = 0; i < grads.size(); ++i) p[i % 8] += static_cast<double>(grads[i]) * static_cast<double>(grads[i]);
  const double expected = ((p[0] + p[4]) + (p[2] + p[6])) + ((p[1] + p[5]) + (p[3] + p[7]));
  CHECK(global_norm(grads) == std::sqrt(expected));
  CHECK(global_norm(std::vector<float>{3.0f, 4.0f}) == 5.0);
  CHECK(global_norm(std::vector<float>{}) == 0.0);
}

TEST_CASE("a non-finite norm is returned and the gradients are left for the caller to see") {
  std::vector<float> grads = {1.0f, std::numeric_limits<float>::infinity()};
  CHECK(std::isinf(clip_grad_norm(grads, 1.0f)));
  CHECK(grads[0] == 1.0f);
  std::vector<float> nan_grads = {1.0f, std::numeric_limits<float>::quiet_NaN()};
  CHECK(std::isnan(clip_grad_norm(nan_grads, 1.0f)));
  CHECK(nan_grads[0] == 1.0f);
}

TEST_CASE("clip_grad_norm needs a positive max_norm") {
  std::vector<float> grads = {1.0f};
  CHECK_THROWS_AS(clip_grad_norm(grads, 0.0f), rlpp::Error);
  CHECK_THROWS_AS(clip_grad_norm(grads, -1.0f), rlpp::Error);
}

TEST_CASE("clip_grad_value clamps each element to [-clip, clip]") {
  std::vector<float> grads = {-3.0f, 0.5f, 2.0f, -0.25f};
  clip_grad_value(grads, 1.0f);
  CHECK(grads == std::vector<float>{-1.0f, 0.5f, 1.0f, -0.25f});
  CHECK_THROWS_AS(clip_grad_value(grads, -1.0f), rlpp::Error);
}
