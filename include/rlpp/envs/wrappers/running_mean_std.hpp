#pragma once
// RunningMeanStd: element-wise running mean and variance of a stream of values (Gymnasium's
// RunningMeanStd, which NormalizeObservation uses), merged with the parallel algorithm of
// Chan et al. (1979), so statistics gathered on several workers combine exactly.

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "rlpp/core/error.hpp"

namespace rlpp {

struct RunningMeanStd {
  std::vector<double> mean;  // starts at 0
  std::vector<double> var;   // starts at 1
  double count = 1e-4;       // Gymnasium's epsilon: a tiny prior weight on (mean 0, var 1)

  RunningMeanStd() = default;
  explicit RunningMeanStd(std::size_t size, double initial_count = 1e-4)
      : mean(size, 0.0), var(size, 1.0), count(initial_count) {}

  std::size_t size() const noexcept { return mean.size(); }

  // Adds one value (one element per statistic). Allocation-free.
  void update(std::span<const double> value) {
    check_size(value.size());
    const double total = count + 1.0;
    for (std::size_t i = 0; i < mean.size(); ++i) {
      const double delta = value[i] - mean[i];
      mean[i] += delta / total;
      var[i] = (var[i] * count + delta * delta * count / total) / total;
    }
    count = total;
  }

  // Merges the statistics of a batch (Gymnasium's update_mean_var_count_from_moments):
  //   delta = batch_mean - mean,  total = count + batch_count,
  //   mean += delta * batch_count / total,
  //   var = (var * count + batch_var * batch_count + delta^2 * count * batch_count / total) / total.
  void update_from_moments(std::span<const double> batch_mean, std::span<const double> batch_var,
                           double batch_count) {
    check_size(batch_mean.size());
    check_size(batch_var.size());
    const double total = count + batch_count;
    for (std::size_t i = 0; i < mean.size(); ++i) {
      const double delta = batch_mean[i] - mean[i];
      mean[i] += delta * batch_count / total;
      var[i] = (var[i] * count + batch_var[i] * batch_count +
                delta * delta * count * batch_count / total) /
               total;
    }
    count = total;
  }

  // Merges another tracker's statistics into this one (for syncing workers).
  void merge(const RunningMeanStd& other) { update_from_moments(other.mean, other.var, other.count); }

  friend bool operator==(const RunningMeanStd&, const RunningMeanStd&) = default;

 private:
  void check_size(std::size_t got) const {
    if (got != mean.size()) {
      throw SpaceError("RunningMeanStd", "got " + std::to_string(got) + " elements; the statistics have " +
                                             std::to_string(mean.size()));
    }
  }
};

}  // namespace rlpp
