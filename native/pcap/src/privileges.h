// Dropping the privileges a capturing process no longer needs, in every
// thread of the process (capabilities, the bounding set and no_new_privs are
// per-thread in Linux; node runs a handful of threads before any JS does).
//
// dropPrivileges({ keep: number[], uid?: number, gid?: number }) → {
//   threads, reached, unreachable, failed, boundingKept }
//
// Steps, each run by every thread on itself (the calling thread directly,
// the others from a real-time signal handler, raw syscalls only):
//  1. prepare: no_new_privs; every capability outside `keep` dropped from
//     the bounding set (needs CAP_SETPCAP; without it the bounding set is
//     kept and boundingKept says so); ambient set cleared; permitted and
//     effective cut to `keep` (plus CAP_SETUID/CAP_SETGID while the uid
//     changes, with PR_SET_KEEPCAPS so the permitted set survives it);
//     inheritable cleared.
//  2. only with uid/gid: setgroups([gid]), setresgid, setresuid through
//     glibc, which applies them to every thread itself.
//  3. only with uid/gid: permitted = effective = inheritable = ambient =
//     `keep` (ambient: so `ip`/`bridge` children get what the process kept,
//     as root's children do through the bounding set); keepcaps off.
//
// A thread that blocks the signal (node's SIGUSR1 watchdog blocks every
// signal) is not reached and is counted in `unreachable`; the caller reads
// /proc/self/task/*/status to report what each thread holds. Threads made
// later inherit from their creator (node makes them from the main thread).
#pragma once
#include <napi.h>

namespace podtap {

Napi::Value DropPrivileges(const Napi::CallbackInfo& info);

}  // namespace podtap
