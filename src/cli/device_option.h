// The --device option of the commands that run the transformer: cpu, cuda, or auto (CUDA when this
// binary has it and a CUDA device is present, else the CPU). The default is cpu, so that scripts
// written to check or time the CPU path keep doing so on a machine that has a GPU.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace qwenrt::cli {

enum class Device { kCpu, kCuda };

// Adds --device to command, storing the choice in value (default "cpu").
void add_device_option(CLI::App& command, std::string& value);

// The device a --device value means here. "cuda" is taken as asked: the backend reports why it
// cannot run, if it cannot.
Device resolve_device(const std::string& value);

const char* device_name(Device device);

}  // namespace qwenrt::cli
