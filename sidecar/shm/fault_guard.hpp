// Touching a shared-memory mapping that another process may shrink at any moment.
//
// Validators in the queue's group may write the weight-queue segment, so they may also truncate
// it (`truncate -s 0 /dev/shm/<name>-weights`). The kernel then unmaps the pages past the new end
// from every mapping and the next access to one of them raises SIGBUS, which by default kills the
// daemon. A size check before the access cannot prevent that (the truncation can land between the
// check and the access), and pread() from the fd gives no atomic 8-byte loads with acquire order,
// which the ring protocol needs. So every daemon access to that mapping runs inside
// fault_guarded(): a SIGBUS whose address lies in the guarded range abandons the access at the
// faulting instruction (siglongjmp back into fault_guarded) and the call returns false; the
// caller then treats the segment as damaged and recreates it. Any other SIGBUS goes to the
// disposition that was installed before (default: the process dies with a core, as it should for
// a real bug).
//
// Thread contract: any thread; one guard at a time per thread (nesting is refused). The handler
// is installed process-wide on first use, with SA_NODEFER so the jump out leaves the thread's
// signal mask as it was (sigsetjmp does not save the mask: no system call per guarded access).
#pragma once

#include <cstddef>
#include <type_traits>

namespace pylon::shm {

// Runs fn(ctx) and returns true; false when fn hit a SIGBUS inside [base, base + len) and was
// abandoned there. fn must be a plain copy or atomic-access loop: the jump out skips whatever it
// was doing, so it must not allocate, lock, or have objects with destructors alive across the
// accesses. Also false, without running fn, when called inside another guard.
bool run_fault_guarded(const void* base, std::size_t len, void (*fn)(void*), void* ctx) noexcept;

template <class F>
bool fault_guarded(const void* base, std::size_t len, F&& f) noexcept {
  using Fn = std::remove_reference_t<F>;
  return run_fault_guarded(
      base, len, [](void* c) { (*static_cast<Fn*>(c))(); }, &f);
}

}  // namespace pylon::shm
