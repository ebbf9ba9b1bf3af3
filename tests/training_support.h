#pragma once
// Helpers for the suites that train: ranks as threads of this process, and how far a bf16 run lands
// from the float32 one.
#include <memory>
#include <thread>
#include <vector>

#include "ign/distributed.h"
#include "ign/trainer.h"
#include "test_support.h"

namespace ign::testing {

struct RankRun {
    std::unique_ptr<Trainer> trainer;
    TrainResult result;
};

// `world` ranks as threads, each constructing its Trainer (which joins the group) and running it. An
// exception on a rank is kept and rethrown here after every thread has ended.
inline std::vector<RankRun> run_ranks(TrainOptions options, const Dataset& data, int world) {
    options.distributed.world_size = world;
    options.distributed.master = "127.0.0.1:" + std::to_string(free_local_port());
    options.distributed.timeout_s = 30;
    std::vector<RankRun> runs(world);
    std::vector<std::exception_ptr> errors(world);
    std::vector<std::thread> threads;
    for (int rank = 0; rank < world; ++rank)
        threads.emplace_back([&, rank] {
            try {
                auto o = options;
                o.distributed.rank = rank;
                runs[rank].trainer = std::make_unique<Trainer>(o, data);
                runs[rank].result = runs[rank].trainer->run();
            } catch (...) {
                errors[rank] = std::current_exception();
            }
        });
    for (auto& t : threads) t.join();
    for (const auto& error : errors)
        if (error) std::rethrow_exception(error);
    return runs;
}

// A bf16 run against the float32 run of the same steps: the worst relative difference of the per-step
// total losses, and the mean and largest absolute weight differences at the end.
struct PrecisionGap {
    double worst_loss = 0, mean_weight = 0, worst_weight = 0;
    bool weights_float32 = true;
};

inline PrecisionGap precision_gap(const Trainer& fp32, const Trainer& bf16) {
    PrecisionGap gap;
    const auto& a = fp32.info().history;
    const auto& b = bf16.info().history;
    for (size_t i = 0; i < std::min(a.size(), b.size()); ++i)
        gap.worst_loss = std::max(gap.worst_loss, std::abs(a[i].total - b[i].total) / std::abs(a[i].total));
    double sum = 0, count = 0;
    const auto pa = fp32.model()->parameters(), pb = bf16.model()->parameters();
    for (size_t i = 0; i < pa.size(); ++i) {
        gap.weights_float32 = gap.weights_float32 && pb[i].scalar_type() == torch::kFloat;
        const auto d = (pa[i] - pb[i]).abs();
        gap.worst_weight = std::max(gap.worst_weight, d.max().item<double>());
        sum += d.sum().item<double>();
        count += double(d.numel());
    }
    gap.mean_weight = sum / count;
    return gap;
}

// The tolerances bf16 training is held to (test_trainer explains them): losses within 2 % per step,
// weights on average within lr, none further apart than 2 lr per step.
inline void verify_precision_gap(const PrecisionGap& gap, int64_t steps, double lr) {
    qInfo("bf16 vs fp32: worst relative loss difference %.3g, weight difference mean %.3g, max %.3g", gap.worst_loss,
          gap.mean_weight, gap.worst_weight);
    QVERIFY(gap.weights_float32);  // the weights stay float32
    QVERIFY2(gap.worst_loss < 0.02, qPrintable(QString::number(gap.worst_loss)));
    QVERIFY2(gap.mean_weight < lr, qPrintable(QString::number(gap.mean_weight)));
    QVERIFY2(gap.worst_weight < 2 * double(steps) * lr, qPrintable(QString::number(gap.worst_weight)));
    // It did run in lower precision. (Not the losses: without normalisation the freshly initialised
    // network's outputs are near 0 in both precisions, so its first losses agree to float32's last bit.)
    QVERIFY(gap.mean_weight > 0);
}

}  // namespace ign::testing
