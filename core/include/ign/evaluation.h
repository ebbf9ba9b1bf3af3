#pragma once
// `ign eval`: sample quality (Fréchet distance in a project classifier's feature space, class coverage),
// projection fidelity under corruptions, idempotence and reconstruction, for any checkpoint and data set.
#include <torch/torch.h>

#include <string>
#include <vector>

#include "ign/checkpoint.h"
#include "ign/classifier.h"
#include "ign/data.h"
#include "ign/inference.h"

namespace ign {

struct EvalOptions {
    int samples = 10000;           // generated samples for FD and coverage
    int projection_images = 1000;  // test images corrupted and projected
    int batch = 256;               // inference batch for samples (train-mode normalisation uses batch statistics)
    // Inference batch for projection and reconstruction: 1, as the studio and `ign project` apply f to
    // one image (with BatchNorm in train mode a result depends on its batch); more measures batched use.
    int projection_batch = 1;
    uint64_t seed = 0;
    InferenceOptions inference;
    // Copies are looked for among the model's own training images when there are at most this many (the
    // few-shot case, where memorising is the risk; every sample against every image costs N x samples).
    int copy_reference_limit = 10000;
};

// Share of samples that copy a training image: a sample is a copy of its nearest training image x (L2 in
// pixels) when it lies closer to x than half the distance from x to the nearest other training image.
// Needs at least two training images.
double copy_share(const torch::Tensor& samples, const torch::Tensor& training_images);

struct ProjectionFidelity {
    std::string corruption;
    double accuracy_corrupted = NAN, accuracy_projected = NAN, accuracy_clean = NAN;
    double l1_corrupted = 0, l1_projected = 0;  // mean |input - clean| and |f(input) - clean|
};

struct EvalReport {
    std::vector<double> fd;                 // FD of f, f^2, f^3 against the test set (empty without classifier)
    std::vector<int64_t> class_histogram;   // predicted classes of the samples
    int classes_covered = 0;                // classes holding at least 1% of the samples
    double mean_confidence = NAN;
    std::vector<ProjectionFidelity> projection;
    double idempotence_gap = 0;             // mean |f(f(z)) - f(z)|
    double reconstruction_error = 0;        // mean |f(x) - x| on the test split
    int projection_batch = 1;               // images per application of f in projection and reconstruction
    double classifier_test_accuracy = NAN;
    double copies = NAN;                    // copy_share of the samples; NaN when not measured
    int64_t copy_reference_images = 0;      // training images the samples were compared with
    torch::Tensor samples, refined;         // the first 64 samples f(z) and f^2(z), for the report sheet
    std::vector<torch::Tensor> projection_examples;  // per corruption: [clean; corrupted; projected] x 10
    std::string to_json(const std::string& checkpoint, const std::string& data) const;
};

// training_images: the model's own training images for the copy measure (undefined: not measured).
EvalReport evaluate(IgnNet& model, const CheckpointInfo& info, const TrainTestSplit& data, ClassifierNet* classifier,
                    double classifier_accuracy, const EvalOptions& options,
                    const torch::Tensor& training_images = torch::Tensor());

}  // namespace ign
