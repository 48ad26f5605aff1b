# Flags and helpers of the riscv64 firmware build (hypervisor and guests).
# RV64IMAC, soft-float: the firmware never touches the FP registers, which
# belong to the guests. clang 14 takes Zicsr/Zifencei as implied by rv64i.
if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    set(TESSERA_ARCH_FLAGS -march=rv64imac -mabi=lp64 -mcmodel=medany)
else()
    set(TESSERA_ARCH_FLAGS -march=rv64imac_zicsr_zifencei -mabi=lp64 -mcmodel=medany)
endif()
set(TESSERA_FREESTANDING_FLAGS
    ${TESSERA_ARCH_FLAGS} -ffreestanding -fno-exceptions -fno-rtti -fno-threadsafe-statics
    -fno-use-cxa-atexit -fno-common -fno-stack-protector -fno-pic -fno-pie
    -ffunction-sections -fdata-sections -nostdlib
    -Wall -Wextra -Werror)
# compile_commands.json: the static analysis (tests/static/) reads the exact
# flags of the clang firmware build from it.
set(CMAKE_EXPORT_COMPILE_COMMANDS ON)
if(NOT CMAKE_BUILD_TYPE)
    set(CMAKE_BUILD_TYPE Release)
endif()
set(CMAKE_CXX_FLAGS_RELEASE "-O2 -g")
set(CMAKE_C_FLAGS_RELEASE "-O2 -g")
set(CMAKE_ASM_FLAGS_RELEASE "-g")

# Options every firmware target (hypervisor or guest) uses.
function(tessera_freestanding target)
    target_compile_options(${target} PRIVATE ${TESSERA_FREESTANDING_FLAGS})
    target_include_directories(${target} SYSTEM PRIVATE
        "${PROJECT_SOURCE_DIR}/cmake/freestanding-include")
    target_link_options(${target} PRIVATE ${TESSERA_ARCH_FLAGS} -nostdlib -static
                        $<$<CXX_COMPILER_ID:GNU>:-no-pie> -Wl,--gc-sections -Wl,--build-id=none)
endfunction()

# The hypervisor's code (core, its C library, each scenario's own sources)
# also writes the compiler's stack figures next to each object: a .su file per
# translation unit (both compilers), and with g++ a .ci file, the call graph
# with every function's frame. tools/stack_usage reads them (ctest
# stack-usage-*). Neither option changes the generated code.
function(tessera_stack_info target)
    target_compile_options(${target} PRIVATE $<$<COMPILE_LANGUAGE:CXX>:-fstack-usage>
        $<$<AND:$<COMPILE_LANGUAGE:CXX>,$<CXX_COMPILER_ID:GNU>>:-fcallgraph-info=su>)
endfunction()

# Raw binary next to an ELF, for loaders that take one.
function(tessera_add_binary target)
    add_custom_command(TARGET ${target} POST_BUILD
        COMMAND ${CMAKE_OBJCOPY} -O binary $<TARGET_FILE:${target}> $<TARGET_FILE:${target}>.bin
        VERBATIM)
endfunction()

# One hypervisor image for one scenario file: cfggen validates the scenario
# and writes its tables; the image is tessera-<name>.elf in scenarios/<name>/.
function(tessera_add_scenario scenario_file)
    get_filename_component(file_name "${scenario_file}" NAME)
    string(REGEX REPLACE "(\\.scenario)?\\.dts$" "" name "${file_name}")
    file(READ "${scenario_file}" scenario_text)
    if(NOT scenario_text MATCHES "tessera,platform[ \t]*=[ \t]*\"([A-Za-z0-9_-]+)\"")
        message(FATAL_ERROR "${scenario_file}: no tessera,platform = \"<name>\" in the scenario")
    endif()
    set(platform "${CMAKE_MATCH_1}")
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${scenario_file}")

    set(out "${CMAKE_BINARY_DIR}/scenarios/${name}")
    set(gen "${out}/generated")
    file(GLOB cfggen_sources CONFIGURE_DEPENDS "${PROJECT_SOURCE_DIR}/tools/cfggen/*.py")
    add_custom_command(
        OUTPUT "${gen}/tessera_scenario.hpp" "${gen}/tessera_blobs.S" "${gen}/scenario.ld"
               "${gen}/review.txt"
        COMMAND ${TESSERA_PYTHON} "${PROJECT_SOURCE_DIR}/tools/cfggen/cfggen.py" generate
                --scenario "${scenario_file}" --out "${gen}" --build-dir "${CMAKE_BINARY_DIR}"
                --depfile "${out}/cfggen.d"
        DEPFILE "${out}/cfggen.d"
        DEPENDS "${scenario_file}" ${cfggen_sources} tessera_guests
        COMMENT "cfggen: checking and generating scenario ${name}"
        VERBATIM)

    set(target tessera-${name})
    add_executable(${target}
        "${gen}/tessera_blobs.S" "${gen}/tessera_scenario.hpp"
        "${PROJECT_SOURCE_DIR}/core/scenario/storage.cpp"
        "${PROJECT_SOURCE_DIR}/core/scenario/platform_binding.cpp")
    tessera_freestanding(${target})
    tessera_stack_info(${target})
    target_include_directories(${target} PRIVATE "${gen}")
    target_link_libraries(${target} PRIVATE tessera_core)
    set(linker_script "${PROJECT_SOURCE_DIR}/core/arch/riscv/hypervisor.ld")
    target_link_options(${target} PRIVATE -T "${linker_script}" -L "${gen}"
                        "-L${PROJECT_SOURCE_DIR}/core/arch/riscv")
    set_target_properties(${target} PROPERTIES
        SUFFIX ".elf"
        RUNTIME_OUTPUT_DIRECTORY "${out}"
        LINK_DEPENDS "${linker_script};${PROJECT_SOURCE_DIR}/core/arch/riscv/no_runtime.ld;${gen}/scenario.ld")
    tessera_add_binary(${target})
endfunction()

# Every scenario in configs/, the test scenarios in tests/configs/ (but the
# deliberately broken ones) and any extra ones the user names.
function(tessera_add_all_scenarios)
    file(GLOB scenarios CONFIGURE_DEPENDS "${PROJECT_SOURCE_DIR}/configs/*.scenario.dts")
    file(GLOB test_scenarios CONFIGURE_DEPENDS "${PROJECT_SOURCE_DIR}/tests/configs/*.scenario.dts")
    list(FILTER test_scenarios EXCLUDE REGEX "/broken-[^/]*$")
    foreach(scenario IN LISTS scenarios test_scenarios TESSERA_EXTRA_SCENARIOS)
        tessera_add_scenario("${scenario}")
    endforeach()
endfunction()
