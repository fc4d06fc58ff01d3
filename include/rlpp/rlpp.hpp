#pragma once
// The umbrella header for users: every public rlpp header. Convenient, not cheap to compile;
// include the module headers you use when build time matters. (rlpp itself never includes it.)

#include "rlpp/core/atomic_file.hpp"
#include "rlpp/core/config.hpp"
#include "rlpp/core/denormals.hpp"
#include "rlpp/core/error.hpp"
#include "rlpp/core/json.hpp"
#include "rlpp/core/meta.hpp"
#include "rlpp/core/rng.hpp"
#include "rlpp/core/timer.hpp"

#include "rlpp/spaces/space.hpp"

#include "rlpp/envs/registry.hpp"
#include "rlpp/envs/vector_env.hpp"
#include "rlpp/envs/wrappers/clip_action.hpp"
#include "rlpp/envs/wrappers/frame_stack.hpp"
#include "rlpp/envs/wrappers/normalize_observation.hpp"
#include "rlpp/envs/wrappers/rescale_action.hpp"
#include "rlpp/envs/wrappers/time_limit.hpp"

#include "rlpp/autodiff/gradcheck.hpp"
#include "rlpp/autodiff/ops.hpp"

#include "rlpp/nn/grad_clip.hpp"
#include "rlpp/nn/initializers.hpp"
#include "rlpp/nn/layers/lstm.hpp"
#include "rlpp/nn/layers/mlp.hpp"
#include "rlpp/nn/layers/sequential.hpp"
#include "rlpp/nn/optimizers/adam.hpp"
#include "rlpp/nn/optimizers/rmsprop.hpp"
#include "rlpp/nn/optimizers/sgd.hpp"
#include "rlpp/nn/schedules.hpp"
#include "rlpp/nn/serialization.hpp"

#include "rlpp/data/postprocessing.hpp"
#include "rlpp/data/npy.hpp"
#include "rlpp/data/sample_batch.hpp"
#include "rlpp/data/summarize.hpp"

#include "rlpp/models/catalog_model.hpp"
#include "rlpp/models/deterministic_actor.hpp"
#include "rlpp/models/q_model.hpp"
#include "rlpp/models/twin_q.hpp"

#include "rlpp/distributions/catalog.hpp"

#include "rlpp/exploration/any_exploration.hpp"

#include "rlpp/policy/policy.hpp"
#include "rlpp/policy/postprocessors.hpp"
