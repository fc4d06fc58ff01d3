#pragma once
// Loss helpers built from the ops: mean squared error and the mean Huber loss.

#include <string>

#include "rlpp/autodiff/ops/binary.hpp"
#include "rlpp/autodiff/ops/reduce.hpp"
#include "rlpp/autodiff/ops/unary.hpp"
#include "rlpp/core/error.hpp"

namespace rlpp::ad {

namespace detail {
template <class T>
std::string shape_pair(BasicVar<T> a, BasicVar<T> b) {
  return std::to_string(a.rows()) + "x" + std::to_string(a.cols()) + " and " + std::to_string(b.rows()) + "x" +
         std::to_string(b.cols());
}
}  // namespace detail

// mean((prediction - target)^2) over all elements (torch's MSELoss, reduction "mean").
template <class T>
BasicVar<T> mse(BasicVar<T> prediction, BasicVar<T> target) {
  if (prediction.rows() != target.rows() || prediction.cols() != target.cols())
    throw Error("autodiff mse", "prediction and target shapes differ: " + detail::shape_pair(prediction, target));
  return mean(square(prediction - target));
}

// mean(huber(prediction - target, delta)) (torch's HuberLoss / RLlib's huber_loss then mean).
template <class T>
BasicVar<T> huber_loss(BasicVar<T> prediction, BasicVar<T> target, std::type_identity_t<T> delta = T(1)) {
  if (prediction.rows() != target.rows() || prediction.cols() != target.cols())
    throw Error("autodiff huber_loss", "prediction and target shapes differ: " + detail::shape_pair(prediction, target));
  return mean(huber(prediction - target, delta));
}

}  // namespace rlpp::ad
