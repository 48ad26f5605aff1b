#!/usr/bin/python3
"""The hypervisor's link refuses a heap, the C++ runtime and global constructors.

Takes the exact compile and link commands of one scenario image from the
firmware build (`ninja -t commands`), compiles a small C++ file per case with
the hypervisor's own flags, adds its object to the hypervisor's link
(core/arch/riscv/hypervisor.ld, which includes no_runtime.ld) and expects
the link to fail with the linker script's message for that case, leaving no
image. A control link of the same objects without the extra one must
succeed, so a failure is the case's doing. Each case also passes the
firmware's own compile (-Wall -Wextra -Werror): it is the kind of code
someone could write.
"""
import argparse
import os
import shlex
import subprocess
import sys

# name, source, the message the link must fail with (one of them, where the
# compilers differ: g++ registers a global's destructor in .fini_array, clang
# calls atexit; clang's delete is the unsized one)
CASES = [
    ("malloc", r'''
extern "C" void* malloc(unsigned long size);
extern "C" void* tessera_test_alloc() { return malloc(64); }
''', "no heap or C++ runtime in the hypervisor: malloc is referenced or defined"),
    ("a malloc of its own", r'''
static unsigned char pool[4096];
static unsigned long used;
extern "C" void* malloc(unsigned long size) {
    void* block = pool + used;
    used += size;
    return block;
}
''', "no heap or C++ runtime in the hypervisor: malloc is referenced or defined"),
    ("operator new", r'''
int* tessera_test_make() { return new int(7); }
''', "no heap or C++ runtime in the hypervisor: _Znwm (operator new(unsigned long)) "
     "is referenced or defined"),
    ("operator delete", r'''
void tessera_test_drop(int* value) { delete value; }
''', ("no heap or C++ runtime in the hypervisor: _ZdlPvm (operator delete(void*, unsigned long)) "
      "is referenced or defined",
      "no heap or C++ runtime in the hypervisor: _ZdlPv (operator delete(void*)) "
      "is referenced or defined")),
    ("a global with a constructor", r'''
extern volatile int tessera_test_counter;
volatile int tessera_test_counter;
struct Counted {
    Counted() { tessera_test_counter = tessera_test_counter + 1; }
};
Counted tessera_test_counted;
''', "global constructors are not allowed in the hypervisor"),
    ("a global with a destructor", r'''
extern volatile int tessera_test_counter;
volatile int tessera_test_counter;
struct Counted {
    ~Counted() { tessera_test_counter = tessera_test_counter + 1; }
};
Counted tessera_test_counted;
''', ("global destructors are not allowed in the hypervisor",
      "no heap or C++ runtime in the hypervisor: atexit is referenced or defined")),
    ("a pure virtual function", r'''
struct Device {
    virtual void poll() = 0;
    virtual int id();
};
int Device::id() { return 1; }
''', "no heap or C++ runtime in the hypervisor: __cxa_pure_virtual is referenced or defined"),
    # retain: kept by --gc-sections as if the hypervisor called it.
    ("thread_local", r'''
thread_local int tessera_test_per_thread;
[[gnu::used, gnu::retain]] int tessera_test_read() { return tessera_test_per_thread; }
''', "thread_local is not allowed in the hypervisor"),
]


def ninja_commands(firmware, target):
    out = subprocess.run(["ninja", "-C", firmware, "-t", "commands", target], check=True,
                         capture_output=True, text=True).stdout
    return out.splitlines()


def link_and_compile_commands(firmware, scenario):
    """(link words, compile words of storage.cpp) of the scenario's image."""
    image = f"scenarios/{scenario}/tessera-{scenario}.elf"
    link = compile_ = None
    for line in ninja_commands(firmware, f"tessera-{scenario}"):
        for part in line.split(" && "):
            words = shlex.split(part)
            if "-o" in words and words[words.index("-o") + 1] == image:
                link = words
            if "-c" in words and words[-1].endswith("core/scenario/storage.cpp"):
                compile_ = words
    if link is None or compile_ is None:
        sys.exit(f"FAIL: no link or compile command for {image} in `ninja -t commands`")
    return link, compile_


def compile_case(compile_, source, obj):
    words = list(compile_)
    for flag in ("-MD",):
        while flag in words:
            words.remove(flag)
    for flag in ("-MT", "-MF", "-o"):
        while flag in words:
            index = words.index(flag)
            del words[index:index + 2]
    words = words[:-2] + ["-o", obj, "-c", source]  # drop "-c storage.cpp"
    return subprocess.run(words, capture_output=True, text=True)


def link_with(link, firmware, extra, output):
    words = list(link)
    index = words.index("-o")
    words[index + 1] = output
    words[index:index] = extra
    return subprocess.run(words, cwd=firmware, capture_output=True, text=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--firmware", required=True, help="a firmware build directory")
    parser.add_argument("--scenario", default="hello")
    parser.add_argument("--work", required=True, help="a directory for the cases' files")
    args = parser.parse_args()
    firmware = os.path.abspath(args.firmware)
    os.makedirs(args.work, exist_ok=True)
    work = os.path.abspath(args.work)
    link, compile_ = link_and_compile_commands(firmware, args.scenario)

    failed = False
    control = os.path.join(work, "control.elf")
    result = link_with(link, firmware, [], control)
    if result.returncode != 0 or not os.path.exists(control):
        print(f"FAIL: the control link (the image's own objects) failed:\n{result.stderr}")
        return 1
    print(f"PASS: the {args.scenario} image's own link succeeds ({os.path.basename(link[0])})")
    for index, (name, source_text, messages) in enumerate(CASES):
        messages = (messages,) if isinstance(messages, str) else messages
        source = os.path.join(work, f"case{index}.cpp")
        obj = os.path.join(work, f"case{index}.o")
        output = os.path.join(work, f"case{index}.elf")
        with open(source, "w") as f:
            f.write(source_text)
        if os.path.exists(output):
            os.remove(output)
        built = compile_case(compile_, source, obj)
        if built.returncode != 0:
            print(f"FAIL: {name}: the case doesn't compile with the hypervisor's flags:\n{built.stderr}")
            failed = True
            continue
        result = link_with(link, firmware, [obj], output)
        said = result.stdout + result.stderr
        message = next((m for m in messages if m in said), None)
        if result.returncode == 0 or message is None or os.path.exists(output):
            print(f"FAIL: {name}: expected the link to fail with "
                  f"{' or '.join(repr(m) for m in messages)}, leaving no image; "
                  f"status {result.returncode}, image {'left' if os.path.exists(output) else 'absent'}, "
                  f"linker said:\n{said}")
            failed = True
            continue
        print(f"PASS: {name}: the link fails: {message}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
