#pragma once
// The files of a trial directory, as Tune writes them (RLlib reference 4.1): params.json (the
// config), result.json (one result dict per line) and progress.csv (the same results flattened,
// "info/learner/default_policy/learner_stats/total_loss"). docs/training.md, "Results layout".

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <unordered_set>
#include <utility>
#include <vector>

#include "rlpp/core/atomic_file.hpp"
#include "rlpp/core/error.hpp"
#include "rlpp/core/json.hpp"
#include "rlpp/trainer/detail/append_file.hpp"
#include "rlpp/trainer/detail/text_format.hpp"
#include "rlpp/trainer/trial_dir.hpp"

namespace rlpp {

namespace detail {
// Adds the values under `object` to `out`, each key prefixed by `prefix` and the separator.
inline void flatten_into(const Json& object, const std::string& prefix, std::string_view separator, Json& out) {
  for (const auto& [key, value] : object.items()) {
    std::string name = prefix;
    name += separator;
    name += key;
    if (value.is_object()) {
      flatten_into(value, name, separator, out);
    } else {
      out[std::move(name)] = value;
    }
  }
}

// flatten() of `object` into `out`, leaving out the top-level key `skip` (if not empty).
inline void flatten_top_level(const Json& object, std::string_view separator, std::string_view skip, Json& out) {
  for (const auto& [key, value] : object.items()) {
    if (!skip.empty() && key == skip) continue;
    if (value.is_object()) {
      flatten_into(value, key, separator, out);
    } else {
      out[key] = value;
    }
  }
}

inline void write_text_atomically(const std::filesystem::path& path, std::string_view text) {
  write_file_atomically(path, std::as_bytes(std::span(text.data(), text.size())));
}
}  // namespace detail

// Nested objects of `object` flattened into one level, keys joined by `separator` (Tune's
// flatten_dict): {"info": {"learner": {"default_policy": {"total_loss": 0.5}}}} ->
// {"info/learner/default_policy/total_loss": 0.5}. Empty objects vanish (they hold no value);
// arrays are values and are kept whole. If a flattened key also exists literally ({"a/b": 1,
// "a": {"b": 2}}), the value found last in key order wins. A non-object is an Error.
inline Json flatten(const Json& object, std::string_view separator = "/") {
  if (!object.is_object())
    throw Error("flatten", std::string("expects a JSON object, got ") + object.type_name());
  Json out = Json::object();
  detail::flatten_top_level(object, separator, {}, out);
  return out;
}

// One progress.csv cell: numbers as Python's repr writes them (round-trip precision, "200.0",
// "1e-05", "nan", "inf"), strings as they are, true/false, null as an empty cell, arrays and
// objects as compact JSON text. (Quoting is done when the record is assembled.)
inline std::string csv_cell(const Json& value) {
  switch (value.type()) {
    case Json::value_t::null: return {};
    case Json::value_t::boolean: return value.get<bool>() ? "true" : "false";
    case Json::value_t::number_integer: return std::to_string(value.get<std::int64_t>());
    case Json::value_t::number_unsigned: return std::to_string(value.get<std::uint64_t>());
    case Json::value_t::number_float: return detail::python_float_repr(value.get<double>());
    case Json::value_t::string: return value.get<std::string>();
    default: return value.dump(-1, ' ', false, Json::error_handler_t::replace);
  }
}

// Writes a trial directory's params.json, result.json and progress.csv.
//
// Crash safety (docs/training.md): params.json is replaced atomically (temporary file + rename).
// result.json and progress.csv grow by appends: one write of whole records per log(), undone
// (truncated back) if it fails, so a failed log() leaves both files exactly as they were. A crash
// in the middle of an append can at worst leave one unfinished record at the end; a ResultLogger
// opened on that directory again (resuming) cuts it off (atomically) before appending.
// Rewriting the whole file each iteration would keep the same guarantee but cost O(n) per
// iteration, O(n^2) per run.
//
// progress.csv's columns are the first result's flattened keys (Tune's CSVLogger), in key order,
// without "config". Unlike Tune, which drops keys that first appear later (custom metrics,
// evaluation results), rlpp widens the table: new keys become new columns at the right, earlier
// rows get empty cells, and the file is rewritten atomically once for that.
//
// One logger per trial directory, used from one thread; movable, not copyable.
class ResultLogger {
 public:
  static constexpr std::string_view params_file = "params.json";
  static constexpr std::string_view result_file = "result.json";
  static constexpr std::string_view progress_file = "progress.csv";

  // Creates `trial_dir` if it does not exist (Error naming it if that fails). Files already in
  // it are continued, as Tune does when a trial resumes.
  explicit ResultLogger(std::filesystem::path trial_dir)
      : trial_dir_(std::move(trial_dir)),
        results_(trial_dir_ / result_file),
        progress_(trial_dir_ / progress_file) {
    detail::create_trial_directory(trial_dir_);
  }

  const std::filesystem::path& trial_dir() const noexcept { return trial_dir_; }

  // params.json: `config` pretty-printed with 2-space indents and sorted keys (Tune writes it
  // with json.dump(indent=2, sort_keys=True)), replaced atomically.
  void write_params(const Json& config) {
    detail::write_text_atomically(trial_dir_ / params_file, config.dump(2, ' ', false, Json::error_handler_t::replace) + "\n");
  }

  // Appends `result` (a JSON object) to result.json as one compact line, and its flattened form
  // as one row of progress.csv. NaN and infinities become null in result.json (JSON has no
  // NaN) and "nan" / "inf" in progress.csv. All or nothing: if either file cannot be written,
  // both are left as they were and a CheckpointError names the file.
  void log(const Json& result) {
    if (!result.is_object())
      throw Error("result", std::string("a result must be a JSON object, got ") + result.type_name());
    if (!opened_) open_files();

    Json flat = Json::object();
    detail::flatten_top_level(result, "/", "config", flat);  // as Tune's CSVLogger: the config is in params.json

    std::vector<std::string> added;
    for (const auto& [key, value] : flat.items())
      if (!column_set_.contains(key)) added.push_back(key);

    std::vector<std::string> columns = columns_;
    columns.insert(columns.end(), added.begin(), added.end());
    std::vector<std::string> cells;
    cells.reserve(columns.size());
    for (const std::string& column : columns) {
      const auto found = flat.find(column);
      cells.push_back(found == flat.end() ? std::string() : csv_cell(*found));
    }
    const std::string row = detail::csv_record(cells);

    const std::size_t results_before = results_.size();
    results_.append(result.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n");
    try {
      if (!added.empty() || !header_written_) {
        rewrite_progress(columns, row);
      } else {
        progress_.append(row);
      }
    } catch (...) {
      results_.truncate_to(results_before);
      throw;
    }
    columns_ = std::move(columns);
    for (std::string& key : added) column_set_.insert(std::move(key));
    header_written_ = true;
  }

  // progress.csv's columns so far, in file order.
  const std::vector<std::string>& progress_columns() const noexcept { return columns_; }

 private:
  // Continues existing files: cuts off an unfinished last record a crash may have left, and
  // reads progress.csv's header.
  void open_files() {
    std::error_code error;
    if (std::filesystem::exists(results_.path(), error)) {
      const std::string text = read_text(results_.path());
      const std::size_t complete = text.rfind('\n') == std::string::npos ? 0 : text.rfind('\n') + 1;
      if (complete != text.size()) detail::write_text_atomically(results_.path(), std::string_view(text).substr(0, complete));
    }
    if (std::filesystem::exists(progress_.path(), error)) {
      const std::string text = read_text(progress_.path());
      const std::vector<std::size_t> ends = detail::csv_record_ends(text);
      const std::size_t complete = ends.empty() ? 0 : ends.back();
      if (complete != text.size()) detail::write_text_atomically(progress_.path(), std::string_view(text).substr(0, complete));
      if (!ends.empty()) {
        columns_ = detail::parse_csv_record(std::string_view(text).substr(0, ends.front()));
        if (columns_.size() == 1 && columns_.front().empty()) columns_.clear();
        column_set_ = {columns_.begin(), columns_.end()};
        header_written_ = true;
      }
    }
    results_.open();
    progress_.open();
    opened_ = true;
  }

  // progress.csv with a (new or wider) header: earlier rows padded with empty cells, then
  // `row`; replaced atomically, then reopened for appending.
  void rewrite_progress(const std::vector<std::string>& columns, const std::string& row) {
    std::string text = detail::csv_record(columns);
    if (header_written_) {
      const std::string old = read_text(progress_.path());
      const std::vector<std::size_t> ends = detail::csv_record_ends(old);
      // An empty record is one empty field, so a table of no columns has rows of width 1.
      const std::size_t old_width = std::max<std::size_t>(columns_.size(), 1);
      const std::string padding(columns.size() > old_width ? columns.size() - old_width : 0, ',');
      for (std::size_t i = 1; i < ends.size(); ++i) {
        std::string_view record = std::string_view(old).substr(ends[i - 1], ends[i] - ends[i - 1] - 1);
        if (!record.empty() && record.back() == '\r') record.remove_suffix(1);
        text += record;
        text += padding;
        text += '\n';
      }
    }
    text += row;
    detail::write_text_atomically(progress_.path(), text);
    progress_.open();
  }

  static std::string read_text(const std::filesystem::path& path) {
    const std::vector<std::byte> bytes = read_whole_file(path);
    return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  }

  std::filesystem::path trial_dir_;
  detail::AppendFile results_;
  detail::AppendFile progress_;
  std::vector<std::string> columns_;
  std::unordered_set<std::string> column_set_;
  bool header_written_ = false;
  bool opened_ = false;
};

}  // namespace rlpp
