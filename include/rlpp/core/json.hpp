#pragma once
// rlpp speaks JSON (nlohmann/json) for configs, results, space descriptions and env infos.

#include <nlohmann/json.hpp>

namespace rlpp {
using Json = nlohmann::json;
}  // namespace rlpp
