#include "ign/evaluation.h"

#include <nlohmann/json.hpp>

#include "ign/corrupt.h"

namespace ign {
namespace {

torch::Tensor apply_batched(IgnNet& model, const torch::Tensor& x, int batch, const InferenceOptions& options) {
    std::vector<torch::Tensor> parts;
    for (int64_t start = 0; start < x.size(0); start += batch)
        parts.push_back(apply_f(model, x.slice(0, start, std::min(x.size(0), start + batch)), options));
    return torch::cat(parts);
}

double mean_l1(const torch::Tensor& a, const torch::Tensor& b) { return (a - b).abs().mean().item<double>(); }

double accuracy(ClassifierNet* classifier, const torch::Tensor& images, const torch::Tensor& labels) {
    if (!classifier || !labels.defined()) return NAN;
    return classifier_probabilities(*classifier, images).argmax(1).eq(labels).to(torch::kFloat64).mean().item<double>();
}

// For each row of a [N, D]: the squared L2 distance to its nearest row of b [M, D] and that row's number, in
// float64, a block of rows at a time (a full N x M table of 10,000 x 10,000 would take 800 MB). With
// skip_same_row, row i of a is compared with every row of b but row i (a and b the same set).
std::pair<torch::Tensor, torch::Tensor> nearest_rows(const torch::Tensor& a, const torch::Tensor& b, bool skip_same_row) {
    const auto b_norms = b.pow(2).sum(1).unsqueeze(0);
    std::vector<torch::Tensor> distances, rows;
    constexpr int64_t kBlock = 1024;
    for (int64_t begin = 0; begin < a.size(0); begin += kBlock) {
        const auto block = a.slice(0, begin, begin + kBlock);
        auto d = (block.pow(2).sum(1, true) - 2 * block.matmul(b.t()) + b_norms).clamp_min(0);
        if (skip_same_row) d.diagonal(begin, 0, 1).fill_(INFINITY);  // element (i, begin + i)
        const auto [distance, row] = d.min(1);
        distances.push_back(distance);
        rows.push_back(row);
    }
    return {torch::cat(distances), torch::cat(rows)};
}

}  // namespace

double copy_share(const torch::Tensor& samples, const torch::Tensor& training_images) {
    TORCH_CHECK(training_images.size(0) >= 2, "the copy measure needs at least two training images");
    const auto s = samples.flatten(1).to(torch::kDouble), t = training_images.flatten(1).to(torch::kDouble);
    const auto nearest_other = nearest_rows(t, t, true).first;  // for each training image
    const auto [to_nearest, nearest] = nearest_rows(s, t, false);
    // d < d_other / 2  <=>  d² < d_other² / 4
    return to_nearest.lt(nearest_other.index_select(0, nearest) / 4).to(torch::kDouble).mean().item<double>();
}

EvalReport evaluate(IgnNet& model, const CheckpointInfo& info, const TrainTestSplit& data, ClassifierNet* classifier,
                    double classifier_accuracy, const EvalOptions& o, const torch::Tensor& training_images) {
    EvalReport r;
    r.classifier_test_accuracy = classifier_accuracy;
    const auto noise = info.noise_sampler();
    const auto z = sample_noise(noise, o.samples, o.seed);
    const auto f1 = apply_batched(model, z, o.batch, o.inference);
    const auto f2 = apply_batched(model, f1, o.batch, o.inference);
    r.idempotence_gap = mean_l1(f2, f1);
    r.samples = f1.slice(0, 0, 64);
    r.refined = f2.slice(0, 0, 64);
    if (training_images.defined()) {  // copy_share says when there are fewer than two
        r.copies = copy_share(f1, training_images);
        r.copy_reference_images = training_images.size(0);
    }

    const auto& test = data.test;
    r.projection_batch = o.projection_batch;
    r.reconstruction_error = mean_l1(apply_batched(model, test.images, o.projection_batch, o.inference), test.images);

    if (classifier) {
        const auto f3 = apply_batched(model, f2, o.batch, o.inference);
        const auto reference = classifier_features(*classifier, test.images);
        for (const auto* s : {&f1, &f2, &f3}) r.fd.push_back(frechet_distance(classifier_features(*classifier, *s), reference));
        const auto probabilities = classifier_probabilities(*classifier, f1);
        const auto predicted = probabilities.argmax(1);
        r.mean_confidence = std::get<0>(probabilities.max(1)).mean().item<double>();
        const auto histogram = torch::bincount(predicted, {}, (*classifier)->options.classes);
        for (int64_t c = 0; c < histogram.size(0); ++c) {
            r.class_histogram.push_back(histogram[c].item<int64_t>());
            if (histogram[c].item<int64_t>() * 100 >= o.samples) ++r.classes_covered;
        }
    }

    // Evenly spaced test images, so ordered sets contribute every class.
    const int64_t n = std::min<int64_t>(o.projection_images, test.size());
    const auto index = torch::arange(n) * (test.size() / n);
    const auto clean = test.images.index_select(0, index);
    const auto labels = test.has_labels() ? test.labels.index_select(0, index) : torch::Tensor();
    struct Case {
        std::string name;
        Corruption kind;
        CorruptionOptions options;
    };
    std::vector<Case> cases{{"noise 0.3", Corruption::Noise, {0.3, 1, 0.4}},
                            {"noise 0.5", Corruption::Noise, {0.5, 1, 0.4}},
                            {"sketch", Corruption::SketchDodge, {}},
                            {"occlude", Corruption::Occlude, {0.5, 1, 0.4}}};
    if (info.model.channels == 3) cases.push_back({"gray", Corruption::Grayscale, {}});
    const double clean_accuracy = accuracy(classifier, clean, labels);
    for (const auto& c : cases) {
        auto gen = make_generator(o.seed + 17);
        const auto corrupted = corrupt(clean, c.kind, c.options, gen);
        const auto projected = apply_batched(model, corrupted, o.projection_batch, o.inference);
        ProjectionFidelity p;
        p.corruption = c.name;
        p.accuracy_clean = clean_accuracy;
        p.accuracy_corrupted = accuracy(classifier, corrupted, labels);
        p.accuracy_projected = accuracy(classifier, projected, labels);
        p.l1_corrupted = mean_l1(corrupted, clean);
        p.l1_projected = mean_l1(projected, clean);
        r.projection.push_back(p);
        const int64_t show = std::min<int64_t>(10, n);
        const auto shown = torch::arange(show) * (n / show);  // spread over the classes
        r.projection_examples.push_back(torch::cat({clean.index_select(0, shown),
                                                    corrupted.index_select(0, shown).clamp(-1, 1),
                                                    projected.index_select(0, shown)}));
    }
    return r;
}

std::string EvalReport::to_json(const std::string& checkpoint, const std::string& data) const {
    auto number = [](double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); };
    nlohmann::json j;
    j["checkpoint"] = checkpoint;
    j["data"] = data;
    if (!fd.empty()) j["fd"] = {{"f", fd[0]}, {"f2", fd[1]}, {"f3", fd[2]}};
    j["classes_covered"] = classes_covered;
    j["class_histogram"] = class_histogram;
    j["mean_confidence"] = number(mean_confidence);
    j["classifier_test_accuracy"] = number(classifier_test_accuracy);
    j["idempotence_gap"] = idempotence_gap;
    j["reconstruction_error"] = reconstruction_error;
    j["copies"] = number(copies);
    j["copy_reference_images"] = copy_reference_images;
    j["projection_batch"] = projection_batch;
    for (const auto& p : projection)
        j["projection"][p.corruption] = {{"accuracy_corrupted", number(p.accuracy_corrupted)},
                                         {"accuracy_projected", number(p.accuracy_projected)},
                                         {"accuracy_clean", number(p.accuracy_clean)},
                                         {"l1_corrupted", p.l1_corrupted},
                                         {"l1_projected", p.l1_projected}};
    return j.dump(2);
}

}  // namespace ign
