// Precompiled header: LibTorch's headers cost ~35 s per translation unit without it.
#pragma once
#include <torch/torch.h>
