// The process's limit on open files. Every HTTP connection holds a descriptor, and the usual soft
// limit of 1,024 would stop a server (or a benchmark client) near a thousand streams although the
// hard limit allows far more.
#pragma once

#include <cstdint>

namespace qwenrt {

// Raises the soft limit on open files to the hard limit where it is lower, as far as the system
// allows, and returns the soft limit in force afterwards (UINT64_MAX for unlimited).
std::uint64_t raise_open_file_limit();

}  // namespace qwenrt
