// libFuzzer's driver, called from the fuzzer's own main: SwiftPM on Linux links an
// executable's entry point as `main`, so libFuzzer's main cannot be the one that runs.
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
