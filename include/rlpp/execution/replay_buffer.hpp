#pragma once
// ReplayBuffer: a ring of the last `capacity` timesteps, sampled uniformly with replacement
// (RLlib's ReplayBuffer with storage unit "timesteps", rllib/execution/replay_buffer.py). The
// off-policy plans store every sampled batch in one (StoreToReplayBuffer) and learn from
// sample(train_batch_size) (Replay). See docs/replay-buffers.md.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "rlpp/core/json.hpp"
#include "rlpp/core/rng.hpp"
#include "rlpp/data/sample_batch.hpp"
#include "rlpp/execution/detail/replay_storage.hpp"

namespace rlpp {

// Costs (n rows, c columns): add: O(c) layout check + at most two memcpy per column; sample:
// n draws + n row copies per column. After the first add (which allocates the storage for
// `capacity` rows) add() allocates nothing; after the first sample(n), sample(n) allocates
// nothing. Json columns (infos) are the exception: copying a JSON value may allocate.
// Not thread-safe: one thread adds and samples (as RLlib's local buffer).
class ReplayBuffer {
 public:
  // capacity: RLlib's buffer_size, in timesteps (>= 1).
  explicit ReplayBuffer(std::size_t capacity) : storage_(capacity, "ReplayBuffer") {}

  // Copies the batch's rows in, after the newest, overwriting the oldest once the buffer is
  // full. The first add fixes the layout: column names, dtypes and row shapes; a later batch that
  // differs is a BatchError naming the column. Columns named batch_indexes or weights are not
  // stored (sample() writes its own). An empty batch is ignored; one with seq_lens is an error.
  void add(const SampleBatch& batch) { storage_.add(batch); }

  // num_items timesteps drawn uniformly with replacement, as a batch with the stored columns
  // plus batch_indexes (int64, the slots drawn) and weights (float32, all 1). The batch is owned
  // by the buffer and rewritten by the next sample(): copy it to keep it. An empty buffer is an
  // Error.
  const SampleBatch& sample(std::size_t num_items, RandomStream& rng) {
    SampleBatch& out = storage_.output(num_items);
    const auto slots = out.values(cols::batch_indexes);
    const std::uint64_t size = storage_.size();
    for (std::int64_t& slot : slots) slot = static_cast<std::int64_t>(rng.below(size));
    for (float& weight : out.values(cols::weights)) weight = 1.0f;
    storage_.gather(out);
    storage_.count_sampled(num_items);
    return out;
  }

  // Timesteps held: min(num_added(), capacity()).
  std::size_t size() const noexcept { return storage_.size(); }
  std::size_t capacity() const noexcept { return storage_.capacity(); }
  // Timesteps added since construction (or as restored by set_state).
  std::uint64_t num_added() const noexcept { return storage_.num_added(); }
  // The stored column names, sorted; empty before the first add.
  std::vector<std::string> column_names() const { return storage_.column_names(); }

  // RLlib's stats: added_count, sampled_count, est_size_bytes, num_entries, eviction_started.
  Json stats() const { return storage_.stats(); }

  // Everything needed to continue exactly where this buffer is: contents, ring position and
  // counters (RLlib's store_buffer_in_checkpoints). set_state checks the state (capacity
  // included) before changing anything: a CheckpointError leaves the buffer as it was. The
  // state of a PrioritizedReplayBuffer is accepted too (its priorities are dropped).
  Json get_state() const { return storage_.get_state("ReplayBuffer"); }
  void set_state(const Json& state) { storage_.set_state(state); }

 private:
  detail::ReplayStorage storage_;
};

}  // namespace rlpp
