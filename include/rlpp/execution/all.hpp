#pragma once
// Every execution-plan operator (docs/execution-plans.md).
#include "rlpp/execution/concurrency_ops.hpp"
#include "rlpp/execution/metric_ops.hpp"
#include "rlpp/execution/pipeline.hpp"
#include "rlpp/execution/plan_context.hpp"
#include "rlpp/execution/replay_ops.hpp"
#include "rlpp/execution/rollout_ops.hpp"
#include "rlpp/execution/train_ops.hpp"
