// Precompiled once and used by every module test binary (tests/CMakeLists.txt): the headers
// nearly all tests include, so that each of the ~100 test sources does not parse Eigen,
// xtensor, nlohmann/json, doctest and rlpp's core headers again. Tests still include what they use.
#include <doctest/doctest.h>

#include <Eigen/Core>
#include <nlohmann/json.hpp>
#include <xtensor/xarray.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "rlpp/autodiff/ops.hpp"
#include "rlpp/core/config.hpp"
#include "rlpp/core/rng.hpp"
#include "rlpp/data/sample_batch.hpp"
#include "rlpp/nn/layers/mlp.hpp"
#include "rlpp/spaces/space.hpp"
