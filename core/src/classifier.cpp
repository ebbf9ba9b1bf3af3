#include "ign/classifier.h"

#include <spdlog/spdlog.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "ign/checkpoint.h"
#include "ign/noise.h"

namespace ign {
namespace nn = torch::nn;

ClassifierNetImpl::ClassifierNetImpl(const ClassifierOptions& o) : options(o) {
    const int reduced = o.image_size / 4;
    body = nn::Sequential(
        nn::Conv2d(nn::Conv2dOptions(o.channels, 32, 3).padding(1)), nn::BatchNorm2d(32), nn::ReLU(), nn::MaxPool2d(2),
        nn::Conv2d(nn::Conv2dOptions(32, 64, 3).padding(1)), nn::BatchNorm2d(64), nn::ReLU(), nn::MaxPool2d(2),
        nn::Flatten(), nn::Linear(64 * reduced * reduced, o.features), nn::ReLU());
    head = nn::Linear(o.features, o.classes);
    register_module("body", body);
    register_module("head", head);
}

torch::Tensor ClassifierNetImpl::features(const torch::Tensor& x) { return body->forward(x); }
torch::Tensor ClassifierNetImpl::forward(const torch::Tensor& x) { return head->forward(features(x)); }

ClassifierNet train_classifier(const Dataset& train, const Dataset& test, const ClassifierTraining& t,
                               double* test_accuracy, const std::function<void(int, double)>& on_epoch) {
    if (!train.has_labels() || !test.has_labels())
        throw std::invalid_argument("a classifier needs a labelled data set (" + train.name + " has no labels)");
    torch::manual_seed(t.seed);
    ClassifierOptions o;
    o.channels = int(train.images.size(1));
    o.image_size = int(train.images.size(2));
    o.classes = int(train.labels.max().item<int64_t>()) + 1;
    ClassifierNet model(o);
    torch::optim::Adam optimizer(model->parameters(), torch::optim::AdamOptions(t.lr));
    const int64_t n = train.size();
    for (int epoch = 0; epoch < t.epochs; ++epoch) {
        model->train();
        auto gen = make_generator(t.seed * 7919 + uint64_t(epoch));
        const auto order = at::randperm(n, gen, torch::kLong);
        double total = 0;
        int batches = 0;
        for (int64_t start = 0; start + t.batch <= n; start += t.batch) {
            const auto index = order.slice(0, start, start + t.batch);
            const auto loss = torch::nn::functional::cross_entropy(model->forward(train.images.index_select(0, index)),
                                                                   train.labels.index_select(0, index));
            optimizer.zero_grad();
            loss.backward();
            optimizer.step();
            total += loss.item<double>();
            ++batches;
        }
        if (on_epoch) on_epoch(epoch + 1, total / std::max(1, batches));
    }
    if (test_accuracy) {
        const auto predicted = classifier_probabilities(model, test.images).argmax(1);
        *test_accuracy = predicted.eq(test.labels).to(torch::kFloat64).mean().item<double>();
    }
    return model;
}

void save_classifier(const std::string& path, ClassifierNet& model, double test_accuracy) {
    nlohmann::json meta = {{"format", "ign-classifier"}, {"channels", model->options.channels},
                           {"image_size", model->options.image_size}, {"classes", model->options.classes},
                           {"features", model->options.features}, {"test_accuracy", test_accuracy}};
    torch::serialize::OutputArchive archive, weights;
    model->save(weights);
    archive.write("meta", text_to_tensor(meta.dump()));
    archive.write("model", weights);
    std::ostringstream bytes;
    archive.save_to(bytes);
    write_file_atomically(path, bytes.str());
}

ClassifierNet load_classifier(const std::string& path, double* test_accuracy) {
    if (!std::filesystem::is_regular_file(path)) throw CheckpointError(path + ": no such classifier file");
    try {
        torch::serialize::InputArchive archive;
        load_archive_checked(archive, path);
        torch::Tensor meta_tensor;
        if (!archive.try_read("meta", meta_tensor)) throw CheckpointError(path + ": not an IGN classifier");
        const auto meta = nlohmann::json::parse(tensor_to_text(meta_tensor));
        if (meta.value("format", "") != "ign-classifier") throw CheckpointError(path + ": not an IGN classifier");
        ClassifierOptions o;
        o.channels = meta.at("channels");
        o.image_size = meta.at("image_size");
        o.classes = meta.at("classes");
        o.features = meta.at("features");
        ClassifierNet model(o);
        torch::serialize::InputArchive weights;
        archive.read("model", weights);
        model->load(weights);
        if (test_accuracy) *test_accuracy = meta.at("test_accuracy");
        return model;
    } catch (const CheckpointError&) {
        throw;
    } catch (const std::exception& e) {
        throw CheckpointError(path + ": not an IGN classifier, or damaged (" + std::string(e.what()).substr(0, 200) + ")");
    }
}

namespace {
template <typename Fn>
torch::Tensor batched(ClassifierNet& model, const torch::Tensor& images, int64_t batch, Fn fn) {
    torch::InferenceMode guard;
    model->eval();
    std::vector<torch::Tensor> parts;
    for (int64_t start = 0; start < images.size(0); start += batch)
        parts.push_back(fn(images.slice(0, start, std::min(images.size(0), start + batch))));
    return torch::cat(parts);
}
}  // namespace

torch::Tensor classifier_features(ClassifierNet& model, const torch::Tensor& images, int64_t batch) {
    return batched(model, images, batch, [&](const torch::Tensor& x) { return model->features(x); });
}

torch::Tensor classifier_probabilities(ClassifierNet& model, const torch::Tensor& images, int64_t batch) {
    return batched(model, images, batch, [&](const torch::Tensor& x) { return torch::softmax(model->forward(x), 1); });
}

double frechet_distance(const torch::Tensor& a, const torch::Tensor& b) {
    const auto x = a.to(torch::kFloat64), y = b.to(torch::kFloat64);
    const auto mu_x = x.mean(0), mu_y = y.mean(0);
    const auto cov = [](const torch::Tensor& t, const torch::Tensor& mu) {
        const auto c = t - mu;
        return c.t().mm(c) / double(t.size(0) - 1);
    };
    const auto sx = cov(x, mu_x), sy = cov(y, mu_y);
    // tr(sqrt(Sx Sy)) = sum of sqrt of the eigenvalues of the symmetric sqrt(Sx) Sy sqrt(Sx)
    auto [values, vectors] = at::linalg_eigh(sx, "L");
    const auto sqrt_sx = vectors.mm(torch::diag(values.clamp_min(0).sqrt())).mm(vectors.t());
    const auto middle = sqrt_sx.mm(sy).mm(sqrt_sx);
    const auto eig = at::linalg_eigvalsh((middle + middle.t()) / 2, "L");
    const double trace_sqrt = eig.clamp_min(0).sqrt().sum().item<double>();
    return (mu_x - mu_y).pow(2).sum().item<double>() + sx.trace().item<double>() + sy.trace().item<double>() -
           2.0 * trace_sqrt;
}

}  // namespace ign
