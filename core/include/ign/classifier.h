#pragma once
// A small CNN classifier trained by the project on a labelled set. Its penultimate features define the
// Fréchet distance that `ign eval` reports; its predictions give class coverage and projection accuracy.
#include <torch/torch.h>

#include <functional>
#include <string>

#include "ign/data.h"

namespace ign {

struct ClassifierOptions {
    int channels = 1;
    int image_size = 28;
    int classes = 10;
    int features = 128;  // width of the penultimate layer (the Fréchet distance's feature space)
};

struct ClassifierNetImpl : torch::nn::Module {
    explicit ClassifierNetImpl(const ClassifierOptions& options);
    torch::Tensor features(const torch::Tensor& x);  // [N, features]
    torch::Tensor forward(const torch::Tensor& x);   // logits [N, classes]

    ClassifierOptions options;
    torch::nn::Sequential body{nullptr};
    torch::nn::Linear head{nullptr};
};
TORCH_MODULE(ClassifierNet);

struct ClassifierTraining {
    int epochs = 3;
    int batch = 128;
    double lr = 1e-3;
    uint64_t seed = 0;
};

// Trains on `train`, returns the model; `test_accuracy` receives the accuracy on `test`.
ClassifierNet train_classifier(const Dataset& train, const Dataset& test, const ClassifierTraining& training,
                               double* test_accuracy,
                               const std::function<void(int epoch, double loss)>& on_epoch = {});

// Saved with its options and test accuracy; loading throws CheckpointError naming the file.
void save_classifier(const std::string& path, ClassifierNet& model, double test_accuracy);
ClassifierNet load_classifier(const std::string& path, double* test_accuracy = nullptr);

// Batched evaluation helpers (eval mode, InferenceMode).
torch::Tensor classifier_features(ClassifierNet& model, const torch::Tensor& images, int64_t batch = 512);
torch::Tensor classifier_probabilities(ClassifierNet& model, const torch::Tensor& images, int64_t batch = 512);

// Fréchet distance between Gaussians fitted to two feature sets [N, D] (double precision).
double frechet_distance(const torch::Tensor& a, const torch::Tensor& b);

}  // namespace ign
