#include "shm/fault_guard.hpp"

#include <setjmp.h>
#include <signal.h>

#include <atomic>
#include <mutex>

namespace pylon::shm {

namespace {

struct GuardFrame {
  sigjmp_buf env;
  const unsigned char* lo;
  const unsigned char* hi;
};

// initial-exec: reading it in the signal handler must not allocate (a static executable or a
// library linked into it never needs the dynamic TLS path).
thread_local GuardFrame* t_frame __attribute__((tls_model("initial-exec"))) = nullptr;

struct sigaction g_previous {};
std::once_flag g_installed;

void on_sigbus(int sig, siginfo_t* info, void* uctx) {
  GuardFrame* f = t_frame;
  const auto* addr = static_cast<const unsigned char*>(info->si_addr);
  if (f != nullptr && addr >= f->lo && addr < f->hi) {
    t_frame = nullptr;
    siglongjmp(f->env, 1);
  }
  // Not a guarded access: whatever handled SIGBUS before us does.
  if ((g_previous.sa_flags & SA_SIGINFO) != 0 && g_previous.sa_sigaction != nullptr) {
    g_previous.sa_sigaction(sig, info, uctx);
    return;
  }
  if (g_previous.sa_handler != SIG_DFL && g_previous.sa_handler != SIG_IGN &&
      g_previous.sa_handler != nullptr) {
    g_previous.sa_handler(sig);
    return;
  }
  // Default (or ignored, which for a fault means the same): restore it and return; the faulting
  // instruction runs again and the kernel applies the default action (terminate with a core).
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  sigemptyset(&dfl.sa_mask);
  sigaction(SIGBUS, &dfl, nullptr);
}

void install() {
  struct sigaction sa {};
  sa.sa_sigaction = on_sigbus;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_SIGINFO | SA_NODEFER | SA_ONSTACK;
  sigaction(SIGBUS, &sa, &g_previous);
}

}  // namespace

bool run_fault_guarded(const void* base, std::size_t len, void (*fn)(void*), void* ctx) noexcept {
  std::call_once(g_installed, install);
  if (t_frame != nullptr) return false;
  GuardFrame frame;
  frame.lo = static_cast<const unsigned char*>(base);
  frame.hi = frame.lo + len;
  if (sigsetjmp(frame.env, 0) != 0) return false;  // the handler cleared t_frame
  t_frame = &frame;
  // Keep the compiler from moving accesses of fn across the frame's publication and removal.
  std::atomic_signal_fence(std::memory_order_seq_cst);
  fn(ctx);
  std::atomic_signal_fence(std::memory_order_seq_cst);
  t_frame = nullptr;
  return true;
}

}  // namespace pylon::shm
