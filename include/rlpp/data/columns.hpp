#pragma once
// Typed column keys for SampleBatch (STYLE: "compile-time keys"): `batch[cols::rewards]` is an
// xt::xarray<float>&, so reading an integer column as floats fails to compile. The names are
// RLlib's (rllib/policy/sample_batch.py), spelled exactly, and are what JSON and .npy files use.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <xtensor/xarray.hpp>

#include "rlpp/core/error.hpp"
#include "rlpp/core/json.hpp"

namespace rlpp {

// The element types a column can hold. `json` columns hold one JSON value per row (env infos).
enum class ColumnType { float32, int64, boolean, json };

// numpy's names: "float32", "int64", "bool"; and "json".
constexpr std::string_view column_type_name(ColumnType type) noexcept {
  switch (type) {
    case ColumnType::float32: return "float32";
    case ColumnType::int64: return "int64";
    case ColumnType::boolean: return "bool";
    case ColumnType::json: return "json";
  }
  return "unknown";
}

// A bad batch operation: missing column, wrong dtype, rows that do not line up.
class BatchError : public Error {
  using Error::Error;
};

// What a column of element type T is stored as: float, std::int64_t and bool columns are
// row-major xt::xarray<T> whose first dimension is the batch dimension; Json columns are one
// value per row.
template <class T> struct column_traits;
template <> struct column_traits<float> {
  using storage = xt::xarray<float>;
  static constexpr ColumnType type = ColumnType::float32;
};
template <> struct column_traits<std::int64_t> {
  using storage = xt::xarray<std::int64_t>;
  static constexpr ColumnType type = ColumnType::int64;
};
template <> struct column_traits<bool> {
  using storage = xt::xarray<bool>;
  static constexpr ColumnType type = ColumnType::boolean;
};
template <> struct column_traits<Json> {
  using storage = std::vector<Json>;
  static constexpr ColumnType type = ColumnType::json;
};

template <class T>
concept column_element = requires { typename column_traits<T>::storage; };

template <column_element T>
using column_storage_t = typename column_traits<T>::storage;

// A column name that knows its element type. T is float, std::int64_t, bool, Json, or void for
// columns whose dtype is known only at run time (actions: int64 for Discrete, float for Box);
// `batch[key]` with a void key gives the untyped Column.
template <class T>
struct ColumnKey {
  std::string_view name;
};

namespace cols {
inline constexpr ColumnKey<float> obs{"obs"};
inline constexpr ColumnKey<float> new_obs{"new_obs"};
inline constexpr ColumnKey<float> rewards{"rewards"};
inline constexpr ColumnKey<float> prev_rewards{"prev_rewards"};
inline constexpr ColumnKey<float> action_dist_inputs{"action_dist_inputs"};
inline constexpr ColumnKey<float> action_prob{"action_prob"};
inline constexpr ColumnKey<float> action_logp{"action_logp"};
inline constexpr ColumnKey<float> vf_preds{"vf_preds"};
inline constexpr ColumnKey<float> advantages{"advantages"};
inline constexpr ColumnKey<float> value_targets{"value_targets"};
inline constexpr ColumnKey<float> weights{"weights"};
// Written by adjust_nstep: gamma^k for the k rewards summed into each row (see postprocessing.hpp).
inline constexpr ColumnKey<float> n_step_discounts{"n_step_discounts"};

inline constexpr ColumnKey<bool> dones{"dones"};
inline constexpr ColumnKey<bool> terminateds{"terminateds"};
inline constexpr ColumnKey<bool> truncateds{"truncateds"};

inline constexpr ColumnKey<std::int64_t> eps_id{"eps_id"};
inline constexpr ColumnKey<std::int64_t> unroll_id{"unroll_id"};
inline constexpr ColumnKey<std::int64_t> env_id{"env_id"};
inline constexpr ColumnKey<std::int64_t> agent_index{"agent_index"};
inline constexpr ColumnKey<std::int64_t> t{"t"};
inline constexpr ColumnKey<std::int64_t> batch_indexes{"batch_indexes"};

inline constexpr ColumnKey<void> actions{"actions"};
inline constexpr ColumnKey<void> prev_actions{"prev_actions"};

inline constexpr ColumnKey<Json> infos{"infos"};

// RNN state columns (float): "state_in_0", "state_out_0", ... In rlpp they hold one row per
// timestep like every other column; the learner takes the rows where sequences start.
inline std::string state_in(std::size_t index) { return "state_in_" + std::to_string(index); }
inline std::string state_out(std::size_t index) { return "state_out_" + std::to_string(index); }
}  // namespace cols

// "seq_lens" is RLlib's name for the RNN sequence lengths, which are not a per-row column.
inline constexpr std::string_view seq_lens_name = "seq_lens";

}  // namespace rlpp
