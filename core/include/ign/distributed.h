#pragma once
// Data-parallel training on torch.distributed's own machinery: a c10d TCPStore for the rendezvous and
// a ProcessGroupGloo (CPU tensors) or ProcessGroupNCCL (CUDA, when built with IGN_WITH_NCCL) for the
// all-reduce. Nothing home-made travels over the network.
#include <torch/torch.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "ign/errors.h"
#include "ign/options.h"

namespace ign {

class ProcessGroupSync {
public:
    // Blocks until all `options.world_size` processes have joined (or options.timeout_s passes).
    ProcessGroupSync(const DistributedOptions& options, const std::string& device);
    ~ProcessGroupSync();

    // Averages the tensors in place across the processes: one all-reduce of one flat buffer.
    void average(const std::vector<torch::Tensor>& tensors, const std::string& what);
    // Rank 0's values of the tensors, in place on every rank.
    void broadcast_from_rank0(const std::vector<torch::Tensor>& tensors, const std::string& what);

    int rank() const { return m_options.rank; }
    int world_size() const { return m_options.world_size; }

private:
    struct Impl;
    std::unique_ptr<Impl> m;
    DistributedOptions m_options;
};

// "host:port" -> host and port; throws std::invalid_argument naming the text when malformed.
std::pair<std::string, int> parse_master(const std::string& master);

// ----------------------------------------------------------- several processes on one host (--nproc)
// A TCP port on the loopback interface that was free a moment ago.
int free_local_port();

// Starts ranks 1..nproc-1 as `program args... --rank R --world-size N --master MASTER`; each gets
// SIGTERM if this process dies. Returns their process ids.
std::vector<int> spawn_local_ranks(const std::string& program, const std::vector<std::string>& args, int nproc,
                                   const std::string& master);

// Waits for the ranks (terminating them first when `terminate`); returns "" when all exited with 0,
// else what went wrong with each, e.g. "rank 1 was killed by signal 9".
std::string wait_for_local_ranks(const std::vector<int>& pids, bool terminate);

}  // namespace ign
