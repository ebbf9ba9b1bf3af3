#include "ign/distributed.h"
#include "ign/build_config.h"

// A PyTorch installation's LibTorch may not declare that it has c10d and Gloo; its headers check these.
#if defined(IGN_HEADLESS) && !defined(USE_C10D_GLOO)
#define USE_DISTRIBUTED 1
#define USE_C10D_GLOO 1
#endif

#include <spdlog/spdlog.h>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#include <torch/csrc/distributed/c10d/Types.hpp>
#include <torch/csrc/distributed/c10d/Work.hpp>
#ifdef IGN_WITH_GLOO
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#endif
#ifdef IGN_WITH_NCCL
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>

namespace ign {

struct ProcessGroupSync::Impl {
    c10::intrusive_ptr<c10d::Store> store;
    // The backend itself, not the ProcessGroup base: LibTorch 2 made the backends a separate class.
#ifdef IGN_WITH_GLOO
    c10::intrusive_ptr<c10d::ProcessGroupGloo> gloo;
#endif
#ifdef IGN_WITH_NCCL
    c10::intrusive_ptr<c10d::ProcessGroupNCCL> nccl;
#endif
    std::chrono::milliseconds timeout{60000};

    bool gloo_or_nccl() const { return backend()[0] != '-'; }
    const char* backend() const {
#ifdef IGN_WITH_NCCL
        if (nccl) return "NCCL";
#endif
#ifdef IGN_WITH_GLOO
        if (gloo) return "Gloo";
#endif
        return "-";
    }

    c10::intrusive_ptr<c10d::Work> allreduce(std::vector<at::Tensor>& tensors) {
#ifdef IGN_WITH_NCCL
        if (nccl) return nccl->allreduce(tensors);
#endif
#ifdef IGN_WITH_GLOO
        if (gloo) return gloo->allreduce(tensors);
#endif
        throw DistributedError("no process group");
    }
    c10::intrusive_ptr<c10d::Work> broadcast(std::vector<at::Tensor>& tensors, const c10d::BroadcastOptions& options) {
#ifdef IGN_WITH_NCCL
        if (nccl) return nccl->broadcast(tensors, options);
#endif
#ifdef IGN_WITH_GLOO
        if (gloo) return gloo->broadcast(tensors, options);
#endif
        throw DistributedError("no process group");
    }
};

std::pair<std::string, int> parse_master(const std::string& master) {
    const auto colon = master.rfind(':');
    const auto bad = [&] { return std::invalid_argument("--master '" + master + "': expected HOST:PORT, e.g. 10.0.0.1:29500"); };
    if (colon == std::string::npos || colon == 0 || colon + 1 == master.size()) throw bad();
    const auto port_text = master.substr(colon + 1);
    if (port_text.find_first_not_of("0123456789") != std::string::npos || port_text.size() > 5) throw bad();
    const int port = std::stoi(port_text);
    if (port < 1 || port > 65535) throw bad();
    return {master.substr(0, colon), port};
}

namespace {

#ifdef IGN_WITH_GLOO
bool is_loopback(const std::string& host) { return host == "localhost" || host.rfind("127.", 0) == 0; }

// Gloo's network device: the interface named by GLOO_SOCKET_IFNAME (as in PyTorch), loopback for a
// single-host run, else this host's own name.
std::shared_ptr<::gloo::transport::Device> gloo_device(const std::string& master_host) {
    if (const char* ifname = std::getenv("GLOO_SOCKET_IFNAME"); ifname && *ifname)
        return c10d::ProcessGroupGloo::createDeviceForInterface(ifname);
    if (is_loopback(master_host)) return c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1");
    return c10d::ProcessGroupGloo::createDefaultDevice();
}
#endif

std::string describe(const std::exception& e) {
    std::string text = e.what();
    if (const auto* c10_error = dynamic_cast<const c10::Error*>(&e)) text = c10_error->what_without_backtrace();
    if (const auto newline = text.find('\n'); newline != std::string::npos) text.resize(newline);
    return text;
}

}  // namespace

ProcessGroupSync::ProcessGroupSync(const DistributedOptions& options, const std::string& device)
    : m(std::make_unique<Impl>()), m_options(options) {
    if (options.world_size < 1 || options.rank < 0 || options.rank >= options.world_size)
        throw std::invalid_argument("rank " + std::to_string(options.rank) + " is not in 0.." +
                                    std::to_string(options.world_size - 1));
    const auto [host, port] = parse_master(options.master);
    m->timeout = std::chrono::milliseconds(int64_t(options.timeout_s * 1000));
    const std::string who = "rank " + std::to_string(options.rank) + " of " + std::to_string(options.world_size);
    try {
        c10d::TCPStoreOptions store_options;
        store_options.port = uint16_t(port);
        store_options.isServer = options.rank == 0;
        store_options.numWorkers = size_t(options.world_size);
        store_options.waitWorkers = true;
        store_options.timeout = m->timeout;
        m->store = c10::make_intrusive<c10d::TCPStore>(host, store_options);
        // NCCL for CUDA tensors where the build has it; else Gloo, which also takes CUDA tensors in a
        // CUDA LibTorch (through the host).
        const bool cuda = device.rfind("cuda", 0) == 0;
        bool have_nccl = false;
#ifdef IGN_WITH_NCCL
        if (cuda) {
            m->nccl = c10::make_intrusive<c10d::ProcessGroupNCCL>(m->store, options.rank, options.world_size);
            have_nccl = true;
        }
#endif
#ifdef IGN_WITH_GLOO
        if (!have_nccl) {
            auto gloo_options = c10d::ProcessGroupGloo::Options::create(m->timeout);
            gloo_options->devices.push_back(gloo_device(host));
            m->gloo = c10::make_intrusive<c10d::ProcessGroupGloo>(m->store, options.rank, options.world_size, gloo_options);
        }
#endif
        (void)cuda;
        (void)have_nccl;
        if (!m->gloo_or_nccl())
            throw DistributedError(who + ": this build has no process group for " + device +
                                   " (Gloo's headers, or -DIGN_WITH_NCCL=ON with a CUDA LibTorch)");
    } catch (const DistributedError&) {
        throw;
    } catch (const std::exception& e) {
        throw DistributedError(who + ": could not meet the other processes at " + options.master + " within " +
                               std::to_string(int(options.timeout_s)) + " s: " + describe(e));
    }
    spdlog::info("{}: joined the process group at {} ({})", who, options.master, m->backend());
}

ProcessGroupSync::~ProcessGroupSync() = default;

namespace {

// All floating-point tensors laid end to end in one float32 buffer, and back.
torch::Tensor pack(const std::vector<torch::Tensor>& tensors) {
    std::vector<torch::Tensor> flat;
    for (const auto& t : tensors)
        if (t.defined() && t.is_floating_point()) flat.push_back(t.detach().reshape(-1).to(torch::kFloat));
    return flat.empty() ? torch::Tensor() : torch::cat(flat);
}

void unpack(const torch::Tensor& buffer, const std::vector<torch::Tensor>& tensors) {
    int64_t offset = 0;
    torch::NoGradGuard no_grad;
    for (const auto& t : tensors) {
        if (!t.defined() || !t.is_floating_point()) continue;
        const auto n = t.numel();
        t.copy_(buffer.slice(0, offset, offset + n).view_as(t));
        offset += n;
    }
}

}  // namespace

void ProcessGroupSync::average(const std::vector<torch::Tensor>& tensors, const std::string& what) {
    auto buffer = pack(tensors);
    if (!buffer.defined()) return;
    std::vector<at::Tensor> io{buffer};
    try {
        m->allreduce(io)->wait(m->timeout);
    } catch (const std::exception& e) {
        throw DistributedError("rank " + std::to_string(rank()) + ": lost the other processes during " + what +
                               " (a process died, or was silent for " + std::to_string(int(m_options.timeout_s)) +
                               " s): " + describe(e));
    }
    unpack(io[0].div_(world_size()), tensors);
}

void ProcessGroupSync::broadcast_from_rank0(const std::vector<torch::Tensor>& tensors, const std::string& what) {
    auto buffer = pack(tensors);
    if (!buffer.defined()) return;
    std::vector<at::Tensor> io{buffer};
    c10d::BroadcastOptions options;
    options.rootRank = 0;
    try {
        m->broadcast(io, options)->wait(m->timeout);
    } catch (const std::exception& e) {
        throw DistributedError("rank " + std::to_string(rank()) + ": lost the other processes during " + what + ": " +
                               describe(e));
    }
    unpack(io[0], tensors);
}

// ----------------------------------------------------------------------------------- local ranks
int free_local_port() {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) throw DistributedError(std::string("cannot open a socket: ") + std::strerror(errno));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;  // the kernel picks
    socklen_t length = sizeof address;
    const bool ok = bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
                    getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0;
    const int error = errno;
    close(fd);
    if (!ok) throw DistributedError(std::string("cannot find a free local port: ") + std::strerror(error));
    return ntohs(address.sin_port);
}

std::vector<int> spawn_local_ranks(const std::string& program, const std::vector<std::string>& args, int nproc,
                                   const std::string& master) {
    std::vector<int> pids;
    const pid_t parent = getpid();
    for (int rank = 1; rank < nproc; ++rank) {
        std::vector<std::string> argv_text{program};
        argv_text.insert(argv_text.end(), args.begin(), args.end());
        for (const auto& extra : {std::string("--rank"), std::to_string(rank), std::string("--world-size"),
                                  std::to_string(nproc), std::string("--master"), master})
            argv_text.push_back(extra);
        std::vector<char*> argv;
        for (auto& a : argv_text) argv.push_back(a.data());
        argv.push_back(nullptr);
        const pid_t pid = fork();
        if (pid < 0) {
            wait_for_local_ranks(pids, true);
            throw DistributedError(std::string("cannot start rank ") + std::to_string(rank) + ": " + std::strerror(errno));
        }
        if (pid == 0) {
            prctl(PR_SET_PDEATHSIG, SIGTERM);  // never outlive the launcher
            if (getppid() != parent) _exit(1);
            execv(program.c_str(), argv.data());
            std::fprintf(stderr, "cannot run %s: %s\n", program.c_str(), std::strerror(errno));
            _exit(127);
        }
        pids.push_back(pid);
    }
    return pids;
}

std::string wait_for_local_ranks(const std::vector<int>& pids, bool terminate) {
    std::string problems;
    for (size_t i = 0; i < pids.size(); ++i) {
        if (terminate) kill(pids[i], SIGTERM);
        int status = 0;
        if (waitpid(pids[i], &status, 0) < 0) continue;
        const std::string rank = "rank " + std::to_string(i + 1);
        std::string problem;
        if (WIFSIGNALED(status)) problem = rank + " was killed by signal " + std::to_string(WTERMSIG(status));
        else if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
            problem = rank + " exited with status " + std::to_string(WEXITSTATUS(status));
        if (!problem.empty() && !terminate) problems += (problems.empty() ? "" : "; ") + problem;
    }
    return problems;
}

}  // namespace ign
