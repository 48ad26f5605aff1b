// Programs for test_stack_usage.py, one per CASE_* macro: an entry
// (test_main, called from program.S) and the call chains the check must
// measure or refuse. Every helper is noinline so that its frame stays its own.
extern "C" {
alignas(16) unsigned char tessera_stacks[1][4096];
extern const unsigned long tessera_stack_size = 4096;
extern const unsigned int tessera_hart_count = 1;
}

#define NOINLINE [[gnu::noinline]]

// A frame of at least `bytes`: an array indexed by a value the compiler
// can't know, so that it can neither drop nor shrink it.
volatile unsigned g_index;
#define FRAME(bytes)             \
    volatile char buffer[bytes]; \
    buffer[g_index % (bytes)] = 1

#if defined(CASE_GOOD)
NOINLINE void deep() { FRAME(300); }
NOINLINE void middle() { FRAME(200); deep(); }
NOINLINE void hook() { FRAME(640); }
void (*volatile g_hook)() = hook;
extern "C" void test_main() { FRAME(100); middle(); g_hook(); }

#elif defined(CASE_TOO_DEEP)
NOINLINE void big() { FRAME(3000); }
NOINLINE void bigger() { FRAME(2000); big(); }
extern "C" void test_main() { FRAME(16); bigger(); }

#elif defined(CASE_RECURSION)
volatile int g_depth;
NOINLINE void pong();
NOINLINE void ping() { FRAME(32); if (g_depth-- > 0) pong(); }
NOINLINE void pong() { FRAME(32); if (g_depth-- > 0) ping(); }
extern "C" void test_main() { ping(); }

#elif defined(CASE_ALLOCA)
volatile unsigned g_size = 100;
extern "C" void test_main() {
    volatile char* buffer = static_cast<volatile char*>(__builtin_alloca(g_size));
    buffer[0] = 1;
}

#elif defined(CASE_RECURSION_FREE)
NOINLINE void leaf() { FRAME(48); }
extern "C" void test_main() { FRAME(16); leaf(); }
extern "C" void test_other() { FRAME(16); }
#endif
