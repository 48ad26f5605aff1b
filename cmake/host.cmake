# The host build: unit tests (doctest), cfggen tests (pytest), the firmware
# trees (ExternalProject, g++ and clang) and the integration tests on QEMU.
include(ExternalProject)
enable_testing()

foreach(compiler gcc clang)
    ExternalProject_Add(firmware-${compiler}
        SOURCE_DIR "${PROJECT_SOURCE_DIR}"
        BINARY_DIR "${CMAKE_BINARY_DIR}/firmware-${compiler}"
        CMAKE_ARGS
            -DCMAKE_TOOLCHAIN_FILE=${PROJECT_SOURCE_DIR}/cmake/riscv64-${compiler}.cmake
            -DCMAKE_BUILD_TYPE=Release
            -DTESSERA_PYTHON=${TESSERA_PYTHON}
        CMAKE_CACHE_ARGS "-DTESSERA_EXTRA_SCENARIOS:STRING=${TESSERA_EXTRA_SCENARIOS}"
        BUILD_ALWAYS TRUE
        INSTALL_COMMAND ""
        USES_TERMINAL_CONFIGURE TRUE
        USES_TERMINAL_BUILD TRUE)
endforeach()
set(TESSERA_FIRMWARE_GCC "${CMAKE_BINARY_DIR}/firmware-gcc")
set(TESSERA_FIRMWARE_CLANG "${CMAKE_BINARY_DIR}/firmware-clang")

add_subdirectory(tests)
